"""National-ID authentication against the simulated provider (OTP to the ID-linked mobile)."""
import re

import pytest
from stdnum import verhoeff

from chalicelib.adapters.national_id import linked_mobile
from local import carrier as local_carrier
from tests.helpers import aadhaar, bearer, login, person, post

START, CONFIRM = "/v2/registration/beneficiary/verifyId/start", "/v2/registration/beneficiary/verifyId/confirm"


@pytest.fixture
def citizen(api):
    return bearer(login(api, "9876543210"))


def registered(api, headers, number=None, **fields):
    body = person(70, **({"photo_id_number": number} if number else {}), **fields)
    return body["photo_id_number"], post(api, "/v2/registration/beneficiary/new", body,
                                         headers).json_body["beneficiary_reference_id"]


def provider_otp(number: str) -> str:
    return re.search(r"\b(\d{6})\b", local_carrier.messages_for(linked_mobile(number))[-1]["message"]).group(1)


def test_otp_to_the_linked_mobile_verifies_the_beneficiary(api, citizen):
    number, reference_id = registered(api, citizen)
    started = post(api, START, {"beneficiary_reference_id": reference_id, "photo_id_number": number}, citizen)
    assert started.status_code == 200
    assert started.json_body["mobile_hint"] == "******" + linked_mobile(number)[-4:]
    confirmed = post(api, CONFIRM, {"beneficiary_reference_id": reference_id, "txnId": started.json_body["txnId"],
                                    "otp": provider_otp(number)}, citizen)
    assert confirmed.status_code == 200 and confirmed.json_body["id_verified"] is True
    listed = api.http.get("/v2/appointment/beneficiaries", headers=citizen).json_body["beneficiaries"]
    assert listed[0]["id_verified"] is True


def test_wrong_otp_fails_and_the_right_one_still_works(api, citizen):
    number, reference_id = registered(api, citizen)
    txn = post(api, START, {"beneficiary_reference_id": reference_id, "photo_id_number": number},
               citizen).json_body["txnId"]
    right = provider_otp(number)
    wrong = "000000" if right != "000000" else "111111"
    failed = post(api, CONFIRM, {"beneficiary_reference_id": reference_id, "txnId": txn, "otp": wrong}, citizen)
    assert failed.json_body["errorCode"] == "BENREG0016"
    ok = post(api, CONFIRM, {"beneficiary_reference_id": reference_id, "txnId": txn, "otp": right}, citizen)
    assert ok.status_code == 200


def test_a_guess_arriving_after_the_right_one_is_answered_like_a_wrong_one(api, citizen):
    """Parallel guesses: one verified the ID and spent the transaction; the ones still in flight must
    not learn that from a different answer."""
    number, reference_id = registered(api, citizen)
    txn = post(api, START, {"beneficiary_reference_id": reference_id, "photo_id_number": number},
               citizen).json_body["txnId"]
    right = provider_otp(number)
    assert post(api, CONFIRM, {"beneficiary_reference_id": reference_id, "txnId": txn, "otp": right},
                citizen).status_code == 200
    late = post(api, CONFIRM, {"beneficiary_reference_id": reference_id, "txnId": txn,
                               "otp": "000000" if right != "000000" else "111111"}, citizen)
    assert late.status_code == 400 and late.json_body["errorCode"] == "BENREG0016"


def test_the_typed_number_must_match_the_registered_one(api, citizen):
    _, reference_id = registered(api, citizen)
    response = post(api, START, {"beneficiary_reference_id": reference_id, "photo_id_number": aadhaar(71)}, citizen)
    assert response.json_body["errorCode"] == "BENREG0014"


def test_only_aadhaar_is_verifiable_in_india(api, citizen):
    number, reference_id = registered(api, citizen, photo_id_type=3, number="ABCPE1234F")
    response = post(api, START, {"beneficiary_reference_id": reference_id, "photo_id_number": number}, citizen)
    assert response.json_body["errorCode"] == "BENREG0013"


def simulated(prefix: str) -> str:
    first_eleven = prefix + "1234567"
    return first_eleven + verhoeff.calc_check_digit(first_eleven)


def test_provider_timeout_is_a_retryable_503(api, citizen):
    number, reference_id = registered(api, citizen, number=simulated("9999"))
    response = post(api, START, {"beneficiary_reference_id": reference_id, "photo_id_number": number}, citizen)
    assert response.status_code == 503 and response.json_body["errorCode"] == "BENREG0015"


def test_provider_refusal(api, citizen):
    number, reference_id = registered(api, citizen, number=simulated("9990"))
    response = post(api, START, {"beneficiary_reference_id": reference_id, "photo_id_number": number}, citizen)
    assert response.status_code == 400 and response.json_body["errorCode"] == "BENREG0016"


def test_a_transaction_of_another_start_is_refused(api, citizen):
    number, reference_id = registered(api, citizen)
    response = post(api, CONFIRM, {"beneficiary_reference_id": reference_id, "txnId": "made-up", "otp": "123456"},
                    citizen)
    assert response.json_body["errorCode"] == "BENREG0017"
