"""Offline capture: batches of records with client UUIDs, replays, rejections, and DynamoDB failing mid-batch."""
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pynamodb.connection.base import Connection
from pynamodb.exceptions import TransactWriteError

from chalicelib.store.planning import SessionItem
from chalicelib.store.registration import BeneficiaryItem
from chalicelib.store.vaccination import AllowanceItem, CaptureItem, DoseItem
from local.metering import count_dynamodb_calls
from tests.api.test_vaccination_api import CITIZEN, VACCINATOR, VERIFIER, register, session_at
from tests.helpers import aadhaar, post

SYNC = "/v2/vaccination/offline/sync"


def captured(ref: str, seed: int, session_id: str, minutes_ago: int = 0, **overrides) -> dict:
    moment = datetime.now().astimezone() - timedelta(minutes=minutes_ago)
    return {"uuid": str(uuid.uuid4()), "device_id": "tablet-7", "captured_at": moment.isoformat(),
            "vaccinator": VACCINATOR, "beneficiary_reference_id": ref, "session_id": session_id,
            "vaccine": "COVISHIELD", "batch": "4121Z025", "dose": 1, "photo_id_type": 1,
            "id_last4": aadhaar(seed)[-4:], **overrides}


@pytest.fixture
def people(api, seeded, as_):
    citizen = as_(CITIZEN)
    return [register(api, citizen, n) for n in (1, 2, 3, 4)]


def sync(api, headers, records):
    return post(api, SYNC, {"records": records}, headers)


def test_a_batch_is_accepted_and_its_replay_returns_the_original_results(api, seeded, as_, people):
    session_id = session_at(seeded)
    records = [captured(ref, n, session_id) for n, ref in zip((1, 2, 3), people[:3])]
    records.append(captured("12345678901234", 9, session_id))
    first = sync(api, as_(VACCINATOR), records)
    assert first.status_code == 200, first.body
    assert [r["status"] for r in first.json_body["records"]] == ["accepted"] * 3 + ["rejected"]
    assert first.json_body["records"][3]["errorCode"] == "BENREG0009"
    assert (first.json_body["accepted"], first.json_body["rejected"]) == (3, 1)
    replay = sync(api, as_(VACCINATOR), records).json_body
    assert [r["status"] for r in replay["records"]] == ["duplicate"] * 4
    assert [r["original"]["status"] for r in replay["records"]] == ["accepted"] * 3 + ["rejected"]
    assert [r["original"]["record_id"] for r in replay["records"][:3]] == \
        [r["record_id"] for r in first.json_body["records"][:3]]
    stored = DoseItem.get(people[0], "dose#1")
    assert stored.source == "offline" and stored.device_id == "tablet-7" and stored.capture_uuid == records[0]["uuid"]
    assert stored.captured_at <= stored.recorded_at  # both times are kept
    listed = api.http.get("/v2/appointment/beneficiaries", headers=as_(CITIZEN)).json_body["beneficiaries"]
    assert sorted(b["vaccination_status"] for b in listed) == ["Not Vaccinated"] + ["Partially Vaccinated"] * 3


def test_each_record_is_judged_on_its_own(api, seeded, as_, people):
    session_id = session_at(seeded)
    window = 72 * 60
    same_uuid = captured(people[0], 1, session_id)
    records = [
        same_uuid, dict(same_uuid),
        captured(people[1], 2, session_id, uuid="not-a-uuid"),
        captured(people[1], 2, session_id, minutes_ago=window + 60),
        captured(people[1], 2, session_id, minutes_ago=-60),
        captured(people[2], 3, session_id, vaccinator=VERIFIER),
        captured(people[2], 3, session_id, vaccine="COVAXIN"),
        captured(people[3], 4, session_id, id_last4="0000"),
        "not a record",
    ]
    answer = sync(api, as_(VACCINATOR), records).json_body["records"]
    assert [(r["status"], r.get("errorCode")) for r in answer] == [
        ("accepted", None), ("duplicate", None), ("rejected", "USRRES0003"), ("rejected", "VACCIN0011"),
        ("rejected", "VACCIN0011"), ("rejected", "VACCIN0001"), ("rejected", "VACCIN0002"),
        ("rejected", "VACCIN0006"), ("rejected", "USRRES0003")]
    assert answer[2]["uuid"] is None and answer[-1]["uuid"] is None  # nothing to key them by: not kept
    assert CaptureItem.count() == 6


def test_the_same_dose_from_two_devices_is_recorded_once(api, seeded, as_, people):
    session_id = session_at(seeded)
    first = captured(people[0], 1, session_id)
    second = captured(people[0], 1, session_id, device_id="tablet-9")
    answer = sync(api, as_(VACCINATOR), [first, second]).json_body["records"]
    assert [(r["status"], r.get("errorCode")) for r in answer] == [("accepted", None), ("rejected", "VACCIN0003")]
    assert DoseItem.count(people[0]) == 1


@pytest.mark.parametrize("body", [{}, {"records": []}, {"records": "x"}, {"records": [{}] * 101}])
def test_a_batch_must_be_1_to_100_records(api, seeded, as_, body):
    response = post(api, SYNC, body, as_(VACCINATOR))
    assert response.status_code == 400 and response.json_body["errorCode"] == "VACCIN0015"


def failing_transactions(fail_on: int, after_landing: bool):
    """DynamoDB failing on the n-th TransactWriteItems: before it lands, or after (the answer lost)."""
    original, calls = Connection.transact_write_items, []

    def transact_write_items(connection, *args, **kwargs):
        calls.append(1)
        if len(calls) != fail_on:
            return original(connection, *args, **kwargs)
        if after_landing:
            original(connection, *args, **kwargs)
        raise TransactWriteError("injected: InternalServerError")

    return transact_write_items


@pytest.mark.parametrize("after_landing", [False, True], ids=["before-the-write", "answer-lost"])
def test_dynamodb_failing_mid_batch_is_finished_by_the_retry(api, seeded, as_, people, monkeypatch,
                                                             after_landing):
    session_id = session_at(seeded)
    records = [captured(ref, n, session_id) for n, ref in zip((1, 2, 3, 4), people)]
    headers = as_(VACCINATOR)
    seats = int(SessionItem.get(session_id).booked_dose1)
    monkeypatch.setattr(Connection, "transact_write_items", failing_transactions(3, after_landing))
    cut_short = sync(api, headers, records)
    assert cut_short.status_code == 503 and cut_short.json_body["errorCode"] == "VACCIN0016"
    assert DoseItem.count(people[0]) == DoseItem.count(people[1]) == 1
    assert DoseItem.count(people[2]) == (1 if after_landing else 0) and DoseItem.count(people[3]) == 0
    monkeypatch.undo()
    retried = sync(api, headers, records).json_body["records"]
    landed = ["duplicate"] * (3 if after_landing else 2)
    assert [r["status"] for r in retried] == landed + ["accepted"] * (4 - len(landed))
    assert all(r.get("original", r)["status"] == "accepted" for r in retried)
    for ref in people:
        assert DoseItem.count(ref) == 1 and BeneficiaryItem.get(ref).doses_given == 1
    assert int(SessionItem.get(session_id).booked_dose1) == seats + 4  # each walk-in seat taken once
    assert sum(int(a.doses) for a in AllowanceItem.query(100001)) == 4
    assert CaptureItem.count() == 4


def test_time_check_happens_in_the_countrys_time_zone(api, seeded, as_, people):
    """A capture's time without an offset is the country's local time."""
    session_id = session_at(seeded)
    now_local = datetime.now(ZoneInfo("Asia/Kolkata")).replace(tzinfo=None)
    record = captured(people[0], 1, session_id, captured_at=now_local.isoformat(timespec="seconds"))
    answer = sync(api, as_(VACCINATOR), [record]).json_body["records"][0]
    assert answer["status"] == "accepted", answer


def test_a_batch_reads_in_four_batches_and_writes_one_transaction_per_new_record(api, seeded, as_, people):
    session_id = session_at(seeded)
    records = [captured(ref, n, session_id) for n, ref in zip((1, 2, 3, 4), people)]
    headers = as_(VACCINATOR)
    with count_dynamodb_calls() as calls:
        assert sync(api, headers, records).json_body["accepted"] == 4
    assert calls == {"BatchGetItem": 4, "TransactWriteItems": 4}
    with count_dynamodb_calls() as calls:
        assert sync(api, headers, records).json_body["duplicate"] == 4
    assert calls == {"BatchGetItem": 1}  # a replay reads the capture items and nothing else
