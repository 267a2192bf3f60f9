"""The store's records and its table models describe the same things, and no use case, route or event
handler names a table model: what they hold of the store is a record (chalicelib/domain/records.py)."""
import ast
import dataclasses
from pathlib import Path

import pytest

from chalicelib.domain import records
from chalicelib.store import base
from chalicelib.store.assisted import AssistedActionItem
from chalicelib.store.booking import AppointmentItem, BookingRequestItem
from chalicelib.store.certificates import CertificateItem, CertificateSlotItem
from chalicelib.store.kycvs import StatusCheckerItem, StatusCheckItem
from chalicelib.store.locker import LockerLinkItem
from chalicelib.store.planning import AllocationItem, CenterItem, SessionItem
from chalicelib.store.registration import AuditItem, BeneficiaryItem
from chalicelib.store.stock import BatchItem, VialItem
from chalicelib.store.vaccination import AefiItem, CaptureItem, DoseItem

ROOT = Path(__file__).resolve().parents[2]
PAIRS = [(records.BeneficiaryRecord, BeneficiaryItem), (records.AuditRecord, AuditItem),
         (records.AppointmentRecord, AppointmentItem), (records.BookingRequestRecord, BookingRequestItem),
         (records.CentreRecord, CenterItem), (records.SessionRecord, SessionItem),
         (records.AllocationRecord, AllocationItem), (records.DoseRecord, DoseItem),
         (records.CaptureRecord, CaptureItem), (records.AefiRecord, AefiItem),
         (records.CertificateSlotRecord, CertificateSlotItem), (records.CertificateRecord, CertificateItem),
         (records.AssistedActionRecord, AssistedActionItem),
         (records.BatchRecord, BatchItem), (records.VialRecord, VialItem),
         (records.LockerLinkRecord, LockerLinkItem),
         (records.StatusCheckerRecord, StatusCheckerItem), (records.StatusCheckRecord, StatusCheckItem)]


@pytest.mark.parametrize(("record", "model"), PAIRS, ids=lambda value: value.__name__)
def test_each_record_has_exactly_its_models_fields(record, model):
    assert {field.name for field in dataclasses.fields(record)} == set(model.get_attributes())


@pytest.mark.parametrize(("record", "model"), PAIRS, ids=lambda value: value.__name__)
def test_a_records_defaults_are_its_models(record, model):
    attributes = model.get_attributes()
    for field in dataclasses.fields(record):
        if field.default is not dataclasses.MISSING:
            stored = attributes[field.name].default
            assert (stored() if callable(stored) else stored) == field.default, field.name
        elif field.default_factory is not dataclasses.MISSING:
            assert attributes[field.name].default is not None, field.name


def test_a_record_goes_in_and_comes_back_unchanged():
    session = records.SessionRecord(
        "s1", "2026-12-01", "COVISHIELD", 18, 10, 5, (records.SlotRecord("09:00AM-11:00AM", 15, 2),), 1, 395, 21,
        400001, "PHC", "Road", "Ward", 19.07, 72.87, "09:00:00", "17:00:00", "Paid", vaccine_fees={"COVISHIELD": "780"})
    from chalicelib.store.planning import session_record

    item = base.item_of(session, SessionItem, slots=[{"name": "09:00AM-11:00AM", "capacity": 15, "booked": 2}])
    assert session_record(SessionItem.from_raw_data(item.serialize())) == session


def _model_names() -> set[str]:
    return {model.__name__ for _, model in PAIRS} | {"StaffItem", "AccountItem", "OtpItem", "IdClaimItem",
                                                     "AllowanceItem", "CounterItem", "SlotAttribute",
                                                     "SessionStockItem", "LedgerItem"}


@pytest.mark.parametrize("floor", ["services", "api", "events"])
def test_no_use_case_route_or_event_handler_names_a_table_model(floor):
    named = []
    for path in sorted((ROOT / "chalicelib" / floor).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chalicelib.store"):
                named += [f"{path.name}: {alias.name}" for alias in node.names if alias.name in _model_names()]
    assert not named
