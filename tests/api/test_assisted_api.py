"""Assisted registration through the API (docs/assisted-registration.md): operators made by the area
admins; the citizen's consent by the OTP texted to their own mobile; registering, listing, booking and
cancelling for them under it, in the operator's area only; the audit trail; the operator's daily limit;
and the SMS that tells the citizen who acted for them."""
from __future__ import annotations

import json
import time

import pytest

from chalicelib.config import get_settings
from chalicelib.store.assisted import AssistedActionItem
from chalicelib.store.auth import StaffItem
from chalicelib.store.booking import AppointmentItem
from chalicelib.store.limits import RateItem
from chalicelib.store.registration import BeneficiaryItem
from local import carrier as local_carrier
from local import dispatcher
from tests.api.test_vaccination_api import SLOT, session_at
from tests.helpers import bearer, last_otp, login, person, post, sha256

OPERATOR = "9000000020"  # the demo operator: Omkar Operator, CSC Andheri East, Mumbai (local/seed.py)
NATIONAL, MAHARASHTRA_ADMIN, MUMBAI_ADMIN, BBMP_ADMIN = "9000000001", "9000000002", "9000000003", "9000000004"
VACCINATOR = "9000000006"
CITIZEN, OTHER_CITIZEN = "9876543210", "9876543211"
HEADER = "X-Consent-Token"
NEW, LIST = "/v2/assisted/beneficiary/new", "/v2/assisted/beneficiaries"
SCHEDULE, CANCEL = "/v2/assisted/appointment/schedule", "/v2/assisted/appointment/cancel"
CONSENT, CONFIRM = "/v2/assisted/consent", "/v2/assisted/consent/confirm"
OPERATORS, DEACTIVATE, ACTIONS = "/v2/admin/operators", "/v2/admin/operators/deactivate", "/v2/admin/operators/actions"
RESEND = 181  # past the OTP resend interval: a consent OTP and a login OTP share the mobile's


@pytest.fixture
def country(monkeypatch):
    """`country(field=value, ...)`: this test's country pack, with those fields changed."""
    def override(**fields) -> None:
        monkeypatch.setenv("TEEKA_COUNTRY_PROFILE", json.dumps(fields))
        get_settings.cache_clear()

    yield override
    monkeypatch.undo()
    get_settings.cache_clear()


def drain():
    from app import app

    dispatcher.drain(app)


def ask_consent(api, operator: dict, mobile: str = CITIZEN) -> str:
    answer = post(api, CONSENT, {"mobile": mobile}, operator)
    assert answer.status_code == 200, answer.body
    return answer.json_body["txnId"]


def consent(api, operator: dict, mobile: str = CITIZEN) -> dict:
    """The operator's headers with a fresh consent of `mobile`'s owner, who read the OTP out to them."""
    txn = ask_consent(api, operator, mobile)
    answer = post(api, CONFIRM, {"txnId": txn, "otp": sha256(last_otp(mobile))}, operator)
    assert answer.status_code == 200, answer.body
    return {**operator, HEADER: answer.json_body["consent"]}


def register(api, acting: dict, seed: int) -> str:
    answer = post(api, NEW, person(seed), acting)
    assert answer.status_code == 200, answer.body
    return answer.json_body["beneficiary_reference_id"]


def schedule(session_id: str, refs: list[str], dose: int = 1) -> dict:
    return {"dose": dose, "session_id": session_id, "slot": SLOT, "beneficiaries": refs}


def records(operator: str = OPERATOR) -> list[AssistedActionItem]:
    return list(AssistedActionItem.query(operator, consistent_read=True))


def day_count(operator: str = OPERATOR) -> int:
    """The operator's actions counted today (their local day), as the limit reads them."""
    from chalicelib.domain.assisted import actions_today

    window = actions_today(get_settings().country, operator, int(time.time()))
    try:
        return int(RateItem.get(window.key, consistent_read=True).hits)
    except RateItem.DoesNotExist:
        return 0


def texts(mobile: str) -> list[str]:
    drain()
    return [message["message"] for message in local_carrier.messages_for(mobile)]


# -- the journey --------------------------------------------------------------------------------------

def test_an_operator_registers_books_and_cancels_for_a_consenting_citizen_who_is_told_each_time(api, seeded, as_):
    operator = as_(OPERATOR)
    acting = consent(api, operator)
    [otp_text] = texts(CITIZEN)
    assert otp_text.startswith(last_otp(CITIZEN)) and "Omkar Operator of CSC Andheri East" in otp_text
    assert "register you and book or cancel your vaccination appointments, for 15 minutes" in otp_text

    ref = register(api, acting, 1)
    assert [b["beneficiary_reference_id"] for b in api.http.get(LIST, headers=acting).json_body["beneficiaries"]] \
        == [ref]
    booked = post(api, SCHEDULE, schedule(session_at(seeded), [ref]), acting)
    assert booked.status_code == 200, booked.body
    appointment_id = booked.json_body["appointment_id"]
    [listed] = api.http.get(LIST, headers=acting).json_body["beneficiaries"]
    assert listed["appointments"][0]["appointment_id"] == appointment_id
    assert post(api, CANCEL, {"appointment_id": appointment_id, "beneficiariesToCancel": [ref]},
                acting).status_code == 204

    sms = texts(CITIZEN)[1:]
    assert sms[0] == f"Teeka: Omkar Operator of CSC Andheri East registered beneficiary ****{ref[-4:]} on your " \
                     "mobile number with your OTP."
    assert sms[1].startswith(f"Teeka: Omkar Operator of CSC Andheri East booked appointment {appointment_id}, dose 1")
    assert "Security code: " in sms[1]
    assert sms[2] == f"Teeka: Omkar Operator of CSC Andheri East cancelled appointment {appointment_id} for 1 " \
                     "beneficiary."
    assert len(sms) == 3

    # The person is the citizen's own: on their mobile, their list, their count.
    assert BeneficiaryItem.get(ref).mobile == CITIZEN
    assert [item.status for item in AppointmentItem.query(appointment_id)] == ["CANCELLED"]


def test_the_citizen_reads_who_acted_for_them(api, seeded, as_, clock):
    citizen = as_(CITIZEN)  # logged in first: the consent's OTP then waits out the resend interval
    clock.advance(RESEND)
    acting = consent(api, as_(OPERATOR))
    ref = register(api, acting, 1)
    appointment_id = post(api, SCHEDULE, schedule(session_at(seeded), [ref]), acting).json_body["appointment_id"]
    actions = api.http.get("/v2/assisted/actions", headers=citizen).json_body["actions"]
    assert sorted(action["action"] for action in actions) == ["book", "consent", "register"]
    assert {(a["operator_name"], a["desk"], a["operator"]) for a in actions} == {
        ("Omkar Operator", "CSC Andheri East", "******0020")}
    book = next(a for a in actions if a["action"] == "book")
    assert book["beneficiaries"] == [ref] and book["appointment_id"] == appointment_id and book["center_id"] == 100001
    assert book["at"].endswith("+05:30")
    assert api.http.get("/v2/assisted/actions", headers=as_(OTHER_CITIZEN)).json_body == {"actions": []}


# -- consent --------------------------------------------------------------------------------------------

def refused_without_consent(api, headers: dict, seeded, ref: str, appointment_id: str) -> None:
    """Every action answers ASSIST0001 with these headers, and nothing is written."""
    before = (len(records()), day_count())
    for answer in (post(api, NEW, person(50), headers), api.http.get(LIST, headers=headers),
                   post(api, SCHEDULE, schedule(session_at(seeded, days=1), [ref]), headers),
                   post(api, CANCEL, {"appointment_id": appointment_id, "beneficiariesToCancel": [ref]}, headers)):
        assert answer.status_code == 403 and answer.json_body["errorCode"] == "ASSIST0001", answer.body
    assert (len(records()), day_count()) == before
    assert [item.status for item in AppointmentItem.query(appointment_id)] == ["BOOKED"]


@pytest.fixture
def booked_by_operator(api, seeded, as_):
    acting = consent(api, as_(OPERATOR))
    ref = register(api, acting, 1)
    appointment_id = post(api, SCHEDULE, schedule(session_at(seeded), [ref]), acting).json_body["appointment_id"]
    return acting, ref, appointment_id


def test_no_consent_a_forged_one_or_a_login_token_is_refused(api, seeded, as_, booked_by_operator):
    from chalicelib.domain.assisted import Consent
    from chalicelib.services import tokens

    _, ref, appointment_id = booked_by_operator
    operator = as_(OPERATOR)
    forged = tokens.issue_consent(Consent("x", OPERATOR, CITIZEN, "Omkar", "CSC", int(time.time()),
                                          int(time.time()) + 900), b"not the stage's key")
    login_token = operator["Authorization"].split()[1]
    for headers in (operator, {**operator, HEADER: forged}, {**operator, HEADER: login_token},
                    {**operator, HEADER: ""}, {**operator, HEADER: "x" * 250}):
        refused_without_consent(api, headers, seeded, ref, appointment_id)


def test_a_consent_serves_only_the_operator_it_was_given_to(api, seeded, as_, booked_by_operator):
    acting, ref, appointment_id = booked_by_operator
    # A second operator of Mumbai, made by its district admin, presents the demo operator's consent.
    assert post(api, OPERATORS, {"mobile": "9000000021", "name": "Ila Operator", "desk": "CSC Kurla",
                                 "district_id": 395}, as_(MUMBAI_ADMIN)).status_code == 201
    other = as_("9000000021")
    refused_without_consent(api, {**other, HEADER: acting[HEADER]}, seeded, ref, appointment_id)
    # A consent is no login: it never passes for a bearer token.
    answer = api.http.get("/v2/appointment/beneficiaries", headers=bearer(acting[HEADER]))
    assert answer.status_code == 401


def test_an_expired_consent_is_refused(api, seeded, as_, clock, country):
    country(operator_consent_seconds=300)
    acting = consent(api, as_(OPERATOR))
    ref = register(api, acting, 1)
    appointment_id = post(api, SCHEDULE, schedule(session_at(seeded), [ref]), acting).json_body["appointment_id"]
    clock.advance(299)
    assert api.http.get(LIST, headers=acting).status_code == 200
    clock.advance(1)
    refused_without_consent(api, acting, seeded, ref, appointment_id)


def test_a_consent_reaches_only_its_own_mobiles_beneficiaries_and_appointments(api, seeded, as_, clock):
    other = as_(OTHER_CITIZEN)  # a citizen who registered and booked on their own phone
    others = post(api, "/v2/registration/beneficiary/new", person(2), other).json_body["beneficiary_reference_id"]
    their_appointment = post(api, "/v2/appointment/schedule", schedule(session_at(seeded), [others]),
                             other).json_body["appointment_id"]
    acting = consent(api, as_(OPERATOR))  # the consent of CITIZEN, not of OTHER_CITIZEN
    mine = register(api, acting, 1)

    assert [b["beneficiary_reference_id"] for b in api.http.get(LIST, headers=acting).json_body["beneficiaries"]] \
        == [mine]
    answer = post(api, SCHEDULE, schedule(session_at(seeded), [others]), acting)
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "BENREG0009"
    answer = post(api, SCHEDULE, schedule(session_at(seeded), [mine, others]), acting)
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "BENREG0009"
    answer = post(api, CANCEL, {"appointment_id": their_appointment, "beneficiariesToCancel": [others]}, acting)
    assert answer.status_code == 404 and answer.json_body["errorCode"] == "APPOIN0025"
    assert [item.status for item in AppointmentItem.query(their_appointment)] == ["BOOKED"]
    assert {item.citizen for item in records()} == {CITIZEN}
    assert api.http.get("/v2/assisted/actions", headers=other).json_body == {"actions": []}


def test_the_consent_otp_is_judged_like_a_login_otp_and_never_logs_anyone_in(api, seeded, as_):
    operator = as_(OPERATOR)
    txn = ask_consent(api, operator)
    right = sha256(last_otp(CITIZEN))
    # Not a login: the login routes refuse it, and spend none of its tries.
    for path in ("/v2/auth/confirmOTP", "/v2/auth/public/confirmOTP", "/v2/auth/validateMobileOtp"):
        answer = post(api, path, {"txnId": txn, "otp": right})
        assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRAUT0014"
    # Nor another operator's: they spend none of its tries either.
    post(api, OPERATORS, {"mobile": "9000000021", "name": "Ila Operator", "desk": "CSC Kurla", "district_id": 395},
         as_(MUMBAI_ADMIN))
    answer = post(api, CONFIRM, {"txnId": txn, "otp": right}, as_("9000000021"))
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRAUT0014"
    # Its own operator's wrong guesses spend them: two wrong, then the right one still works, once.
    for guess in (sha256("000000"), sha256("111111")):
        assert post(api, CONFIRM, {"txnId": txn, "otp": guess}, operator).json_body["errorCode"] == "USRAUT0014"
    given = post(api, CONFIRM, {"txnId": txn, "otp": right}, operator)
    assert given.status_code == 200 and given.json_body["mobile"] == "******3210"
    assert given.json_body["expires_in"] == 900
    used = post(api, CONFIRM, {"txnId": txn, "otp": right}, operator)
    assert used.status_code == 400 and used.json_body["errorCode"] == "USRAUT0014"
    assert [item.action for item in records()] == ["consent"]  # recorded once, when given


def test_three_wrong_guesses_use_up_the_consent_otp(api, seeded, as_):
    operator = as_(OPERATOR)
    txn = ask_consent(api, operator)
    for guess in ("000000", "111111", "222222"):
        assert post(api, CONFIRM, {"txnId": txn, "otp": sha256(guess)}, operator).status_code == 400
    answer = post(api, CONFIRM, {"txnId": txn, "otp": sha256(last_otp(CITIZEN))}, operator)
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRAUT0014"
    assert records() == []


def test_an_expired_consent_otp_is_refused_alike(api, seeded, as_, clock):
    operator = as_(OPERATOR)
    txn = ask_consent(api, operator)
    clock.advance(get_settings().country.otp_validity_seconds)
    answer = post(api, CONFIRM, {"txnId": txn, "otp": sha256(last_otp(CITIZEN))}, operator)
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRAUT0014"


def test_the_mobiles_resend_interval_and_hourly_sends_hold_for_consents_too(api, seeded, as_, clock):
    operator = as_(OPERATOR)
    as_(CITIZEN)  # the citizen just logged in: their mobile had an OTP
    answer = post(api, CONSENT, {"mobile": CITIZEN}, operator)
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRAUT0018"
    clock.advance(RESEND)
    ask_consent(api, operator)
    answer = post(api, CONSENT, {"mobile": CITIZEN}, operator)
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRAUT0018"
    assert len(texts(CITIZEN)) == 2  # the login's, the consent's


def test_an_operators_consent_requests_are_limited_per_day(api, seeded, as_, country):
    country(operator_consent_requests_per_day=2)
    operator = as_(OPERATOR)
    ask_consent(api, operator, "9811200001")
    ask_consent(api, operator, "9811200002")
    answer = post(api, CONSENT, {"mobile": "9811200003"}, operator)
    assert answer.status_code == 429 and answer.json_body["errorCode"] == "USRRES0429"
    assert 1 <= int(answer.headers["Retry-After"]) <= 24 * 3600
    assert local_carrier.messages_for("9811200003") == []  # nobody texted
    assert post(api, "/v2/auth/generateOTP", {"mobile": "9811200003"}).status_code == 200  # its slot is free


def test_only_an_active_operator_asks_for_consent(api, seeded, as_):
    operator = as_(OPERATOR)
    assert post(api, DEACTIVATE, {"mobile": OPERATOR}, as_(MUMBAI_ADMIN)).status_code == 200
    # The token still says operator for its few minutes; the staff record does not.
    answer = post(api, CONSENT, {"mobile": CITIZEN}, operator)
    assert answer.status_code == 403 and answer.json_body["errorCode"] == "ASSIST0003"
    assert local_carrier.messages_for(CITIZEN) == []


def test_consent_inputs_are_checked(api, seeded, as_):
    operator = as_(OPERATOR)
    for body, code in (({}, "USRRES0001"), ({"mobile": "12345"}, "USRAUT0001"), ({"mobile": ["9876543210"]},
                                                                                  "USRAUT0001")):
        answer = post(api, CONSENT, body, operator)
        assert answer.status_code == 400 and answer.json_body["errorCode"] == code, (body, answer.body)
    for body, code in (({"txnId": "x"}, "USRAUT0012"), ({"txnId": "x", "otp": "123456"}, "USRAUT0014"),
                       ({"otp": sha256("123456")}, "USRRES0001"),
                       ({"txnId": "no-such", "otp": sha256("123456")}, "USRAUT0014")):
        answer = post(api, CONFIRM, body, operator)
        assert answer.status_code == 400 and answer.json_body["errorCode"] == code, (body, answer.body)


# -- the area -------------------------------------------------------------------------------------------

def test_an_operator_books_and_cancels_only_in_their_area(api, seeded, as_, clock):
    other = as_(OTHER_CITIZEN)
    bengaluru = session_at(seeded, center_id=200001)
    theirs = post(api, "/v2/registration/beneficiary/new", person(2), other).json_body["beneficiary_reference_id"]
    clock.advance(RESEND)
    acting = consent(api, as_(OPERATOR), OTHER_CITIZEN)
    ref = register(api, acting, 1)
    before = (len(records()), day_count())
    answer = post(api, SCHEDULE, schedule(bengaluru, [ref]), acting)
    assert answer.status_code == 403 and answer.json_body["errorCode"] == "USRAUT0022"
    assert (len(records()), day_count()) == before
    assert BeneficiaryItem.get(ref).appointment_dose1 is None
    # The citizen booked Bengaluru on their own phone: the operator of Mumbai cannot cancel it.
    appointment_id = post(api, "/v2/appointment/schedule", schedule(bengaluru, [theirs]),
                          other).json_body["appointment_id"]
    answer = post(api, CANCEL, {"appointment_id": appointment_id, "beneficiariesToCancel": [theirs]}, acting)
    assert answer.status_code == 403 and answer.json_body["errorCode"] == "USRAUT0022"
    assert [item.status for item in AppointmentItem.query(appointment_id)] == ["BOOKED"]
    assert (len(records()), day_count()) == before
    # In Mumbai, both are theirs to do.
    booked = post(api, SCHEDULE, schedule(session_at(seeded), [ref]), acting)
    assert booked.status_code == 200


def test_a_registration_records_the_operators_area(api, seeded, as_):
    acting = consent(api, as_(OPERATOR))
    ref = register(api, acting, 1)
    [record] = [item for item in records() if item.action == "register"]
    assert (record.beneficiaries, record.citizen, int(record.state_id), int(record.district_id)) == (
        [ref], CITIZEN, 21, 395)


# -- the audit trail ------------------------------------------------------------------------------------

def test_every_action_has_exactly_one_record_and_a_refused_one_none(api, seeded, as_):
    acting = consent(api, as_(OPERATOR))
    first, second = register(api, acting, 1), register(api, acting, 2)
    assert post(api, NEW, person(1), acting).json_body["errorCode"] == "BENREG0002"  # the ID is taken
    booked = post(api, SCHEDULE, schedule(session_at(seeded), [first, second]), acting).json_body["appointment_id"]
    again = post(api, SCHEDULE, schedule(session_at(seeded, days=1), [first]), acting)
    assert again.json_body["errorCode"] == "APPOIN0024"  # already booked for the dose
    assert post(api, CANCEL, {"appointment_id": booked, "beneficiariesToCancel": [second]}, acting).status_code == 204
    assert post(api, CANCEL, {"appointment_id": booked, "beneficiariesToCancel": [second]},
                acting).json_body["errorCode"] == "APPOIN0027"  # cancelled already

    found = sorted(((item.action, tuple(item.beneficiaries), item.appointment_id) for item in records()),
                   key=lambda row: ("consent", "register", "book", "cancel").index(row[0]))
    assert sorted(found[1:3]) == sorted([("register", (first,), None), ("register", (second,), None)])
    assert found[0][0] == "consent" and found[3:] == [("book", (first, second), booked), ("cancel", (second,), booked)]
    assert day_count() == 4  # the actions done, not the refused ones nor the consent
    now = int(time.time())
    for item in records():
        assert item.operator == OPERATOR and item.citizen == CITIZEN and item.operator_name == "Omkar Operator"
        assert item.desk == "CSC Andheri East" and now - 60 <= int(item.done_at) <= now
        assert item.consent_id == records()[0].consent_id  # all under the one consent
    # Every record's action exists: the people on the mobile, the booking and the cancellation as recorded.
    assert {item.beneficiary_reference_id for item in BeneficiaryItem.by_mobile.query(CITIZEN)} == {first, second}
    assert {(item.beneficiary_reference_id, item.status) for item in AppointmentItem.query(booked)} == {
        (first, "BOOKED"), (second, "CANCELLED")}


def test_the_areas_admins_read_an_operators_actions_for_a_period(api, seeded, as_):
    acting = consent(api, as_(OPERATOR))
    ref = register(api, acting, 1)
    today = seeded
    body = {"mobile": OPERATOR, "from": today, "to": today}
    for admin in (MUMBAI_ADMIN, MAHARASHTRA_ADMIN, NATIONAL):
        answer = post(api, ACTIONS, body, as_(admin))
        assert answer.status_code == 200, answer.body
        report = answer.json_body
        assert report["operator"] == "******0020" and report["counts"] == {"consent": 1, "register": 1, "book": 0,
                                                                          "cancel": 0}
        [registered] = [row for row in report["actions"] if row["action"] == "register"]
        assert registered["beneficiaries"] == [ref] and registered["citizen"] == "******3210"
        assert registered["district_id"] == 395 and registered["at"].endswith("+05:30")
    elsewhere = post(api, ACTIONS, body, as_(BBMP_ADMIN))
    assert elsewhere.status_code == 200 and elsewhere.json_body["actions"] == [] and ref not in elsewhere.body.decode()
    yesterday = post(api, ACTIONS, {**body, "from": "01-01-2021", "to": "01-01-2021"}, as_(MUMBAI_ADMIN))
    assert yesterday.json_body["actions"] == []
    for wrong, code in (({**body, "to": "01-01-2021"}, "VACCIN0018"), ({**body, "from": "2026-01-01"}, "USRRES0004"),
                        ({**body, "from": None}, "USRRES0001"), ({**body, "mobile": "1"}, "USRAUT0001")):
        answer = post(api, ACTIONS, wrong, as_(MUMBAI_ADMIN))
        assert answer.status_code == 400 and answer.json_body["errorCode"] == code, (wrong, answer.body)
    assert post(api, ACTIONS, body, as_(OPERATOR)).status_code == 403  # not an admin


# -- the daily limit ------------------------------------------------------------------------------------

def test_an_operators_actions_stop_at_the_days_limit_and_start_again_the_next_day(api, seeded, as_, clock, country):
    country(operator_actions_per_day=3)
    citizen = as_(CITIZEN)
    clock.advance(RESEND)
    operator = as_(OPERATOR)
    acting = consent(api, operator)
    first, second = register(api, acting, 1), register(api, acting, 2)
    appointment_id = post(api, SCHEDULE, schedule(session_at(seeded), [first]), acting).json_body["appointment_id"]
    for answer in (post(api, NEW, person(3), acting), post(api, SCHEDULE, schedule(session_at(seeded), [second]),
                                                            acting),
                   post(api, CANCEL, {"appointment_id": appointment_id, "beneficiariesToCancel": [first]}, acting)):
        assert answer.status_code == 429 and answer.json_body["errorCode"] == "USRRES0429", answer.body
        wait = int(answer.headers["Retry-After"])
        assert 1 <= wait <= 24 * 3600
    assert day_count() == 3 and sorted(item.action for item in records()) == ["book", "consent", "register",
                                                                              "register"]
    assert BeneficiaryItem.get(second).appointment_dose1 is None
    assert [item.status for item in AppointmentItem.query(appointment_id)] == ["BOOKED"]
    # A citizen is never limited by an operator's day: they still act on their own phone.
    assert post(api, "/v2/appointment/cancel", {"appointment_id": appointment_id, "beneficiariesToCancel": [first]},
                citizen).status_code == 204
    # The next local day the operator starts again (logged in afresh: a token lasts 15 minutes).
    clock.advance(wait)
    operator = bearer(login(api, OPERATOR))
    acting = consent(api, operator, OTHER_CITIZEN)
    register(api, acting, 3)


# -- operators, as the area admins make them ----------------------------------------------------------

def test_area_admins_add_operators_in_their_own_area_and_the_role_reaches_the_next_login(api, seeded, as_):
    from chalicelib.services.tokens import read_token

    added = post(api, OPERATORS, {"mobile": "9000000021", "name": "Ila Operator", "desk": "1075 Helpline Mumbai",
                                  "district_id": 395}, as_(MUMBAI_ADMIN))
    assert added.status_code == 201 and added.json_body == {
        "mobile": "******0021", "name": "Ila Operator", "desk": "1075 Helpline Mumbai", "state_id": 21,
        "district_id": 395, "active": True}
    principal = read_token(login(api, "9000000021"), int(time.time()), _jwt_key())
    assert {role.value for role in principal.roles} == {"citizen", "operator"}
    assert (principal.scope.state_id, principal.scope.district_id, principal.scope.facility_id) == (21, 395, None)
    # A state-wide operator is the state admin's to add, not a district admin's; another area is nobody's here.
    for body, admin in (({"state_id": 21}, MUMBAI_ADMIN), ({"district_id": 294}, MUMBAI_ADMIN),
                        ({"district_id": 294}, MAHARASHTRA_ADMIN), ({"state_id": 16}, MAHARASHTRA_ADMIN)):
        answer = post(api, OPERATORS, {"mobile": "9000000022", "name": "Raj", "desk": "CSC", **body}, as_(admin))
        assert answer.status_code == 403 and answer.json_body["errorCode"] == "USRAUT0022", (body, admin)
    assert post(api, OPERATORS, {"mobile": "9000000022", "name": "Raj Operator", "desk": "1075 Helpline",
                                 "state_id": 21}, as_(MAHARASHTRA_ADMIN)).json_body["district_id"] is None
    assert post(api, OPERATORS, {"mobile": "9000000023", "name": "Asha", "desk": "CSC", "district_id": 294},
                as_(NATIONAL)).status_code == 201
    assert post(api, OPERATORS, {"mobile": "9000000023", "name": "Asha", "desk": "CSC", "district_id": 294},
                as_(BBMP_ADMIN)).status_code == 201  # theirs: changed, still active
    # An operator of Bengaluru, or a vaccinator, cannot be made Mumbai's operator by Mumbai's admin.
    for mobile in ("9000000023", VACCINATOR):
        answer = post(api, OPERATORS, {"mobile": mobile, "name": "X Y", "desk": "CSC", "district_id": 395},
                      as_(MUMBAI_ADMIN))
        assert answer.status_code == 409 and answer.json_body["errorCode"] == "PLANNG0019", mobile
    assert StaffItem.get(VACCINATOR).roles == {"vaccinator"}
    assert StaffItem.get("9000000023").district_id == 294


def test_operator_inputs_are_checked(api, seeded, as_):
    admin = as_(MUMBAI_ADMIN)
    good = {"mobile": "9000000021", "name": "Ila Operator", "desk": "CSC Kurla", "district_id": 395}
    for change, code in (({"mobile": "1"}, "USRAUT0001"), ({"name": "Ila\u202e"}, "BENREG0008"),
                         ({"desk": "\u0000"}, "USRRES0003"), ({"desk": "x" * 61}, "USRRES0003"),
                         ({"district_id": 99999}, "PLANNG0008"), ({"district_id": None}, "USRRES0001"),
                         ({"district_id": None, "state_id": 999}, "USRMET0001"),
                         ({"district_id": 395, "state_id": 16}, "PLANNG0008"), ({"district_id": "x"}, "USRRES0003")):
        answer = post(api, OPERATORS, {**good, **change}, admin)
        assert answer.status_code == 400 and answer.json_body["errorCode"] == code, (change, answer.body)
    assert StaffItem.count("9000000021") == 0


def test_a_deactivated_operator_logs_in_as_a_citizen(api, seeded, as_):
    from chalicelib.services.tokens import read_token

    answer = post(api, DEACTIVATE, {"mobile": OPERATOR}, as_(BBMP_ADMIN))
    assert answer.status_code == 404 and answer.json_body["errorCode"] == "ASSIST0002"  # not theirs
    for mobile in (VACCINATOR, "9811100099"):  # not operators
        assert post(api, DEACTIVATE, {"mobile": mobile}, as_(NATIONAL)).status_code == 404
    answer = post(api, DEACTIVATE, {"mobile": OPERATOR}, as_(MUMBAI_ADMIN))
    assert answer.status_code == 200 and answer.json_body["active"] is False
    principal = read_token(login(api, OPERATOR), int(time.time()), _jwt_key())
    assert {role.value for role in principal.roles} == {"citizen"}
    # Added again by their admin, they are an operator again at their next login.
    assert post(api, OPERATORS, {"mobile": OPERATOR, "name": "Omkar Operator", "desk": "CSC Andheri East",
                                 "district_id": 395}, as_(MUMBAI_ADMIN)).status_code == 201
    assert StaffItem.get(OPERATOR).active is True


def _jwt_key() -> bytes:
    from chalicelib.adapters.secrets import get_secrets

    return get_secrets().jwt_key


# -- language and answers -------------------------------------------------------------------------------

def test_the_citizen_reads_the_consent_otp_and_what_was_done_in_their_language(api, seeded, as_, clock):
    assert api.http.put("/v2/account/settings", headers={"Content-Type": "application/json", **as_(CITIZEN)},
                        body=json.dumps({"language": "hi"})).status_code == 200
    clock.advance(RESEND)
    acting = consent(api, as_(OPERATOR))
    ref = register(api, acting, 1)
    otp_text, registered = texts(CITIZEN)[1:]
    assert otp_text[:6].isdigit() and "CSC Andheri East के Omkar Operator" in otp_text
    assert registered == f"Teeka: CSC Andheri East के Omkar Operator ने आपके OTP से आपके मोबाइल नंबर पर लाभार्थी " \
                         f"****{ref[-4:]} का पंजीकरण किया।"


def test_junk_consent_headers_are_refused_in_cowins_shape(api, seeded, as_):
    operator = as_(OPERATOR)
    for junk in ("Bearer x", "a.b.c", "e30.e30.", "eyJhbGciOiJub25lIn0.eyJvcCI6IjkwMDAwMDAwMjAifQ.", "%00", "🙂" * 10):
        answer = api.http.get(LIST, headers={**operator, HEADER: junk})
        assert answer.status_code == 403 and answer.json_body["errorCode"] == "ASSIST0001", junk
