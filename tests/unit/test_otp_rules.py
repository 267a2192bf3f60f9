"""OTP rules as pure functions, with an injected clock."""
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import otp

POLICY = otp.OtpPolicy(length=6, validity_seconds=180, max_attempts=3, resend_interval_seconds=180)
PEPPER = b"test-pepper"
T0 = 1_700_000_000


def issued(code: str = "123456", now: int = T0) -> otp.OtpTransaction:
    return otp.issue(POLICY, PEPPER, "txn-1", "9876543210", now, code)


def test_new_otp_has_the_policy_length_and_only_digits():
    for _ in range(200):
        code = otp.new_otp(6)
        assert len(code) == 6 and code.isdigit()


def spent(txn: otp.OtpTransaction, attempts: int = 1, **changes) -> otp.OtpTransaction:
    """The transaction as the store returns it once a guess's attempt is spent."""
    return otp.OtpTransaction(**{**txn.__dict__, "attempts": attempts, **changes})


def test_the_right_hash_within_validity_is_accepted():
    assert otp.judge(POLICY, PEPPER, spent(issued()), otp.sha256_hex("123456"), T0 + 179)


def test_expires_exactly_at_the_end_of_validity():
    assert not otp.judge(POLICY, PEPPER, spent(issued()), otp.sha256_hex("123456"), T0 + 180)


def test_a_wrong_hash_is_wrong():
    assert not otp.judge(POLICY, PEPPER, spent(issued()), otp.sha256_hex("654321"), T0 + 1)


def test_a_guess_beyond_the_attempts_is_refused_even_when_right():
    assert not otp.judge(POLICY, PEPPER, spent(issued(), 4), otp.sha256_hex("123456"), T0 + 1)


def test_two_wrong_attempts_still_allow_the_right_third():
    assert otp.judge(POLICY, PEPPER, spent(issued(), 3), otp.sha256_hex("123456"), T0 + 1)


def test_a_consumed_otp_cannot_be_used_again():
    assert not otp.judge(POLICY, PEPPER, spent(issued(), consumed=True), otp.sha256_hex("123456"), T0 + 1)


def test_only_a_keyed_digest_is_stored_never_the_otp_or_its_plain_hash():
    txn = issued("424242")
    stored = " ".join(str(value) for value in txn.__dict__.values())
    assert "424242" not in stored
    assert otp.sha256_hex("424242") not in stored
    # Without the pepper, the stored digest does not verify.
    assert not otp.judge(POLICY, b"another-pepper", spent(txn), otp.sha256_hex("424242"), T0)


def test_the_digest_is_bound_to_its_transaction():
    a = otp.issue(POLICY, PEPPER, "txn-a", "9876543210", T0, "111111")
    b = otp.issue(POLICY, PEPPER, "txn-b", "9876543210", T0, "111111")
    assert a.otp_digest != b.otp_digest


def test_resend_is_allowed_only_after_the_interval():
    assert otp.resend_allowed_after(POLICY, T0) == T0 - 180


def test_client_hash_case_does_not_matter():
    assert otp.judge(POLICY, PEPPER, spent(issued()), otp.sha256_hex("123456").upper(), T0)


@given(code=st.text(alphabet="0123456789", min_size=6, max_size=6),
       other=st.text(alphabet="0123456789", min_size=6, max_size=6),
       elapsed=st.integers(min_value=0, max_value=179))
def test_property_only_the_issued_code_is_accepted(code, other, elapsed):
    assert otp.judge(POLICY, PEPPER, spent(issued(code)), otp.sha256_hex(other), T0 + elapsed) == (code == other)
