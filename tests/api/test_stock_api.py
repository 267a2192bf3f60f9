"""Vaccine stock through the API on the demo data (docs/stock.md), stock tracking on: receiving stock,
doses drawing on vials (opening the next one when theirs is empty or past its open-vial time), expired
and missing stock refused, closing a session (wastage, once), offline doses synced after the close,
planning within the stock, the reports in JSON and CSV, and what each call costs."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta

import pytest

from chalicelib.config import get_settings
from chalicelib.domain.calendar import local_date
from local.metering import count_dynamodb_calls
from tests.api.test_vaccination_api import day_of, session_at
from tests.helpers import aadhaar, person, post

NATIONAL, STATE_ADMIN, MUMBAI_ADMIN, BBMP_ADMIN = "9000000001", "9000000002", "9000000003", "9000000004"
FACILITY_ADMIN, VACCINATOR, VERIFIER = "9000000005", "9000000006", "9000000007"
HERE = 100001  # Seven Hills Hospital, Mumbai (395), Maharashtra (21): the demo staff's centre
STOCK = "/v2/stock"


@pytest.fixture
def tracked(monkeypatch):
    """India's pack as it is: stock tracked. (A mobile may hold many people here: tests register many.)"""
    monkeypatch.setenv("TEEKA_COUNTRY_PROFILE", json.dumps({"stock_tracking": True,
                                                            "max_beneficiaries_per_mobile": 60}))
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def staff(api, seeded, as_, tracked):
    return {"admin": as_(FACILITY_ADMIN), "vaccinator": as_(VACCINATOR), "district": as_(MUMBAI_ADMIN)}


_seeds = iter(range(70_000, 80_000))
_mobiles = iter(range(9_811_200_000, 9_811_299_999))


def people(count: int) -> list[tuple[str, int]]:
    """Registered people (reference id, Aadhaar seed), straight through the use case."""
    from chalicelib.services import registration

    mobile = str(next(_mobiles))
    found = []
    for _ in range(count):
        seed = next(_seeds)
        found.append((registration.register(mobile, person(seed), _now(), get_settings().country), seed))
    return found


def _now() -> int:
    import time

    return int(time.time())


def batch_number() -> str:
    return f"T{uuid.uuid4().hex[:9].upper()}"


def expiry(days: int = 90) -> str:
    return (local_date(get_settings().country, _now()) + timedelta(days=days)).strftime("%d-%m-%Y")


def receive(api, headers, batch: str, vials: int = 2, doses_per_vial: int = 3, vaccine: str = "COVISHIELD",
            center_id: int = HERE, **overrides):
    return post(api, f"{STOCK}/receipts", {"center_id": center_id, "vaccine": vaccine, "batch": batch,
                                           "expiry_date": expiry(), "vials": vials,
                                           "doses_per_vial": doses_per_vial, **overrides}, headers)


def give(api, headers, session_id: str, batch: str, who: tuple[str, int], vaccine: str = "COVISHIELD", **overrides):
    """A dose to a registered person without an appointment, the vaccinator checking the photo ID."""
    ref, seed = who
    return post(api, "/v2/vaccination/doses", {
        "beneficiary_reference_id": ref, "session_id": session_id, "vaccine": vaccine, "batch": batch, "dose": 1,
        "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:], **overrides}, headers)


def test_doses_open_the_batchs_vials_one_after_another_until_none_is_left(api, staff, seeded):
    batch = batch_number()
    received = receive(api, staff["admin"], batch, vials=2, doses_per_vial=3)
    assert received.status_code == 201, received.body
    assert received.json_body["vials_received"] == 2 and received.json_body["doses_unopened"] == 6
    session_id = session_at(seeded)
    given = [give(api, staff["vaccinator"], session_id, batch, who) for who in people(7)]
    assert [g.status_code for g in given] == [201] * 6 + [409], [g.body for g in given]
    assert [g.json_body.get("vial") for g in given[:6]] == [f"{batch}#1"] * 3 + [f"{batch}#2"] * 3
    assert given[6].json_body["errorCode"] == "STOCK0008"
