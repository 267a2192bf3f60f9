"""One set of checks, run against the DynamoDB store (moto) and the in-memory one the use-case tests
use: if they ever disagree, the fast tests would be testing a fiction, and this fails first."""
import pytest

from chalicelib.domain import limits, otp
from chalicelib.domain.roles import StaffMember
from chalicelib.store import auth as dynamodb_login_store
from tests.memory_store import MemoryLoginStore

T0 = 1_800_000_000
POLICY = otp.OtpPolicy(length=6, validity_seconds=180, max_attempts=3, resend_interval_seconds=180)


@pytest.fixture(params=["dynamodb", "memory"])
def logins(request):
    if request.param == "dynamodb":
        request.getfixturevalue("aws")
        return dynamodb_login_store
    return MemoryLoginStore()


def hourly(mobile: str, now: int, per_hour: int = 10) -> limits.Window:
    return limits.window(limits.Limit("otp", per_hour, 3600), mobile, now)


def start(store, txn_id: str, mobile: str = "9876543210", now: int = T0, per_hour: int = 10,
          operator: str | None = None, also: tuple[limits.Window, ...] = ()):
    txn = otp.issue(POLICY, b"pepper", txn_id, mobile, now, "123456", operator)
    return store.start_otp_transaction(txn, otp.resend_allowed_after(POLICY, now), [hourly(mobile, now, per_hour),
                                                                                   *also])


def test_an_otp_transaction_throttles_resends_and_counts_the_hour(logins):
    assert start(logins, "a") is None
    assert start(logins, "b", now=T0 + 179) == {"throttle"}
    assert logins.spend_otp_attempt("b", 3, T0 + 179) is None  # nothing was written for the refused one
    assert start(logins, "c", now=T0 + 180) is None
    assert start(logins, "d", mobile="9876543211", now=T0 + 1, per_hour=1) is None
    assert start(logins, "e", mobile="9876543211", now=T0 + 200, per_hour=1) == {hourly("9876543211", T0 + 200).key}


def test_a_consent_otp_counts_in_the_operators_day_too_and_a_full_day_writes_nothing(logins):
    day = limits.local_day("operator-consents", 1, "9000000020", T0, "Asia/Kolkata")
    assert start(logins, "a", mobile="9876543210", operator="9000000020", also=(day,)) is None
    assert start(logins, "b", mobile="9876543211", operator="9000000020", also=(day,)) == {day.key}
    assert logins.spend_otp_attempt("b", 3, T0, "9000000020") is None  # nothing was written for it
    assert start(logins, "c", mobile="9876543211") is None  # its mobile's resend slot was not taken


def test_a_login_and_a_consent_spend_only_their_own_attempts(logins):
    start(logins, "login", mobile="9876543210")
    start(logins, "consent", mobile="9876543211", operator="9000000020")
    assert logins.spend_otp_attempt("login", 3, T0 + 1, "9000000020") is None
    assert logins.spend_otp_attempt("consent", 3, T0 + 1) is None  # a login's guess
    assert logins.spend_otp_attempt("consent", 3, T0 + 1, "9000000021") is None  # another operator's
    spent = logins.spend_otp_attempt("consent", 3, T0 + 1, "9000000020")
    assert spent.attempts == 1 and spent.operator == "9000000020" and spent.mobile == "9876543211"
    assert logins.spend_otp_attempt("login", 3, T0 + 1).operator is None


def test_releasing_the_throttle_frees_only_that_transactions_claim(logins):
    assert start(logins, "a") is None
    logins.release_otp_throttle("9876543210", "not-a")
    assert start(logins, "b", now=T0 + 1) == {"throttle"}
    logins.release_otp_throttle("9876543210", "a")
    assert start(logins, "b", now=T0 + 1) is None


def test_attempts_are_spent_up_to_the_limit_and_never_after_use_or_expiry(logins):
    assert logins.spend_otp_attempt("nope", 3, T0) is None
    start(logins, "a")
    spent = [logins.spend_otp_attempt("a", 3, T0 + 1) for _ in range(4)]
    assert [t.attempts if t else None for t in spent] == [1, 2, 3, None]
    assert spent[0].mobile == "9876543210" and spent[0].expires_at == T0 + 180 and not spent[0].consumed
    start(logins, "b", mobile="9876543211")
    assert logins.spend_otp_attempt("b", 3, T0 + 180) is None  # expired
    assert logins.consume_otp("b") and not logins.consume_otp("b")
    assert logins.spend_otp_attempt("b", 3, T0 + 1) is None  # used
    assert not logins.consume_otp("nope")


def test_the_first_login_makes_the_account(logins):
    assert logins.record_login("9876543210", T0) is True
    assert logins.record_login("9876543210", T0 + 5) is False


def test_staff_are_added_at_one_facility_and_read_as_domain_values(logins):
    assert logins.get_staff("9000000099") is None
    assert logins.add_facility_staff("9000000099", "Vikram", "vaccinator", 21, 395, 100001)
    assert logins.add_facility_staff("9000000099", "Vikram", "verifier", 21, 395, 100001)
    assert not logins.add_facility_staff("9000000099", "Vikram", "verifier", 21, 395, 100002)
    assert logins.get_staff("9000000099") == StaffMember("9000000099", "Vikram", frozenset({"vaccinator", "verifier"}),
                                                          True, 21, 395, 100001)
