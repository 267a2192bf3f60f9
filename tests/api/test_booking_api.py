"""Booking through the API on the demo data: schedule, reschedule, cancel, and every rule."""
from datetime import datetime, timedelta

import pytest

from chalicelib.store.planning import SessionItem
from local import carrier as local_carrier
from local import dispatcher
from local.metering import count_dynamodb_calls
from tests.helpers import bearer, login, person, post

MOBILE, OTHER = "9876543210", "9876543211"
PUBLIC = "/v2/appointment/sessions/public"


def shift(day: str, days: int) -> str:
    return (datetime.strptime(day, "%d-%m-%Y").date() + timedelta(days=days)).strftime("%d-%m-%Y")


@pytest.fixture
def citizen(api, seeded):
    return bearer(login(api, MOBILE))


def register(api, headers, seed, **overrides) -> str:
    response = post(api, "/v2/registration/beneficiary/new", person(seed, **overrides), headers)
    assert response.status_code == 200, response.body
    return response.json_body["beneficiary_reference_id"]


def session_at(api, pincode: int, day: str, vaccine: str = "COVISHIELD") -> dict:
    sessions = api.http.get(f"{PUBLIC}/findByPin?pincode={pincode}&date={day}").json_body["sessions"]
    return next(s for s in sessions if s["vaccine"] == vaccine)


def schedule(api, headers, session_id, refs, slot="09:00AM-11:00AM", dose=1):
    return post(api, "/v2/appointment/schedule", {"dose": dose, "session_id": session_id, "slot": slot,
                                                  "beneficiaries": refs}, headers)


def beneficiaries(api, headers) -> dict:
    listed = api.http.get("/v2/appointment/beneficiaries", headers=headers).json_body["beneficiaries"]
    return {b["beneficiary_reference_id"]: b for b in listed}


def test_a_family_books_together_and_sees_its_appointment(api, seeded, citizen):
    refs = [register(api, citizen, n) for n in (1, 2)]
    session = session_at(api, 400059, seeded)
    response = schedule(api, citizen, session["session_id"], refs, dose="1")
    assert response.status_code == 200, response.body
    appointment_id = response.json_body["appointment_id"]
    assert response.json_body == {"appointment_confirmation_no": appointment_id, "appointment_id": appointment_id}
    after = session_at(api, 400059, seeded)
    assert after["available_capacity_dose1"] == session["available_capacity_dose1"] - 2
    item = SessionItem.get(session["session_id"])
    assert [int(s.booked) for s in item.slots][0] == 2
    [appointment] = beneficiaries(api, citizen)[refs[0]]["appointments"]
    assert appointment == {
        "appointment_id": appointment_id, "center_id": 100001, "name": "Seven Hills Hospital",
        "state_name": "Maharashtra", "district_name": "Mumbai", "block_name": "Andheri East", "from": "09:00:00",
        "to": "18:00:00", "dose": 1, "session_id": session["session_id"], "date": seeded, "slot": "09:00AM-11:00AM"}
    assert "security_code" not in str(beneficiaries(api, citizen))
    from app import app

    dispatcher.drain(app)
    sms = local_carrier.messages_for(MOBILE)[-1]["message"]
    assert appointment_id in sms and "Security code: " in sms and "Seven Hills Hospital" in sms


def test_booking_is_a_rate_count_one_consistent_read_and_one_transaction(api, seeded, citizen):
    from chalicelib.config import get_settings
    from chalicelib.services import surge

    ref = register(api, citizen, 1)
    session = session_at(api, 400059, seeded)
    surge.is_on(get_settings())  # the surge switch is read once per container every few seconds, not per request
    with count_dynamodb_calls() as calls:
        assert schedule(api, citizen, session["session_id"], [ref]).status_code == 200
    assert calls == {"UpdateItem": 1, "TransactGetItems": 1, "TransactWriteItems": 1, "Query": 1}  # + its alerts


def test_booking_attempts_are_rate_limited_per_mobile(api, seeded, citizen, monkeypatch):
    import time
    from types import SimpleNamespace

    from chalicelib.config import get_settings

    # Every attempt at one instant, so in one fixed window: a run across the window's edge starts a new count.
    start = time.time()
    monkeypatch.setattr("chalicelib.api.http.time", SimpleNamespace(time=lambda: start))
    limit = get_settings().country.booking_attempts_per_window
    answers = [post(api, "/v2/appointment/schedule", {"dose": 1}, citizen) for _ in range(limit + 1)]
    assert {a.status_code for a in answers[:limit]} == {400}
    assert answers[-1].status_code == 429 and answers[-1].json_body["errorCode"] == "USRRES0429"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= get_settings().country.booking_window_seconds
    other = bearer(login(api, OTHER))
    assert post(api, "/v2/appointment/schedule", {"dose": 1}, other).status_code == 400  # per mobile


def test_one_appointment_per_dose(api, seeded, citizen):
    ref = register(api, citizen, 1)
    first = session_at(api, 400059, seeded)
    assert schedule(api, citizen, first["session_id"], [ref]).status_code == 200
    again = schedule(api, citizen, session_at(api, 400012, seeded)["session_id"], [ref])
    assert again.status_code == 409 and again.json_body["errorCode"] == "APPOIN0024"


@pytest.mark.parametrize("change, status, code", [
    ({"slot": "07:00AM-08:00AM"}, 400, "APPOIN0015"),
    ({"dose": 4}, 400, "APPOIN0011"),
    ({"dose": "x"}, 400, "APPOIN0011"),
    ({"dose": 2}, 400, "APPOIN0021"),
    ({"session_id": "nope"}, 400, "APPOIN0013"),
    ({"center_id": 100002}, 400, "APPOIN0013"),
    ({"center_id": "x"}, 400, "USRRES0003"),
    ({"beneficiaries": []}, 400, "USRRES0001"),
    ({"beneficiaries": ["1", "2"]}, 400, "BENREG0009"),
    ({"beneficiaries": ["12345678901234"] * 5}, 400, "APPOIN0012"),
    ({"slot": None}, 400, "USRRES0001"),
])
def test_bad_requests_get_their_own_codes(api, seeded, citizen, change, status, code):
    ref = register(api, citizen, 1)
    body = {"dose": 1, "session_id": session_at(api, 400059, seeded)["session_id"], "slot": "09:00AM-11:00AM",
            "beneficiaries": [ref], **change}
    response = post(api, "/v2/appointment/schedule", body, citizen)
    assert (response.status_code, response.json_body["errorCode"]) == (status, code), response.body


def test_age_limits_apply_on_the_session_date(api, seeded, citizen):
    young, old = register(api, citizen, 1, birth_year="1995"), register(api, citizen, 2, birth_year="1960")
    covaxin = session_at(api, 400059, seeded, "COVAXIN")  # 45+
    refused = schedule(api, citizen, covaxin["session_id"], [young, old])
    assert refused.status_code == 400 and refused.json_body["errorCode"] == "APPOIN0020"
    assert schedule(api, citizen, covaxin["session_id"], [old]).status_code == 200
    covishield = session_at(api, 400059, seeded)  # 18-44
    assert schedule(api, citizen, covishield["session_id"], [old]).json_body["errorCode"] in ("APPOIN0020",
                                                                                            "APPOIN0024")


def test_someone_elses_beneficiary_cannot_be_booked(api, seeded, citizen):
    stranger = register(api, bearer(login(api, OTHER)), 9)
    response = schedule(api, citizen, session_at(api, 400059, seeded)["session_id"], [stranger])
    assert response.status_code == 400 and response.json_body["errorCode"] == "BENREG0009"


def test_a_full_slot_is_409_appoin0040_and_nothing_is_taken(api, seeded, citizen):
    refs = [register(api, citizen, n) for n in (1, 2)]
    session = session_at(api, 400059, seeded)
    item = SessionItem.get(session["session_id"])
    slots = item.slots
    slots[0].booked = int(slots[0].capacity) - 1
    item.update(actions=[SessionItem.slots.set(slots)])
    full = schedule(api, citizen, session["session_id"], refs)
    assert full.status_code == 409 and full.json_body["errorCode"] == "APPOIN0040"
    assert SessionItem.get(session["session_id"]).booked_dose1 == 0
    assert all(not b["appointments"] for b in beneficiaries(api, citizen).values())
    assert schedule(api, citizen, session["session_id"], refs[:1]).status_code == 200


def test_a_cancelled_or_past_session_cannot_be_booked(api, seeded, citizen):
    ref = register(api, citizen, 1)
    session = session_at(api, 400059, shift(seeded, 1))
    SessionItem(session["session_id"]).update(actions=[SessionItem.status.set("CANCELLED")])
    response = schedule(api, citizen, session["session_id"], [ref])
    assert response.status_code == 409 and response.json_body["errorCode"] == "PLANNG0012"
    past = SessionItem.get(session_at(api, 400012, seeded)["session_id"])
    past.update(actions=[SessionItem.date.set("2021-05-01")])
    assert schedule(api, citizen, past.session_id, [ref]).json_body["errorCode"] == "APPOIN0017"


def test_reschedule_moves_the_seats_and_counts(api, seeded, citizen):
    ref = register(api, citizen, 1)
    first, second = session_at(api, 400059, seeded), session_at(api, 400012, shift(seeded, 1))
    appointment_id = schedule(api, citizen, first["session_id"], [ref]).json_body["appointment_id"]
    moved = post(api, "/v2/appointment/reschedule", {"appointment_id": appointment_id,
                                                     "session_id": second["session_id"], "slot": "01:00PM-03:00PM"},
                 citizen)
    assert moved.status_code == 204, moved.body
    assert SessionItem.get(first["session_id"]).booked_dose1 == 0
    target = SessionItem.get(second["session_id"])
    assert target.booked_dose1 == 1 and [int(s.booked) for s in target.slots] == [0, 0, 1, 0]
    [appointment] = beneficiaries(api, citizen)[ref]["appointments"]
    assert appointment["session_id"] == second["session_id"] and appointment["slot"] == "01:00PM-03:00PM"
    same_session = post(api, "/v2/appointment/reschedule", {"appointment_id": appointment_id,
                                                            "session_id": second["session_id"],
                                                            "slot": "03:00PM-06:00PM"}, citizen)
    assert same_session.status_code == 204
    target = SessionItem.get(second["session_id"])
    assert target.booked_dose1 == 1 and [int(s.booked) for s in target.slots] == [0, 0, 0, 1]


def test_reschedule_limit(api, seeded, citizen):
    ref = register(api, citizen, 1)
    session = session_at(api, 400059, seeded)
    appointment_id = schedule(api, citizen, session["session_id"], [ref]).json_body["appointment_id"]
    slots = ["11:00AM-01:00PM", "01:00PM-03:00PM", "03:00PM-06:00PM", "09:00AM-11:00AM"]
    statuses = [post(api, "/v2/appointment/reschedule", {"appointment_id": appointment_id,
                                                         "session_id": session["session_id"], "slot": slot},
                     citizen) for slot in slots]
    assert [r.status_code for r in statuses] == [204, 204, 204, 409]
    assert statuses[-1].json_body["errorCode"] == "APPOIN0026"


def test_cancel_gives_capacity_back_exactly_once(api, seeded, citizen):
    refs = [register(api, citizen, n) for n in (1, 2)]
    session = session_at(api, 400059, seeded)
    appointment_id = schedule(api, citizen, session["session_id"], refs).json_body["appointment_id"]
    body = {"appointment_id": appointment_id, "beneficiariesToCancel": refs[:1]}
    assert post(api, "/v2/appointment/cancel", body, citizen).status_code == 204
    again = post(api, "/v2/appointment/cancel", body, citizen)
    assert again.status_code == 409 and again.json_body["errorCode"] == "APPOIN0027"
    item = SessionItem.get(session["session_id"])
    assert item.booked_dose1 == 1 and int(item.slots[0].booked) == 1
    listed = beneficiaries(api, citizen)
    assert listed[refs[0]]["appointments"] == [] and len(listed[refs[1]]["appointments"]) == 1
    # The freed dose can be booked again.
    assert schedule(api, citizen, session["session_id"], refs[:1]).status_code == 200
    assert post(api, "/v2/appointment/cancel", {"appointment_id": appointment_id,
                                                "beneficiariesToCancel": refs[:1]},
                bearer(login(api, OTHER))).status_code == 404


def test_cancelling_a_session_cancels_its_bookings_and_texts_each_citizen(api, seeded, citizen):
    from app import app

    ref = register(api, citizen, 1)
    other = bearer(login(api, OTHER))
    other_ref = register(api, other, 2)
    session = session_at(api, 400059, shift(seeded, 2))
    schedule(api, citizen, session["session_id"], [ref])
    schedule(api, other, session["session_id"], [other_ref], slot="11:00AM-01:00PM")
    dispatcher.drain(app)
    officer = bearer(login(api, "9000000005"))
    assert post(api, f"/v2/admin/sessions/{session['session_id']}/cancel", {}, officer).status_code == 200
    dispatcher.drain(app)
    for mobile, headers, reference in ((MOBILE, citizen, ref), (OTHER, other, other_ref)):
        assert "is cancelled" in local_carrier.messages_for(mobile)[-1]["message"]
        assert beneficiaries(api, headers)[reference]["appointments"] == []
    # Free to book elsewhere.
    assert schedule(api, citizen, session_at(api, 400012, seeded)["session_id"], [ref]).status_code == 200


def test_booking_needs_a_login(api):
    for path in ("schedule", "reschedule", "cancel"):
        response = post(api, f"/v2/appointment/{path}", {}, {})
        assert response.status_code == 401 and response.body == b"Unauthenticated access!"


def test_a_beneficiary_with_an_appointment_cannot_be_deleted(api, seeded, citizen):
    ref = register(api, citizen, 1)
    appointment_id = schedule(api, citizen, session_at(api, 400059, seeded)["session_id"], [ref]).json_body[
        "appointment_id"]
    refused = post(api, "/v2/registration/beneficiary/delete", {"beneficiary_reference_id": ref}, citizen)
    assert refused.status_code == 409 and refused.json_body["errorCode"] == "BENREG0019"
    post(api, "/v2/appointment/cancel", {"appointment_id": appointment_id, "beneficiariesToCancel": [ref]}, citizen)
    assert post(api, "/v2/registration/beneficiary/delete", {"beneficiary_reference_id": ref},
                citizen).status_code == 204


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(api, seeded, citizen):
    ref = register(api, citizen, 1)
    session = session_at(api, 400059, seeded)
    body = {"dose": 1, "session_id": session["session_id"], "slot": "09:00AM-11:00AM", "beneficiaries": [ref]}
    key = {**citizen, "Idempotency-Key": "phone-retry-1"}
    first, retry = (post(api, "/v2/appointment/schedule", body, key) for _ in range(2))
    assert first.status_code == retry.status_code == 200
    assert first.json_body == retry.json_body
    assert SessionItem.get(session["session_id"]).booked_dose1 == 1
    other_body = post(api, "/v2/appointment/schedule", {**body, "slot": "11:00AM-01:00PM"}, key)
    assert other_body.status_code == 422 and other_body.json_body["errorCode"] == "USRRES0422"
    # Without the key, the same request is a second attempt (and refused: one appointment per dose).
    assert schedule(api, citizen, session["session_id"], [ref]).json_body["errorCode"] == "APPOIN0024"
    cancel = {"appointment_id": first.json_body["appointment_id"], "beneficiariesToCancel": [ref]}
    cancel_key = {**citizen, "Idempotency-Key": "cancel-1"}
    assert [post(api, "/v2/appointment/cancel", cancel, cancel_key).status_code for _ in range(2)] == [204, 204]
    # A failure is not remembered: the retry runs again (and is refused for the same reason).
    refused = {**citizen, "Idempotency-Key": "refused-1"}
    assert [post(api, "/v2/appointment/schedule", {**body, "slot": "nope"}, refused).json_body["errorCode"]
            for _ in range(2)] == ["APPOIN0015", "APPOIN0015"]
    assert post(api, "/v2/appointment/schedule", body, {**citizen, "Idempotency-Key": "x" * 129}).status_code == 400


def test_the_appointment_slip_is_a_pdf_with_the_security_code(api, seeded, citizen):
    refs = [register(api, citizen, n, name=name) for n, name in ((1, "Asha Rao"), (2, "Ravi Rao"))]
    appointment_id = schedule(api, citizen, session_at(api, 400059, seeded)["session_id"], refs).json_body[
        "appointment_id"]
    from chalicelib.services.booking import security_code_of

    code = security_code_of(appointment_id)
    response = api.http.get(f"/v2/appointment/appointmentslip/download?appointment_id={appointment_id}",
                            headers={**citizen, "Accept": "*/*"})  # as curl, requests and httpx send
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.body.startswith(b"%PDF-")
    text = pdf_text(response.body)
    for expected in (appointment_id, "Seven Hills Hospital", seeded, "09:00AM-11:00AM", code, "Asha Rao",
                     "Ravi Rao", refs[0]):
        assert expected in text
    other = bearer(login(api, OTHER))
    missing = api.http.get(f"/v2/appointment/appointmentslip/download?appointment_id={appointment_id}",
                           headers={**other, "Accept": "application/pdf"})
    assert missing.status_code == 404 and missing.json_body["errorCode"] == "APPOIN0025"


def pdf_text(pdf: bytes) -> str:
    """The text a reader extracts from every page (PDFium, as browsers read it)."""
    import pypdfium2

    return " ".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))


@pytest.fixture
def captcha_country(monkeypatch):
    """Settings are read once; this country requires the captcha, for one test."""
    import json

    from chalicelib.config import get_settings

    monkeypatch.setenv("TEEKA_COUNTRY_PROFILE", json.dumps({"captcha_required": True}))
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_captcha_when_the_country_requires_it(api, seeded, citizen, captcha_country):
    import re as regex

    ref = register(api, citizen, 1)
    session = session_at(api, 400059, seeded)
    body = {"dose": 1, "session_id": session["session_id"], "slot": "09:00AM-11:00AM", "beneficiaries": [ref]}
    assert post(api, "/v2/appointment/schedule", body, citizen).json_body["errorCode"] == "APPOIN0029"
    def new_captcha() -> str:
        svg = post(api, "/v2/auth/getRecaptcha", {}, citizen).json_body["captcha"]
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        answer = "".join(regex.findall(r">([A-Z0-9])</text>", svg))
        assert len(answer) == 5
        return answer

    answer = new_captcha()
    assert post(api, "/v2/appointment/schedule", {**body, "captcha": "WRONG"}, citizen).status_code == 400
    # A captcha answers one guess: after a wrong one, even the right answer needs a new captcha.
    assert post(api, "/v2/appointment/schedule", {**body, "captcha": answer}, citizen).status_code == 400
    answer = new_captcha()
    assert post(api, "/v2/appointment/schedule", {**body, "captcha": answer.lower()}, citizen).status_code == 200
    again = post(api, "/v2/appointment/schedule", {**body, "captcha": answer}, citizen)
    assert again.json_body["errorCode"] == "APPOIN0029"


def test_the_optional_centre_id_is_accepted_when_it_matches(api, seeded, citizen):
    ref = register(api, citizen, 1)
    body = {"dose": 1, "session_id": session_at(api, 400059, seeded)["session_id"], "slot": "09:00AM-11:00AM",
            "beneficiaries": [ref], "center_id": "100001", "captcha": ""}
    assert post(api, "/v2/appointment/schedule", body, citizen).status_code == 200
