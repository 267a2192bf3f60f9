"""The six CoWIN login routes and the token check, through chalice.test.Client."""
import json
import time

import jwt
import pytest

from chalicelib.adapters.secrets import get_secrets
from chalicelib.store.auth import record_login
from tests.helpers import bearer, last_otp, login, post, sha256

MOBILE = "9876543210"
PROTECTED = "/v2/registration/beneficiary/genders"


@pytest.mark.parametrize("generate, confirm, new_account_field", [
    ("/v2/auth/public/generateOTP", "/v2/auth/public/confirmOTP", False),
    ("/v2/auth/generateOTP", "/v2/auth/confirmOTP", True),
    ("/v2/auth/generateMobileOTP", "/v2/auth/validateMobileOtp", True),
])
def test_each_login_pair_works(api, generate, confirm, new_account_field):
    body = {"mobile": MOBILE, "secret": "U2FsdGVkX1+anything"}
    response = post(api, generate, body)
    assert response.status_code == 200 and set(response.json_body) == {"txnId"}
    confirmed = post(api, confirm, {"otp": sha256(last_otp(MOBILE)), "txnId": response.json_body["txnId"]})
    assert confirmed.status_code == 200
    assert ("isNewAccount" in confirmed.json_body) is new_account_field
    if new_account_field:
        assert confirmed.json_body["isNewAccount"] == "Y"
    assert api.http.get(PROTECTED, headers=bearer(confirmed.json_body["token"])).status_code == 200


def test_a_returning_mobile_is_not_a_new_account(api):
    record_login(MOBILE, int(time.time()) - 86400)  # logged in yesterday
    txn = post(api, "/v2/auth/generateOTP", {"mobile": MOBILE}).json_body["txnId"]
    response = post(api, "/v2/auth/confirmOTP", {"otp": sha256(last_otp(MOBILE)), "txnId": txn})
    assert response.json_body["isNewAccount"] == "N"


def test_mobile_as_a_number_and_a_wrong_content_type_are_accepted(api):
    response = api.http.post("/v2/auth/public/generateOTP", headers={"Content-Type": "text/plain"},
                             body=json.dumps({"mobile": 9876543210, "extra": "ignored"}))
    assert response.status_code == 200


def test_no_content_type_at_all_is_accepted(api):
    response = api.http.post("/v2/auth/public/generateOTP", body=json.dumps({"mobile": MOBILE}))
    assert response.status_code == 200


def test_resend_within_three_minutes_is_refused(api):
    post(api, "/v2/auth/public/generateOTP", {"mobile": MOBILE})
    response = post(api, "/v2/auth/public/generateOTP", {"mobile": MOBILE})
    assert response.status_code == 400
    assert response.json_body == {"errorCode": "USRAUT0018", "error": "Generate OTP failed"}


@pytest.mark.parametrize("body, code", [
    ("{not json", "USRRES0002"),
    ("[1, 2]", "USRRES0002"),
    ({}, "USRRES0001"),
    ({"mobile": ""}, "USRRES0001"),
    ({"mobile": "12345"}, "USRAUT0001"),
    ({"mobile": ["9876543210"]}, "USRAUT0001"),
    ({"mobile": True}, "USRAUT0001"),
])
def test_generate_rejects_bad_input_with_a_code(api, body, code):
    response = post(api, "/v2/auth/public/generateOTP", body)
    assert response.status_code == 400
    assert response.json_body["errorCode"] == code and response.json_body["error"]


@pytest.mark.parametrize("body, code", [
    ({"txnId": "x"}, "USRAUT0012"),
    ({"otp": "", "txnId": "x"}, "USRAUT0012"),
    ({"otp": sha256("123456")}, "USRRES0001"),
    ({"otp": "123456", "txnId": "x"}, "USRAUT0014"),
    ({"otp": 123456, "txnId": "x"}, "USRAUT0014"),
    ({"otp": {"a": 1}, "txnId": "x"}, "USRRES0003"),
    ({"otp": sha256("123456"), "txnId": "no-such-transaction"}, "USRAUT0014"),
    ("not json", "USRRES0002"),
])
def test_confirm_rejects_bad_input_with_a_code(api, body, code):
    response = post(api, "/v2/auth/public/confirmOTP", body)
    assert response.status_code == 400
    assert response.json_body["errorCode"] == code


def test_wrong_otp_three_times_burns_it(api):
    txn = post(api, "/v2/auth/public/generateOTP", {"mobile": MOBILE}).json_body["txnId"]
    right = last_otp(MOBILE)
    wrong = sha256("000000" if right != "000000" else "111111")
    refusals = [post(api, "/v2/auth/public/confirmOTP", {"otp": wrong, "txnId": txn}).json_body for _ in range(3)]
    final = post(api, "/v2/auth/public/confirmOTP", {"otp": sha256(right), "txnId": txn})
    # The right OTP after three wrong ones, a replay, an unknown transaction: one answer for all.
    assert final.status_code == 400 and refusals == [final.json_body] * 3
    assert final.json_body["errorCode"] == "USRAUT0014"


def _assert_unauthenticated(response):
    assert response.status_code == 401
    assert response.body == b"Unauthenticated access!"
    assert response.headers["Content-Type"] == "text/plain"


def test_missing_token(api):
    _assert_unauthenticated(api.http.get(PROTECTED))


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer ", "Basic abc", "Bearer not.a.jwt", "token"])
def test_malformed_tokens(api, authorization):
    _assert_unauthenticated(api.http.get(PROTECTED, headers={"Authorization": authorization}))


def test_forged_token(api):
    now = int(time.time())
    forged = jwt.encode({"iss": "teeka", "sub": MOBILE, "roles": ["national_admin"], "iat": now, "exp": now + 900},
                        "a-guessed-key-that-is-long-enough-for-hs256", algorithm="HS256")
    _assert_unauthenticated(api.http.get(PROTECTED, headers=bearer(forged)))


def test_unsigned_token_is_refused(api):
    now = int(time.time())
    unsigned = jwt.encode({"iss": "teeka", "sub": MOBILE, "iat": now, "exp": now + 900}, None, algorithm="none")
    _assert_unauthenticated(api.http.get(PROTECTED, headers=bearer(unsigned)))


def test_expired_token(api):
    now = int(time.time())
    expired = jwt.encode({"iss": "teeka", "sub": MOBILE, "roles": ["citizen"], "iat": now - 1000, "exp": now - 100},
                         get_secrets().jwt_key, algorithm="HS256")
    _assert_unauthenticated(api.http.get(PROTECTED, headers=bearer(expired)))


def test_token_lasts_fifteen_minutes_and_carries_roles(api):
    token = login(api, "9000000003")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 900
    assert claims["sub"] == "9000000003" and claims["roles"] == ["citizen"]


def test_authorization_header_name_is_case_insensitive(api):
    token = login(api, MOBILE)
    assert api.http.get(PROTECTED, headers={"authorization": f"Bearer {token}"}).status_code == 200
    assert api.http.get(PROTECTED, headers={"AUTHORIZATION": f"bearer {token}"}).status_code == 200
