"""The login use case with an injected clock, phone and store: on the in-memory store (no AWS at all),
and on DynamoDB (moto in-process) where a test looks at what the table holds."""
import re
from dataclasses import replace

import pytest

from chalicelib.adapters.secrets import Secrets
from chalicelib.config import load_pack
from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError
from chalicelib.domain.otp import sha256_hex
from chalicelib.domain.roles import Role
from chalicelib.services.auth import Logins
from chalicelib.services.tokens import read_token
from chalicelib.store import auth as dynamodb_store
from chalicelib.store.auth import OtpThrottleItem, OtpTransactionItem
from tests.memory_store import MemoryLoginStore

MOBILE = "9876543210"
T0 = 1_800_000_000
PROFILE = load_pack("in")
SECRETS = Secrets(jwt_key=b"a-signing-key-of-the-right-length-for-hs256", otp_pepper=b"pepper-for-tests",
                  id_hmac_key=b"hmac-key-for-tests")
SENT: list[tuple[str, str]] = []  # (mobile, text): the phones of this module's tests


def send(mobile: str, text: str, template_id: str) -> str:
    SENT.append((mobile, text))
    return "sent"


def last_otp(mobile: str) -> str:
    """The OTP in the newest SMS sent to `mobile`."""
    text = [text for to, text in SENT if to == mobile][-1]
    return re.search(r"\b(\d{6})\b", text).group(1)


@pytest.fixture
def auth():
    """Logins on the in-memory store."""
    SENT.clear()
    return Logins(PROFILE, MemoryLoginStore(), SECRETS, send)


@pytest.fixture
def auth_on_dynamodb(aws):
    """Logins on the DynamoDB store (moto), for the tests that look at the table itself."""
    SENT.clear()
    return Logins(PROFILE, dynamodb_store, SECRETS, send)


def error_of(call) -> errors.ErrorCode:
    with pytest.raises(ApiError) as raised:
        call()
    return raised.value.error


def test_login_gives_a_citizen_token(auth):
    txn_id = auth.generate_otp(MOBILE, T0)
    login = auth.confirm_otp(txn_id, sha256_hex(last_otp(MOBILE)), T0 + 30)
    principal = read_token(login.token, T0 + 31, SECRETS.jwt_key)
    assert principal.mobile == MOBILE and principal.roles == {Role.CITIZEN}
    assert login.is_new_account


def test_second_login_is_not_a_new_account(auth):
    auth.confirm_otp(auth.generate_otp(MOBILE, T0), sha256_hex(last_otp(MOBILE)), T0 + 1)
    txn_id = auth.generate_otp(MOBILE, T0 + 200)
    assert not auth.confirm_otp(txn_id, sha256_hex(last_otp(MOBILE)), T0 + 201).is_new_account


def test_resend_within_the_interval_is_refused_and_allowed_after(auth):
    auth.generate_otp(MOBILE, T0)
    assert error_of(lambda: auth.generate_otp(MOBILE, T0 + 179)) is errors.OTP_THROTTLED
    assert auth.generate_otp(MOBILE, T0 + 180)


def test_the_throttle_is_per_mobile(auth):
    auth.generate_otp(MOBILE, T0)
    assert auth.generate_otp("9876543211", T0 + 1)


def test_expired_otp_is_refused_like_any_wrong_guess(auth):
    txn_id = auth.generate_otp(MOBILE, T0)
    assert error_of(lambda: auth.confirm_otp(txn_id, sha256_hex(last_otp(MOBILE)), T0 + 180)) is errors.INVALID_OTP


def test_three_wrong_attempts_burn_the_transaction_and_the_right_fourth_gets_the_same_answer(auth):
    txn_id = auth.generate_otp(MOBILE, T0)
    code = last_otp(MOBILE)
    wrong = sha256_hex("000000" if code != "000000" else "111111")
    for _ in range(3):
        assert error_of(lambda: auth.confirm_otp(txn_id, wrong, T0 + 5)) is errors.INVALID_OTP
    assert error_of(lambda: auth.confirm_otp(txn_id, sha256_hex(code), T0 + 6)) is errors.INVALID_OTP


def test_an_otp_works_once_and_a_replay_gets_the_same_answer_as_a_wrong_guess(auth):
    txn_id = auth.generate_otp(MOBILE, T0)
    code = sha256_hex(last_otp(MOBILE))
    auth.confirm_otp(txn_id, code, T0 + 1)
    assert error_of(lambda: auth.confirm_otp(txn_id, code, T0 + 2)) is errors.INVALID_OTP


def test_unknown_transaction(auth):
    assert error_of(lambda: auth.confirm_otp("no-such-txn", sha256_hex("123456"), T0)) is errors.INVALID_OTP


def test_the_table_holds_only_a_keyed_digest(auth_on_dynamodb):
    auth = auth_on_dynamodb
    txn_id = auth.generate_otp(MOBILE, T0)
    code = last_otp(MOBILE)
    raw = OtpTransactionItem.get(OtpTransactionItem.key(txn_id)).serialize()
    stored = repr(raw)
    assert code not in stored and sha256_hex(code) not in stored


def test_sms_failure_releases_the_throttle(auth_on_dynamodb):
    from chalicelib.adapters.sms import SmsError

    def refuse(mobile, message, template_id):
        raise SmsError("carrier down")

    carrier_down = replace(auth_on_dynamodb, send_sms=refuse)
    assert error_of(lambda: carrier_down.generate_otp(MOBILE, T0)) is errors.SMS_UNAVAILABLE
    assert OtpThrottleItem.count(OtpThrottleItem.key(MOBILE)) == 0
    assert auth_on_dynamodb.generate_otp(MOBILE, T0 + 1)


def test_staff_get_their_roles_and_scope(auth):
    auth.store.add_facility_staff("9000000006", "Vikram", "vaccinator", 21, 395, 100001)
    txn_id = auth.generate_otp("9000000006", T0)
    principal = read_token(auth.confirm_otp(txn_id, sha256_hex(last_otp("9000000006")), T0 + 1).token, T0 + 2,
                           SECRETS.jwt_key)
    assert principal.roles == {Role.CITIZEN, Role.VACCINATOR}
    assert principal.covers(state_id=21, district_id=395, facility_id=100001)


def test_inactive_staff_are_plain_citizens(auth):
    auth.store.add_facility_staff("9000000006", "Vikram", "vaccinator", 21, 395, 100001)
    auth.store.deactivate("9000000006")
    txn_id = auth.generate_otp("9000000006", T0)
    principal = read_token(auth.confirm_otp(txn_id, sha256_hex(last_otp("9000000006")), T0 + 1).token, T0 + 2,
                           SECRETS.jwt_key)
    assert principal.roles == {Role.CITIZEN}


def test_otps_per_hour_are_limited_with_a_retry_after(auth):
    hour = 3600 * (T0 // 3600 + 1)
    for n in range(10):
        auth.generate_otp(MOBILE, hour + n * 181)
    with pytest.raises(ApiError) as raised:
        auth.generate_otp(MOBILE, hour + 10 * 181)
    assert raised.value.error.code == "USRRES0429" and raised.value.error.status == 429
    assert raised.value.headers == {"Retry-After": str(3600 - 10 * 181)}
    # Refused sends are not counted; the next hour starts afresh.
    assert auth.generate_otp(MOBILE, hour + 3600)
    assert error_of(lambda: auth.generate_otp(MOBILE, hour + 3601)).code == "USRAUT0018"
