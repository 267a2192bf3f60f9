"""KYC-VS through the API (docs/kycvs.md): the national admin's status checkers and their API keys; a
request texts the mobile a consent code naming the checker; the right code gives a signed answer that
verifies with the published keys and holds only the name and what the scopes allow; every refusal
(no consent, a wrong key, a revoked checker, another checker's request, too many calls) reveals nothing;
and the person reads who asked about them."""
from __future__ import annotations

import hashlib
import re
import time
from types import SimpleNamespace

import pytest

from chalicelib.store.kycvs import StatusCheckerItem, StatusCheckItem
from local import carrier as local_carrier
from local.seed import DEMO_VERIFIER_KEY
from tests.api.test_vaccination_api import CITIZEN
from tests.helpers import post, sha256

NATIONAL, MUMBAI_ADMIN = "9000000001", "9000000003"
VERIFIERS, REVOKE = "/v2/admin/kycvs/verifiers", "/v2/admin/kycvs/verifiers/revoke"
ASK, ANSWER, MINE = "/v2/kycvs/request", "/v2/kycvs/answer", "/v2/kycvs/requests"
STRANGER = "9811177777"  # a mobile nobody registered
DEMO = {"X-Api-Key": DEMO_VERIFIER_KEY}


@pytest.fixture
def clock(monkeypatch):
    state = {"now": int(time.time())}
    monkeypatch.setattr("chalicelib.api.http.time", SimpleNamespace(time=lambda: state["now"]))
    return SimpleNamespace(advance=lambda seconds: state.__setitem__("now", state["now"] + seconds))


@pytest.fixture
def citizen(vaccinated):
    """A citizen given dose 1 (tests/api/conftest.py), who logged in moments ago."""
    return vaccinated


def new_verifier(api, as_, scopes=("status", "precaution"), per_minute=60, name="Indigo Hotels") -> dict:
    response = post(api, VERIFIERS, {"name": name, "scopes": list(scopes), "requests_per_minute": per_minute},
                    as_(NATIONAL))
    assert response.status_code == 201, response.body
    return response.json_body


def key_of(verifier: dict) -> dict:
    return {"X-Api-Key": verifier["api_key"]}


def code_for(mobile: str) -> str:
    return re.search(r"code (\d{6})", local_carrier.messages_for(mobile)[-1]["message"]).group(1)


def ask(api, mobile: str, headers=DEMO, **extra):
    return post(api, ASK, {"mobile": mobile, **extra}, headers)


def asked(api, mobile: str, headers=DEMO, **extra) -> str:
    response = ask(api, mobile, headers, **extra)
    assert response.status_code == 200, response.body
    return response.json_body["request_id"]


def answer(api, request_id: str, code: str, headers=DEMO):
    return post(api, ANSWER, {"request_id": request_id, "otp": code}, headers)


def test_the_right_code_gives_a_signed_answer_that_verifies_with_the_published_keys(api, citizen):
    from chalicelib.verifier import STATUS_ANSWER_TYPE, decode_jwt

    request_id = asked(api, CITIZEN)
    text = local_carrier.messages_for(CITIZEN)[-1]["message"]
    assert text.startswith("Teeka: Skyline Airways (demo) asks to see your vaccination status. Give them code ")
    response = answer(api, request_id, code_for(CITIZEN))
    assert response.status_code == 200, response.body
    jwks = api.http.get("/.well-known/jwks.json").json_body
    claims = decode_jwt(response.json_body["jws"], jwks, STATUS_ANSWER_TYPE)
    assert claims == response.json_body["answer"]
    assert claims["request_id"] == request_id and claims["verifier_id"] == "demo"
    assert abs(claims["iat"] - time.time()) < 60
    # Dose 1 of COVISHIELD's 2: partially vaccinated; no precaution dose; the name, and nothing else.
    assert claims["people"] == [{"name": "Asha Rao", "vaccination_status": 1, "precaution": False}]
    assert set(claims) == {"iss", "typ", "request_id", "verifier_id", "iat", "people"}
    # Used once: the same code again is refused.
    assert answer(api, request_id, code_for(CITIZEN)).json_body["errorCode"] == "USRAUT0014"


def test_a_certificate_never_passes_for_an_answer_nor_an_answer_for_a_certificate(api, citizen):
    from chalicelib.verifier import STATUS_ANSWER_TYPE, InvalidCertificate, decode, decode_jwt

    request_id = asked(api, CITIZEN)
    jws = answer(api, request_id, code_for(CITIZEN)).json_body["jws"]
    jwks = api.http.get("/.well-known/jwks.json").json_body
    with pytest.raises(InvalidCertificate):
        decode(jws, jwks)
    tampered = jws.split(".")
    tampered[1] = tampered[1][:-2] + ("A" if tampered[1][-2] != "A" else "B") + tampered[1][-1]
    with pytest.raises(InvalidCertificate):
        decode_jwt(".".join(tampered), jwks, STATUS_ANSWER_TYPE)
    assert post(api, "/v2/certificate/verify", {"qr": jws}).json_body["status"] == "invalid"


def test_a_verifier_without_the_precaution_scope_gets_no_precaution_field(api, as_, citizen):
    verifier = new_verifier(api, as_, scopes=["status"])
    request_id = asked(api, CITIZEN, key_of(verifier))
    people = answer(api, request_id, code_for(CITIZEN), key_of(verifier)).json_body["answer"]["people"]
    assert people == [{"name": "Asha Rao", "vaccination_status": 1}]


def test_without_a_reference_id_everyone_on_the_mobile_with_one_only_that_person(api, as_, citizen):
    from tests.api.test_vaccination_api import register

    register(api, citizen["citizen"], 2, name="Ravi Rao")
    request_id = asked(api, CITIZEN)
    people = answer(api, request_id, code_for(CITIZEN)).json_body["answer"]["people"]
    assert sorted((person["name"], person["vaccination_status"]) for person in people) == [("Asha Rao", 1),
                                                                                           ("Ravi Rao", 0)]


def test_a_named_person_on_another_mobile_is_not_revealed(api, as_, citizen, clock):
    request_id = asked(api, STRANGER, beneficiary_reference_id=citizen["ref"])
    response = answer(api, request_id, code_for(STRANGER))
    assert response.json_body["answer"]["people"] == []
    assert response.json_body["answer"]["beneficiary_reference_id"] == citizen["ref"]
    clock.advance(181)
    request_id = asked(api, CITIZEN, beneficiary_reference_id=citizen["ref"])
    assert [p["name"] for p in answer(api, request_id, code_for(CITIZEN)).json_body["answer"]["people"]] == [
        "Asha Rao"]


def test_the_request_is_answered_alike_whether_or_not_the_mobile_is_registered(api, citizen):
    registered, unknown = ask(api, CITIZEN), ask(api, STRANGER)
    assert registered.status_code == unknown.status_code == 200
    assert set(registered.json_body) == set(unknown.json_body) == {"request_id", "expires_in"}
    assert registered.json_body["expires_in"] == unknown.json_body["expires_in"]
    assert "asks to see your vaccination status" in local_carrier.messages_for(STRANGER)[-1]["message"]


def test_without_consent_nothing_is_revealed_and_three_wrong_codes_kill_the_request(api, as_, citizen):
    request_id = asked(api, CITIZEN)
    right = code_for(CITIZEN)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(3):
        refused = answer(api, request_id, wrong)
        assert refused.status_code == 400 and refused.json_body["errorCode"] == "USRAUT0014"
        assert "Asha" not in refused.body.decode()
    assert answer(api, request_id, right).json_body["errorCode"] == "USRAUT0014"
    mine = api.http.get(MINE, headers=as_(CITIZEN)).json_body["requests"]
    assert mine[0]["request_id"] == request_id and mine[0]["status"] == "refused" and mine[0]["wrong_codes"] == 3


def test_a_wrong_revoked_or_missing_key_gets_the_plain_401(api, as_, citizen):
    verifier = new_verifier(api, as_)
    request_id = asked(api, CITIZEN, key_of(verifier))
    assert post(api, REVOKE, {"verifier_id": verifier["verifier_id"]}, as_(NATIONAL)).json_body["revoked"] is True
    forged = DEMO_VERIFIER_KEY[:-1] + ("x" if DEMO_VERIFIER_KEY[-1] != "x" else "y")
    for headers in (key_of(verifier), {"X-Api-Key": forged}, {"X-Api-Key": "kyc-nosuch.AAAAAAAAAAAAAAAAAAAA"},
                    {"X-Api-Key": "junk"}, {}, as_(NATIONAL)):
        for response in (answer(api, request_id, code_for(CITIZEN), headers), ask(api, CITIZEN, headers)):
            assert (response.status_code, response.body) == (401, b"Unauthenticated access!"), headers
    # The revoked verifier's request was never answered: the citizen sees it asked (then expired).
    assert api.http.get(MINE, headers=as_(CITIZEN)).json_body["requests"][0]["status"] == "asked"


def test_another_verifiers_request_id_gets_what_a_nonexistent_one_gets_and_spends_nothing(api, as_, citizen):
    other = new_verifier(api, as_)
    request_id = asked(api, CITIZEN)
    code = code_for(CITIZEN)
    for _ in range(4):
        stolen = answer(api, request_id, code, key_of(other))
        nowhere = answer(api, "00000000-0000-4000-8000-000000000000", code, key_of(other))
        assert (stolen.status_code, stolen.json_body["errorCode"]) == (nowhere.status_code, "USRAUT0014")
        assert stolen.json_body == nowhere.json_body
    # Nor does a login or an operator's confirmation spend it, or log anybody in with it.
    assert post(api, "/v2/auth/confirmOTP", {"otp": sha256(code), "txnId": request_id}).json_body[
        "errorCode"] == "USRAUT0014"
    assert answer(api, request_id, code).status_code == 200  # its own verifier: all 3 tries were left


def test_the_rate_limit_holds(api, as_, citizen):
    verifier = new_verifier(api, as_, per_minute=2)
    assert ask(api, CITIZEN, key_of(verifier)).status_code == 200
    assert answer(api, "00000000-0000-4000-8000-000000000000", "123456", key_of(verifier)).status_code == 400
    limited = ask(api, STRANGER, key_of(verifier))
    assert limited.status_code == 429 and limited.json_body["errorCode"] == "USRRES0429"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert ask(api, STRANGER).status_code == 200  # another verifier's minute is its own


def test_the_citizen_reads_who_asked_newest_first(api, as_, citizen, clock):
    first = asked(api, CITIZEN)
    assert answer(api, first, code_for(CITIZEN)).status_code == 200
    clock.advance(181)
    second = asked(api, CITIZEN, beneficiary_reference_id=citizen["ref"])
    mine = api.http.get(MINE, headers=as_(CITIZEN)).json_body["requests"]
    assert [entry["request_id"] for entry in mine] == [second, first]
    assert mine[1]["status"] == "answered" and mine[1]["revealed"] == ["name", "status", "precaution"]
    assert mine[1]["verifier"] == "Skyline Airways (demo)" and mine[1]["verifier_id"] == "demo"
    assert mine[0]["status"] == "asked" and mine[0]["beneficiary_reference_id"] == citizen["ref"]
    clock.advance(181)  # past the OTP's validity, never answered
    assert api.http.get(MINE, headers=as_(CITIZEN)).json_body["requests"][0]["status"] == "expired"
    assert answer(api, second, code_for(CITIZEN)).json_body["errorCode"] == "USRAUT0014"
    assert api.http.get(MINE, headers=as_("9811100099")).json_body["requests"] == []  # another mobile's own list


def test_only_the_national_admin_manages_verifiers_and_the_key_is_shown_once(api, as_, seeded):
    payload = {"name": "Air Deccan", "scopes": ["status"], "requests_per_minute": 10}
    assert post(api, VERIFIERS, payload, as_(MUMBAI_ADMIN)).status_code == 403
    created = post(api, VERIFIERS, payload, as_(NATIONAL))
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    key = created.json_body["api_key"]
    assert re.fullmatch(r"kyc-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}", key)
    stored = StatusCheckerItem.get(created.json_body["verifier_id"])
    assert stored.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(stored.serialize())
    listed = api.http.get(VERIFIERS, headers=as_(NATIONAL))
    assert created.json_body["verifier_id"] in [v["verifier_id"] for v in listed.json_body["verifiers"]]
    assert key not in listed.body.decode() and stored.key_digest not in listed.body.decode()
    assert api.http.get(VERIFIERS, headers=as_(MUMBAI_ADMIN)).status_code == 403
    missing = post(api, REVOKE, {"verifier_id": "nosuch"}, as_(NATIONAL))
    assert (missing.status_code, missing.json_body["errorCode"]) == (404, "KYCVS0002")


@pytest.mark.parametrize("body", [
    {"name": "X", "scopes": [], "requests_per_minute": 5}, {"name": "X", "scopes": ["everything"],
                                                             "requests_per_minute": 5},
    {"name": "X", "scopes": "status", "requests_per_minute": 5}, {"name": "X", "scopes": ["status"],
                                                                  "requests_per_minute": 0},
    {"name": "X", "scopes": ["status"], "requests_per_minute": 10 ** 9}, {"name": "", "scopes": ["status"],
                                                                          "requests_per_minute": 5},
    {"name": "\u202eevil", "scopes": ["status"], "requests_per_minute": 5}])
def test_a_bad_verifier_is_refused(api, as_, seeded, body):
    response = post(api, VERIFIERS, body, as_(NATIONAL))
    assert response.status_code == 400 and response.json_body["errorCode"] in ("KYCVS0001", "USRRES0003",
                                                                               "USRRES0001")


@pytest.mark.parametrize("body", [{}, {"mobile": "12"}, {"mobile": CITIZEN, "beneficiary_reference_id": "123"},
                                  {"mobile": CITIZEN, "beneficiary_reference_id": ["x"]}])
def test_a_bad_request_is_refused_before_any_sms(api, seeded, body):
    before = len(local_carrier.messages_for(CITIZEN))
    response = post(api, ASK, body, DEMO)
    assert response.status_code == 400, response.body
    assert len(local_carrier.messages_for(CITIZEN)) == before


def test_a_status_check_never_holds_up_the_persons_login_nor_a_login_the_check(api, citizen, clock):
    """Its OTP has its own resend interval and hourly sends per mobile: the person, asked moments after
    logging in, can log in again at once after being asked."""
    asked(api, CITIZEN)  # the login's OTP went moments ago
    clock.advance(181)  # past the login's resend interval
    asked(api, CITIZEN)
    assert post(api, "/v2/auth/generateOTP", {"mobile": CITIZEN}).status_code == 200
    refused = ask(api, CITIZEN)  # a second check within the interval, though: one pending code at a time
    assert refused.status_code == 400 and refused.json_body["errorCode"] == "USRAUT0018"


def test_nothing_is_recorded_for_a_request_whose_otp_was_refused(api, seeded):
    asked(api, STRANGER)
    throttled = ask(api, STRANGER)  # within the mobile's resend interval, as for a login
    assert throttled.status_code == 429 or throttled.json_body["errorCode"] == "USRAUT0018"
    assert len([item for item in StatusCheckItem.by_mobile.query(STRANGER)]) == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 10000, "kyc-demo.", "kyc-demo." + "A" * 129,
                                 "kyc-DEMO.AAAAAAAAAAAAAAAAAAAA",
                                 "kyc-" + "a" * 33 + ".AAAAAAAAAAAAAAAAAAAA", "kyc-demo.AAAA\tAAAAAAAAAAAAAAAA",
                                 "kyc-../../etc.AAAAAAAAAAAAAAAAAAAA", "Bearer kyc-demo.AAAAAAAAAAAAAAAAAAAA",
                                 DEMO_VERIFIER_KEY + DEMO_VERIFIER_KEY])
def test_a_hostile_key_is_the_plain_401_and_reads_nothing(api, seeded, key):
    from local.metering import count_dynamodb_calls

    with count_dynamodb_calls() as calls:
        response = post(api, ASK, {"mobile": CITIZEN}, {"X-Api-Key": key})
    assert (response.status_code, response.body) == (401, b"Unauthenticated access!")
    assert sum(calls.values()) <= 1  # a well-formed key's one GetItem at most
