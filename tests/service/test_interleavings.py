"""The interleavings the races over HTTP find only sometimes, forced every time: a second operation
runs exactly between the first one's read and its write (the first one's read is wrapped to run
it). The books must balance and every person stay consistent afterwards, whatever the order."""
import time

import boto3
import pytest

from chalicelib.config import get_settings
from chalicelib.services import booking
from chalicelib.store import booking as booking_store
from chalicelib.store import planning as planning_store
from chalicelib.store import vaccination as vaccination_store
from tests.api.test_vaccination_api import (
    BASE,
    CITIZEN,
    FACILITY_ADMIN,
    SLOT,
    VERIFIER,
    book,
    door,
    register,
    session_at,
)
from tests.helpers import post
from tests.ledger import Ledger

OTHER_SLOT = "11:00AM-01:00PM"


@pytest.fixture
def ledger(aws):
    from chalicelib.config import get_settings

    return Ledger(boto3.client("dynamodb", region_name=get_settings().region))


def run_between(monkeypatch, module, name: str, interloper) -> None:
    """Make `module.name` (a read) run `interloper()` once, right after it has read."""
    read = getattr(module, name)

    def read_then_interlope(*args, **kwargs):
        value = read(*args, **kwargs)
        monkeypatch.setattr(module, name, read)
        interloper()
        return value

    monkeypatch.setattr(module, name, read_then_interlope)


def move(appointment_id: str, session_id: str, slot: str):
    return lambda: booking.reschedule(CITIZEN, {"appointment_id": appointment_id, "session_id": session_id,
                                                "slot": slot}, int(time.time()), get_settings().country)


def test_a_reschedule_between_a_cancels_read_and_write(api, seeded, as_, ledger, monkeypatch):
    first, second = session_at(seeded, days=1), session_at(seeded, days=2)
    citizen = as_(CITIZEN)
    book(api, citizen, first, [register(api, citizen, 1)])  # someone else stays booked there
    ref = register(api, citizen, 2)
    appointment_id, _ = book(api, citizen, first, [ref])
    run_between(monkeypatch, planning_store, "get_session", move(appointment_id, second, OTHER_SLOT))
    cancelled = post(api, "/v2/appointment/cancel", {"appointment_id": appointment_id,
                                                     "beneficiariesToCancel": [ref]}, citizen)
    assert cancelled.status_code == 204, cancelled.body  # cancelled where it had moved to
    ledger.assert_books_balance(first, second)
    ledger.assert_person_consistent(ref)
    assert [a["status"] for a in ledger.appointments_of(ref)] == ["CANCELLED"]


def test_a_reschedule_within_the_session_between_a_capacity_edits_read_and_write(api, seeded, as_, ledger,
                                                                                  monkeypatch):
    session_id = session_at(seeded, days=1)
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    appointment_id, _ = book(api, citizen, session_id, [ref])
    session = planning_store.get_session(session_id)
    run_between(monkeypatch, planning_store, "get_session", move(appointment_id, session_id, OTHER_SLOT))
    edited = post(api, f"/v2/admin/sessions/{session_id}/capacity", {
        "capacity_dose1": int(session.capacity_dose1), "capacity_dose2": int(session.capacity_dose2)},
        as_(FACILITY_ADMIN))
    assert edited.status_code == 409 and edited.json_body["errorCode"] == "PLANNG0009"  # look again
    ledger.assert_books_balance(session_id)


def test_a_reschedule_between_a_door_checks_read_and_write(api, seeded, as_, ledger, monkeypatch):
    today, tomorrow = session_at(seeded), session_at(seeded, days=1)
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    appointment_id, code = book(api, citizen, today, [ref])
    run_between(monkeypatch, vaccination_store, "snapshot", move(appointment_id, tomorrow, SLOT))
    checked = post(api, f"{BASE}/verify", door(appointment_id, ref, today, code), as_(VERIFIER))
    assert checked.status_code == 404 and checked.json_body["errorCode"] == "VACCIN0020"
    [place] = ledger.appointments_of(ref)
    assert place["session_id"] == tomorrow and "verified_at" not in place
    ledger.assert_books_balance(today, tomorrow)


def test_a_reschedule_out_between_a_session_cancellations_listing_and_its_cancels(api, seeded, as_, ledger,
                                                                                  monkeypatch):
    first, second = session_at(seeded, days=1), session_at(seeded, days=2)
    citizen = as_(CITIZEN)
    staying = register(api, citizen, 1)
    book(api, citizen, first, [staying])
    leaving = register(api, citizen, 2)
    appointment_id, _ = book(api, citizen, first, [leaving])
    run_between(monkeypatch, booking_store, "for_session", move(appointment_id, second, SLOT))
    assert post(api, f"/v2/admin/sessions/{first}/cancel", {}, as_(FACILITY_ADMIN)).status_code == 200
    ledger.assert_books_balance(first, second)
    for ref in (staying, leaving):
        ledger.assert_person_consistent(ref)
    assert [a["status"] for a in ledger.appointments_of(leaving)] == ["BOOKED"]  # it had left in time
