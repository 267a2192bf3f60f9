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


# -- a citizen's consent to an operator: the same machinery ----------------------------------------------

OPERATOR = "9000000020"


def an_operator(auth, mobile: str = OPERATOR, active: bool = True):
    from chalicelib.domain.roles import StaffMember

    auth.store.staff[mobile] = StaffMember(mobile, "Omkar Operator", frozenset({"operator"}), active, 21, 395,
                                           desk="CSC Andheri East")


def test_a_consent_otp_names_the_operator_and_gives_them_the_mobile_and_nothing_more(auth):
    an_operator(auth)
    txn_id = auth.request_consent(OPERATOR, MOBILE, T0)
    [(to, text)] = SENT
    assert to == MOBILE and text.startswith(last_otp(MOBILE)) and "Omkar Operator of CSC Andheri East" in text
    mobile, operator = auth.confirm_consent(txn_id, sha256_hex(last_otp(MOBILE)), OPERATOR, T0 + 1)
    assert mobile == MOBILE and operator.desk == "CSC Andheri East"
    assert auth.store.accounts == {}  # nobody logged in


def test_a_consent_otp_never_logs_in_and_a_login_otp_never_consents(auth):
    an_operator(auth)
    consent = auth.request_consent(OPERATOR, MOBILE, T0)
    right = sha256_hex(last_otp(MOBILE))
    assert error_of(lambda: auth.confirm_otp(consent, right, T0 + 1)) is errors.INVALID_OTP
    login = auth.generate_otp("9876543211", T0)
    assert error_of(lambda: auth.confirm_consent(login, sha256_hex(last_otp("9876543211")), OPERATOR, T0 + 1)) \
        is errors.INVALID_OTP
    # Neither spent the other's tries: each still works for its own purpose.
    assert auth.confirm_consent(consent, right, OPERATOR, T0 + 2)[0] == MOBILE
    assert auth.confirm_otp(login, sha256_hex(last_otp("9876543211")), T0 + 2).token


def test_another_operator_cannot_use_a_consent_otp(auth):
    an_operator(auth)
    an_operator(auth, "9000000021")
    txn_id = auth.request_consent(OPERATOR, MOBILE, T0)
    right = sha256_hex(last_otp(MOBILE))
    for _ in range(5):
        assert error_of(lambda: auth.confirm_consent(txn_id, right, "9000000021", T0 + 1)) is errors.INVALID_OTP
    assert auth.confirm_consent(txn_id, right, OPERATOR, T0 + 1)[0] == MOBILE


def test_a_switched_off_operator_asks_for_no_consent_and_confirms_none(auth):
    an_operator(auth)
    txn_id = auth.request_consent(OPERATOR, MOBILE, T0)
    an_operator(auth, active=False)
    assert error_of(lambda: auth.confirm_consent(txn_id, sha256_hex(last_otp(MOBILE)), OPERATOR, T0 + 1)) \
        is errors.OPERATOR_INACTIVE
    assert error_of(lambda: auth.request_consent(OPERATOR, "9876543211", T0)) is errors.OPERATOR_INACTIVE
    assert error_of(lambda: auth.request_consent("9000000006", "9876543211", T0)) is errors.OPERATOR_INACTIVE
    assert len(SENT) == 1


def test_consent_tokens_and_login_tokens_never_pass_for_each_other():
    from chalicelib.domain import assisted
    from chalicelib.domain.errors import Unauthenticated
    from chalicelib.domain.roles import Principal, StaffMember
    from chalicelib.services.tokens import issue_consent, issue_token, read_consent

    operator = StaffMember(OPERATOR, "Omkar Operator", frozenset({"operator"}), True, 21, 395, desk="CSC")
    consent = assisted.grant("c-1", operator, MOBILE, T0, PROFILE)
    token = issue_consent(consent, SECRETS.jwt_key)
    assert read_consent(token, SECRETS.jwt_key) == consent
    with pytest.raises(Unauthenticated):
        read_token(token, T0 + 1, SECRETS.jwt_key)  # it would log the operator in as the citizen
    login = issue_token(Principal(MOBILE), T0, SECRETS.jwt_key, 900)
    assert read_consent(login, SECRETS.jwt_key) is None
    assert read_consent(token, b"another stage's key") is None
    header, payload, signature = token.split(".")
    assert read_consent(f"{header}.{payload[:-2]}AA.{signature}", SECRETS.jwt_key) is None
