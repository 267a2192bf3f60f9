"""Dose capture through the API on the demo data: the door check, doses, walk-ins, corrections, AEFI,
the allowance report, and every role and scope rule."""
from datetime import datetime, timedelta

import pytest

from chalicelib.services.booking import security_code_of
from chalicelib.services.planning import session_id_for
from chalicelib.store.auth import AccountItem
from chalicelib.store.booking import AppointmentItem
from chalicelib.store.planning import SessionItem
from chalicelib.store.vaccination import AllowanceItem, DoseItem
from local import carrier as local_carrier
from local import dispatcher
from local.metering import count_dynamodb_calls
from local.seed import BBMP, MUMBAI
from tests.helpers import aadhaar, person, post

CITIZEN, OTHER_CITIZEN = "9876543210", "9876543211"
NATIONAL, MUMBAI_ADMIN, BBMP_ADMIN = "9000000001", "9000000003", "9000000004"
FACILITY_ADMIN, VACCINATOR, VERIFIER = "9000000005", "9000000006", "9000000007"
BASE = "/v2/vaccination"
SLOT = "09:00AM-11:00AM"


def day_of(seeded: str, days: int = 0):
    return datetime.strptime(seeded, "%d-%m-%Y").date() + timedelta(days=days)


def session_at(seeded: str, center_id: int = 100001, days: int = 0, vaccine: str = "COVISHIELD") -> str:
    return session_id_for(center_id, day_of(seeded, days), vaccine)


def register(api, headers, seed: int, **overrides) -> str:
    response = post(api, "/v2/registration/beneficiary/new", person(seed, **overrides), headers)
    assert response.status_code == 200, response.body
    return response.json_body["beneficiary_reference_id"]


def book(api, headers, session_id: str, refs: list[str]) -> tuple[str, str]:
    """Book; returns the appointment id and its security code (which the citizen has by SMS)."""
    response = post(api, "/v2/appointment/schedule", {"dose": 1, "session_id": session_id, "slot": SLOT,
                                                      "beneficiaries": refs}, headers)
    assert response.status_code == 200, response.body
    appointment_id = response.json_body["appointment_id"]
    return appointment_id, security_code_of(appointment_id)


def door(appointment_id: str, ref: str, session_id: str, code: str, last4: str = None, **overrides) -> dict:
    return {"appointment_id": appointment_id, "beneficiary_reference_id": ref, "session_id": session_id,
            "photo_id_type": 1, "id_last4": last4 or aadhaar(1)[-4:], "security_code": code, **overrides}


def dose(ref: str, session_id: str, **overrides) -> dict:
    return {"beneficiary_reference_id": ref, "session_id": session_id, "vaccine": "COVISHIELD",
            "batch": "4121Z025", "dose": 1, **overrides}


@pytest.fixture
def booked(api, seeded, as_):
    """A citizen with one beneficiary booked into today's COVISHIELD session at centre 100001."""
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    session_id = session_at(seeded)
    appointment_id, code = book(api, citizen, session_id, [ref])
    return {"ref": ref, "session_id": session_id, "appointment_id": appointment_id, "code": code,
            "citizen": citizen}


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10000:04d}"


def test_the_journey_verify_at_the_door_record_dose_1_partially_vaccinated(api, booked, as_, seeded):
    b = booked
    listed = api.http.get(f"{BASE}/sessions/{b['session_id']}/appointments", headers=as_(VERIFIER)).json_body
    [row] = listed["appointments"]
    assert row["status"] == "booked" and row["name"] == "Asha Rao" and row["mobile_number"] == "******3210"
    assert row["photo_id_number"] == "********" + aadhaar(1)[-4:] and aadhaar(1) not in str(listed)

    refused = post(api, f"{BASE}/verify", door(b["appointment_id"], b["ref"], b["session_id"], wrong(b["code"])),
                   as_(VERIFIER))
    assert refused.status_code == 400 and refused.json_body["errorCode"] == "VACCIN0004"
    assert "4 attempts left" in refused.json_body["error"]
    verified = post(api, f"{BASE}/verify", door(b["appointment_id"], b["ref"], b["session_id"], b["code"]),
                    as_(VERIFIER))
    assert verified.status_code == 200, verified.body
    assert verified.json_body["status"] == "verified" and verified.json_body["verified_by"] == "******0007"

    recorded = post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"]), as_(VACCINATOR))
    assert recorded.status_code == 201, recorded.body
    record = recorded.json_body
    assert record["dose"] == 1 and record["batch"] == "4121Z025" and record["vaccinator"] == "******0006"
    assert record["verifier"] == "******0007" and record["appointment_id"] == b["appointment_id"]
    assert record["walk_in"] is False and record["center_name"] == "Seven Hills Hospital"
    assert record["given_at"].startswith(day_of(seeded).isoformat()) and record["given_at"].endswith("+05:30")

    [beneficiary] = api.http.get("/v2/appointment/beneficiaries", headers=b["citizen"]).json_body["beneficiaries"]
    assert beneficiary["vaccination_status"] == "Partially Vaccinated" and beneficiary["vaccine"] == "COVISHIELD"
    assert beneficiary["dose1_date"] == seeded and beneficiary["appointments"] == []
    listed = api.http.get(f"{BASE}/sessions/{b['session_id']}/appointments", headers=as_(VACCINATOR)).json_body
    assert listed["appointments"][0]["status"] == "vaccinated"
    assert SessionItem.get(b["session_id"]).booked_dose1 == 1  # the booking's seat, not a second one

    again = post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"]), as_(VACCINATOR))
    assert again.status_code == 409 and again.json_body["errorCode"] == "VACCIN0003"
    from app import app

    dispatcher.drain(app)  # the dose's stream event texts the citizen
    assert any("dose 1 of COVISHIELD" in m["message"] for m in local_carrier.messages_for(CITIZEN))


def test_five_wrong_codes_lock_the_appointment_until_a_facility_admin_unlocks_it(api, booked, as_):
    b = booked
    attempt = door(b["appointment_id"], b["ref"], b["session_id"], wrong(b["code"]))
    answers = [post(api, f"{BASE}/verify", attempt, as_(VERIFIER)) for _ in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 423]
    assert answers[-1].json_body["errorCode"] == "VACCIN0005"
    right = door(b["appointment_id"], b["ref"], b["session_id"], b["code"])
    assert post(api, f"{BASE}/verify", right, as_(VERIFIER)).status_code == 423
    listed = api.http.get(f"{BASE}/sessions/{b['session_id']}/appointments", headers=as_(VERIFIER)).json_body
    assert listed["appointments"][0]["locked"] is True
    # The lock holds for the dose too, even with the photo-ID check.
    for checked in ({}, {"photo_id_type": 1, "id_last4": aadhaar(1)[-4:]}):
        locked_dose = post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"], **checked), as_(VACCINATOR))
        assert locked_dose.status_code == 423 and locked_dose.json_body["errorCode"] == "VACCIN0005"
    unlock = {"appointment_id": b["appointment_id"], "beneficiary_reference_id": b["ref"]}
    assert post(api, f"{BASE}/unlock", unlock, as_(BBMP_ADMIN)).status_code == 403
    assert post(api, f"{BASE}/unlock", unlock, as_(VERIFIER)).status_code == 403
    assert post(api, f"{BASE}/unlock", unlock, as_(FACILITY_ADMIN)).status_code == 200
    again = post(api, f"{BASE}/unlock", unlock, as_(FACILITY_ADMIN))
    assert again.status_code == 409 and again.json_body["errorCode"] == "VACCIN0019"
    assert post(api, f"{BASE}/verify", right, as_(VERIFIER)).status_code == 200


def test_the_door_check_wants_the_registered_photo_id(api, booked, as_, seeded):
    b = booked
    for changes in ({"id_last4": "0000"}, {"photo_id_type": 4}):
        response = post(api, f"{BASE}/verify", door(b["appointment_id"], b["ref"], b["session_id"], b["code"],
                                                    **changes), as_(VERIFIER))
        assert response.status_code == 400 and response.json_body["errorCode"] == "VACCIN0006"
    elsewhere = post(api, f"{BASE}/verify", door(b["appointment_id"], b["ref"], session_at(seeded, 100002), b["code"]),
                     as_(VERIFIER))
    assert elsewhere.status_code == 403 and elsewhere.json_body["errorCode"] == "VACCIN0001"
    missing = door(b["appointment_id"], b["ref"], b["session_id"], b["code"])
    del missing["id_last4"], missing["photo_id_type"]
    assert post(api, f"{BASE}/verify", missing, as_(VERIFIER)).json_body["errorCode"] == "USRRES0001"
    # Wrong ID details do not count towards the lock; only the codes tried do.
    assert AppointmentItem.get(b["appointment_id"], b["ref"]).code_attempts == 0


def test_an_unverified_appointment_needs_the_door_check_or_the_photo_id_check(api, booked, as_):
    b = booked
    unverified = post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"]), as_(VACCINATOR))
    assert unverified.status_code == 409 and unverified.json_body["errorCode"] == "VACCIN0007"
    wrong_id = post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"], photo_id_type=1, id_last4="9999"),
                    as_(VACCINATOR))
    assert wrong_id.status_code == 400 and wrong_id.json_body["errorCode"] == "VACCIN0006"
    checked = post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"], photo_id_type=1,
                                              id_last4=aadhaar(1)[-4:]), as_(VACCINATOR))
    assert checked.status_code == 201 and checked.json_body["verifier"] == "******0006"
    assert AppointmentItem.get(b["appointment_id"], b["ref"]).status == "COMPLETED"


@pytest.mark.parametrize("changes, status, code", [
    ({"vaccine": "COVAXIN"}, 400, "VACCIN0002"),
    ({"batch": "x"}, 400, "VACCIN0010"),
    ({"dose": 4}, 400, "APPOIN0011"),
    ({"given_at": "2099-01-01T10:00:00"}, 400, "VACCIN0011"),
    ({"given_at": "yesterday"}, 400, "VACCIN0011"),
    ({"beneficiary_reference_id": "12"}, 400, "BENREG0009"),
    ({"beneficiary_reference_id": "12345678901234"}, 400, "BENREG0009"),
])
def test_bad_doses_are_refused_clearly(api, booked, as_, changes, status, code):
    b = booked
    body = dose(b["ref"], b["session_id"], photo_id_type=1, id_last4=aadhaar(1)[-4:], **changes)
    response = post(api, f"{BASE}/doses", body, as_(VACCINATOR))
    assert (response.status_code, response.json_body["errorCode"]) == (status, code), response.body
    assert post(api, f"{BASE}/doses", "not json", as_(VACCINATOR)).json_body["errorCode"] == "USRRES0002"


def test_doses_are_recorded_in_real_time_only_for_todays_sessions(api, seeded, as_):
    ref = register(api, as_(CITIZEN), 1)
    tomorrow = post(api, f"{BASE}/doses", dose(ref, session_at(seeded, days=1), photo_id_type=1,
                                               id_last4=aadhaar(1)[-4:]), as_(VACCINATOR))
    assert tomorrow.status_code == 409 and tomorrow.json_body["errorCode"] == "VACCIN0013"


def test_roles_and_scope(api, booked, as_, seeded):
    b = booked
    body = dose(b["ref"], b["session_id"], photo_id_type=1, id_last4=aadhaar(1)[-4:])
    for path in ("doses", "walkin", "offline/sync", "verify", "doses/correction", "aefi", "unlock"):
        response = post(api, f"{BASE}/{path}", body, b["citizen"])
        assert response.status_code == 403 and response.json_body["errorCode"] == "USRAUT0020", path
        assert post(api, f"{BASE}/{path}", body, {}).status_code == 401
    assert post(api, f"{BASE}/doses", body, as_(VERIFIER)).status_code == 403
    assert post(api, f"{BASE}/doses", body, as_(FACILITY_ADMIN)).status_code == 403
    for path in ("sessions/today", f"sessions/{b['session_id']}/appointments",
                 f"doses?beneficiary_reference_id={b['ref']}"):
        assert api.http.get(f"{BASE}/{path}", headers=b["citizen"]).status_code == 403, path
    assert post(api, f"{BASE}/beneficiaries/search", {"mobile": CITIZEN}, b["citizen"]).status_code == 403
    # A vaccinator of centre 100002, allocated there, cannot record, verify or list at centre 100001.
    other_session = session_at(seeded, center_id=100002)
    other = "9811111111"
    added = post(api, "/v2/admin/centers/100002/staff", {"mobile": other, "name": "Ola Other", "role": "vaccinator"},
                 as_(MUMBAI_ADMIN))
    assert added.status_code == 201, added.body
    assert post(api, f"/v2/admin/sessions/{other_session}/allocations", {"mobile": other},
                as_(MUMBAI_ADMIN)).status_code == 201
    elsewhere = post(api, f"{BASE}/doses", body, as_(other))
    assert elsewhere.status_code == 403 and elsewhere.json_body["errorCode"] == "VACCIN0001"
    assert api.http.get(f"{BASE}/sessions/{b['session_id']}/appointments", headers=as_(other)).status_code == 403
    # ...and centre 100001's vaccinator cannot record at 100002, where they are not allocated.
    ref2 = register(api, b["citizen"], 2)
    here = post(api, f"{BASE}/doses", dose(ref2, other_session, photo_id_type=1, id_last4=aadhaar(2)[-4:]),
                as_(VACCINATOR))
    assert here.status_code == 403 and here.json_body["errorCode"] == "VACCIN0001"
    # Admins see a session's list within their scope only.
    assert api.http.get(f"{BASE}/sessions/{b['session_id']}/appointments", headers=as_(MUMBAI_ADMIN)).status_code == 200
    assert api.http.get(f"{BASE}/sessions/{b['session_id']}/appointments", headers=as_(BBMP_ADMIN)).status_code == 403
    assert DoseItem.count(b["ref"]) == 0


def test_todays_sessions_and_finding_a_beneficiary(api, booked, as_, seeded):
    sessions = api.http.get(f"{BASE}/sessions/today", headers=as_(VACCINATOR)).json_body["sessions"]
    assert {s["vaccine"] for s in sessions} == {"COVISHIELD", "COVAXIN"}
    assert all(s["date"] == seeded and s["center_id"] == 100001 for s in sessions)
    search = f"{BASE}/beneficiaries/search"
    by_ref = post(api, search, {"beneficiary_reference_id": booked["ref"]}, as_(VERIFIER))
    [found] = by_ref.json_body["beneficiaries"]
    assert found["mobile_number"] == "******3210" and found["photo_id_number"].startswith("********")
    by_mobile = post(api, search, {"mobile": CITIZEN}, as_(VACCINATOR)).json_body
    assert [b["beneficiary_reference_id"] for b in by_mobile["beneficiaries"]] == [booked["ref"]]
    assert post(api, search, {"mobile": "12"}, as_(VACCINATOR)).json_body["errorCode"] == "USRAUT0001"
    assert post(api, search, {}, as_(VACCINATOR)).json_body["errorCode"] == "USRRES0001"
    nobody = post(api, search, {"beneficiary_reference_id": "12345678901234"}, as_(VACCINATOR))
    assert nobody.status_code == 200 and nobody.json_body == {"beneficiaries": []}


def test_staff_find_only_the_people_booked_or_vaccinated_where_they_work(api, booked, as_, seeded):
    """A person with no appointment and no dose is nobody's; a booking at Seven Hills (Mumbai) makes
    them its staff's and Mumbai's, never Bengaluru's; a dose there keeps them so after the booking is gone."""
    search = f"{BASE}/beneficiaries/search"
    stranger = register(api, as_(OTHER_CITIZEN), 5)

    def found_by(staff: str, ref: str) -> bool:
        return bool(post(api, search, {"beneficiary_reference_id": ref}, as_(staff)).json_body["beneficiaries"])

    def doses_seen_by(staff: str, ref: str) -> int:
        return api.http.get(f"{BASE}/doses?beneficiary_reference_id={ref}", headers=as_(staff)).status_code

    for staff in (VACCINATOR, VERIFIER, FACILITY_ADMIN, MUMBAI_ADMIN, BBMP_ADMIN, NATIONAL):
        assert found_by(staff, stranger) is False, staff
        assert post(api, search, {"mobile": OTHER_CITIZEN}, as_(staff)).json_body["beneficiaries"] == [], staff
    ref = booked["ref"]
    for staff, sees in ((VACCINATOR, True), (VERIFIER, True), (FACILITY_ADMIN, True), (MUMBAI_ADMIN, True),
                        (NATIONAL, True), (BBMP_ADMIN, False)):
        assert found_by(staff, ref) is sees, staff
        assert doses_seen_by(staff, ref) == (200 if sees else 403), staff
    # Vaccinated: the appointment is done, the dose's place keeps them within reach.
    assert post(api, f"{BASE}/doses", dose(ref, booked["session_id"], photo_id_type=1, id_last4=aadhaar(1)[-4:]),
                as_(VACCINATOR)).status_code == 201
    for staff, sees in ((VACCINATOR, True), (MUMBAI_ADMIN, True), (BBMP_ADMIN, False)):
        assert found_by(staff, ref) is sees, staff
    [given] = api.http.get(f"{BASE}/doses?beneficiary_reference_id={ref}", headers=as_(MUMBAI_ADMIN)).json_body[
        "doses"]
    assert given["center_id"] == 100001
    assert doses_seen_by(BBMP_ADMIN, ref) == 403


def test_a_walk_in_is_registered_and_vaccinated_taking_a_seat_atomically(api, seeded, as_):
    session_id = session_at(seeded)
    before = SessionItem.get(session_id)
    body = {**person(7), "mobile": OTHER_CITIZEN, **dose("", session_id)}
    del body["beneficiary_reference_id"]
    response = post(api, f"{BASE}/walkin", body, as_(VACCINATOR))
    assert response.status_code == 201, response.body
    ref = response.json_body["beneficiary_reference_id"]
    assert response.json_body["dose"]["walk_in"] is True and response.json_body["dose"]["appointment_id"] is None
    assert SessionItem.get(session_id).booked_dose1 == before.booked_dose1 + 1
    [listed] = api.http.get("/v2/appointment/beneficiaries", headers=as_(OTHER_CITIZEN)).json_body["beneficiaries"]
    assert listed["beneficiary_reference_id"] == ref and listed["vaccination_status"] == "Partially Vaccinated"
    # The same photo ID cannot walk in twice: one ID, one person.
    again = post(api, f"{BASE}/walkin", body, as_(VACCINATOR))
    assert again.status_code == 400 and again.json_body["errorCode"] == "BENREG0002"
    too_young = post(api, f"{BASE}/walkin", {**body, **person(8), "birth_year": "1960"}, as_(VACCINATOR))
    assert too_young.json_body["errorCode"] == "APPOIN0020"
    assert AccountItem.get(OTHER_CITIZEN).beneficiary_count == 1


def test_a_walk_in_into_a_full_session_registers_nobody(api, seeded, as_):
    session_id = session_at(seeded)
    full = SessionItem.get(session_id)
    SessionItem(session_id).update(actions=[SessionItem.booked_dose1.set(int(full.capacity_dose1))])
    body = {**person(7), "mobile": OTHER_CITIZEN, **dose("", session_id)}
    del body["beneficiary_reference_id"]
    response = post(api, f"{BASE}/walkin", body, as_(VACCINATOR))
    assert response.status_code == 409 and response.json_body["errorCode"] == "VACCIN0009"
    assert api.http.get("/v2/appointment/beneficiaries", headers=as_(OTHER_CITIZEN)).json_body == {"beneficiaries": []}
    assert register(api, as_(OTHER_CITIZEN), 7)  # the ID was not claimed


def test_a_registered_walk_in_shows_the_photo_id_and_takes_a_seat(api, seeded, as_):
    ref = register(api, as_(CITIZEN), 1)
    session_id = session_at(seeded)
    before = int(SessionItem.get(session_id).booked_dose1)
    no_check = post(api, f"{BASE}/doses", dose(ref, session_id), as_(VACCINATOR))
    assert no_check.status_code == 409 and no_check.json_body["errorCode"] == "VACCIN0007"
    response = post(api, f"{BASE}/doses", dose(ref, session_id, photo_id_type=1, id_last4=aadhaar(1)[-4:]),
                    as_(VACCINATOR))
    assert response.status_code == 201 and response.json_body["walk_in"] is True
    assert int(SessionItem.get(session_id).booked_dose1) == before + 1


def test_an_appointment_elsewhere_must_be_cancelled_first(api, seeded, as_):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    book(api, citizen, session_at(seeded, days=2), [ref])
    response = post(api, f"{BASE}/doses", dose(ref, session_at(seeded), photo_id_type=1, id_last4=aadhaar(1)[-4:]),
                    as_(VACCINATOR))
    assert response.status_code == 409 and response.json_body["errorCode"] == "VACCIN0008"


def test_a_dose_costs_one_consistent_read_and_one_transaction(api, booked, as_):
    b = booked
    headers = as_(VACCINATOR)
    with count_dynamodb_calls() as calls:
        response = post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"], photo_id_type=1,
                                                   id_last4=aadhaar(1)[-4:]), headers)
    assert response.status_code == 201
    assert calls == {"TransactGetItems": 1, "TransactWriteItems": 1}


def test_after_the_door_check_the_dose_reads_the_appointment_once_more(api, booked, as_):
    b = booked
    post(api, f"{BASE}/verify", door(b["appointment_id"], b["ref"], b["session_id"], b["code"]), as_(VERIFIER))
    headers = as_(VACCINATOR)
    with count_dynamodb_calls() as calls:
        assert post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"]), headers).status_code == 201
    assert calls == {"TransactGetItems": 1, "GetItem": 1, "TransactWriteItems": 1}


def test_a_retried_dose_with_its_idempotency_key_gets_the_first_answer(api, booked, as_):
    b = booked
    body = dose(b["ref"], b["session_id"], photo_id_type=1, id_last4=aadhaar(1)[-4:])
    headers = {**as_(VACCINATOR), "Idempotency-Key": "tablet-7-dose-1"}
    first, second = (post(api, f"{BASE}/doses", body, headers) for _ in range(2))
    assert first.status_code == second.status_code == 201 and first.json_body == second.json_body
    assert DoseItem.count(b["ref"]) == 1


def test_a_correction_supersedes_the_batch_and_never_edits_the_record(api, booked, as_):
    b = booked
    post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"], photo_id_type=1, id_last4=aadhaar(1)[-4:]),
         as_(VACCINATOR))
    fix = {"beneficiary_reference_id": b["ref"], "dose": 1, "batch": "4121Z026", "reason": "Batch mistyped"}
    response = post(api, f"{BASE}/doses/correction", fix, as_(FACILITY_ADMIN))
    assert response.status_code == 201, response.body
    assert response.json_body["batch"] == "4121Z026"
    assert response.json_body["corrections"][0]["reason"] == "Batch mistyped"
    [shown] = api.http.get(f"{BASE}/doses?beneficiary_reference_id={b['ref']}", headers=as_(VACCINATOR)).json_body[
        "doses"]
    assert shown["batch"] == "4121Z026" and len(shown["corrections"]) == 1
    assert DoseItem.get(b["ref"], "dose#1").batch == "4121Z025"  # the original stands
    for bad, code in (({"reason": ""}, "USRRES0001"), ({"batch": None}, "VACCIN0017"),
                      ({"given_at": "2020-01-01T10:00:00"}, "VACCIN0017"), ({"dose": 2}, "VACCIN0012")):
        answer = post(api, f"{BASE}/doses/correction", {**fix, **bad}, as_(VACCINATOR))
        assert answer.json_body["errorCode"] == code, (bad, answer.body)
    assert post(api, f"{BASE}/doses/correction", fix, as_(BBMP_ADMIN)).status_code == 403


def test_an_adverse_event_is_reported_against_a_dose(api, booked, as_, seeded):
    b = booked
    report = {"beneficiary_reference_id": b["ref"], "dose": 1, "severity": "minor", "symptoms": ["fever"],
              "onset_at": datetime.now().astimezone().isoformat()}
    assert post(api, f"{BASE}/aefi", report, as_(VACCINATOR)).json_body["errorCode"] == "VACCIN0012"
    post(api, f"{BASE}/doses", dose(b["ref"], b["session_id"], photo_id_type=1, id_last4=aadhaar(1)[-4:]),
         as_(VACCINATOR))
    response = post(api, f"{BASE}/aefi", report, as_(VACCINATOR))
    assert response.status_code == 201, response.body
    assert response.json_body["severity"] == "minor" and response.json_body["reporter"] == "******0006"
    for bad in ({"severity": "awful"}, {"symptoms": []}, {"symptoms": ["x" * 200]}, {"onset_at": "2020-01-01"},
                {"description": 5}):
        answer = post(api, f"{BASE}/aefi", {**report, **bad}, as_(VACCINATOR))
        assert answer.status_code == 400, (bad, answer.body)
    assert post(api, f"{BASE}/aefi", report, as_(BBMP_ADMIN)).status_code == 403


def test_the_allowance_report_counts_doses_per_vaccinator_day_and_session(api, seeded, as_):
    citizen = as_(CITIZEN)
    session_id = session_at(seeded)
    refs = [register(api, citizen, n) for n in (1, 2)]
    for n, ref in zip((1, 2), refs):
        assert post(api, f"{BASE}/doses", dose(ref, session_id, photo_id_type=1, id_last4=aadhaar(n)[-4:]),
                    as_(VACCINATOR)).status_code == 201
    report = api.http.get(f"{BASE}/reports/allowance?from={seeded}&to={seeded}", headers=as_(FACILITY_ADMIN))
    assert report.status_code == 200, report.body
    assert report.json_body["center_id"] == 100001 and report.json_body["total_doses"] == 2
    assert report.json_body["per_vaccinator_day"] == [
        {"vaccinator": "******0006", "date": seeded, "doses": 2, "vaccinator_name": "Vikram Vaccinator"}]
    assert report.json_body["per_session"][0]["session_id"] == session_id
    district = api.http.get(f"{BASE}/reports/allowance?from={seeded}&to={seeded}&district_id={MUMBAI}",
                            headers=as_(MUMBAI_ADMIN))
    assert district.json_body["total_doses"] == 2
    csv = api.http.get(f"{BASE}/reports/allowance?from={seeded}&to={seeded}&format=csv", headers=as_(FACILITY_ADMIN))
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.body.decode().splitlines() == ["date,center_id,session_id,vaccinator,vaccinator_name,doses",
                                              f"{seeded},100001,{session_id},******0006,Vikram Vaccinator,2"]
    assert AllowanceItem.count(100001) == 1
    for path, who in ((f"district_id={MUMBAI}", BBMP_ADMIN), ("center_id=100001", BBMP_ADMIN),
                      ("center_id=100002", FACILITY_ADMIN)):
        answer = api.http.get(f"{BASE}/reports/allowance?from={seeded}&to={seeded}&{path}", headers=as_(who))
        assert answer.status_code == 403, (path, who)
    assert api.http.get(f"{BASE}/reports/allowance?from={seeded}&to={seeded}&district_id={BBMP}",
                        headers=as_(BBMP_ADMIN)).json_body["total_doses"] == 0
    far = (day_of(seeded) + timedelta(days=40)).strftime("%d-%m-%Y")
    too_long = api.http.get(f"{BASE}/reports/allowance?from={seeded}&to={far}", headers=as_(FACILITY_ADMIN))
    assert too_long.status_code == 400 and too_long.json_body["errorCode"] == "VACCIN0018"
    assert api.http.get(f"{BASE}/reports/allowance?from={seeded}&to={seeded}",
                        headers=as_(VACCINATOR)).status_code == 403


def test_the_door_check_walk_in_and_report_make_the_calls_documented(api, booked, as_, seeded):
    b = booked
    verifier, vaccinator, admin = as_(VERIFIER), as_(VACCINATOR), as_(FACILITY_ADMIN)
    with count_dynamodb_calls() as calls:
        post(api, f"{BASE}/verify", door(b["appointment_id"], b["ref"], b["session_id"], b["code"]), verifier)
    assert calls == {"TransactGetItems": 1, "UpdateItem": 2}  # the attempt counted, then the verification
    body = {**person(7), "mobile": OTHER_CITIZEN, **dose("", b["session_id"])}
    del body["beneficiary_reference_id"]
    with count_dynamodb_calls() as calls:
        assert post(api, f"{BASE}/walkin", body, vaccinator).status_code == 201
    assert calls == {"TransactGetItems": 1, "TransactWriteItems": 1}
    with count_dynamodb_calls() as calls:
        api.http.get(f"{BASE}/reports/allowance?from={seeded}&to={seeded}", headers=admin)
    assert calls == {"GetItem": 1, "Query": 1, "BatchGetItem": 1}  # the centre (its place), counts, names
