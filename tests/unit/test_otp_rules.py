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


def test_the_right_hash_within_validity_is_accepted():
    txn = issued()
    assert otp.verify(POLICY, PEPPER, txn, otp.sha256_hex("123456"), T0 + 179) is otp.Verdict.ACCEPTED


def test_expires_exactly_at_the_end_of_validity():
    txn = issued()
    assert otp.verify(POLICY, PEPPER, txn, otp.sha256_hex("123456"), T0 + 180) is otp.Verdict.EXPIRED


def test_a_wrong_hash_is_wrong():
    assert otp.verify(POLICY, PEPPER, issued(), otp.sha256_hex("654321"), T0 + 1) is otp.Verdict.WRONG


def test_attempts_exhausted_burns_even_the_right_code():
    txn = issued()
    burned = otp.OtpTransaction(**{**txn.__dict__, "attempts": 3})
    assert otp.verify(POLICY, PEPPER, burned, otp.sha256_hex("123456"), T0 + 1) is otp.Verdict.ATTEMPTS_EXHAUSTED


def test_two_wrong_attempts_still_allow_the_right_one():
    txn = otp.OtpTransaction(**{**issued().__dict__, "attempts": 2})
    assert otp.verify(POLICY, PEPPER, txn, otp.sha256_hex("123456"), T0 + 1) is otp.Verdict.ACCEPTED


def test_a_consumed_otp_cannot_be_used_again():
    txn = otp.OtpTransaction(**{**issued().__dict__, "consumed": True})
    assert otp.verify(POLICY, PEPPER, txn, otp.sha256_hex("123456"), T0 + 1) is otp.Verdict.ALREADY_USED


def test_only_a_keyed_digest_is_stored_never_the_otp_or_its_plain_hash():
    txn = issued("424242")
    stored = " ".join(str(value) for value in txn.__dict__.values())
    assert "424242" not in stored
    assert otp.sha256_hex("424242") not in stored
    # Without the pepper, the stored digest does not verify.
    assert otp.verify(POLICY, b"another-pepper", txn, otp.sha256_hex("424242"), T0) is otp.Verdict.WRONG


def test_the_digest_is_bound_to_its_transaction():
    a = otp.issue(POLICY, PEPPER, "txn-a", "9876543210", T0, "111111")
    b = otp.issue(POLICY, PEPPER, "txn-b", "9876543210", T0, "111111")
    assert a.otp_digest != b.otp_digest


def test_resend_is_allowed_only_after_the_interval():
    assert otp.resend_allowed_after(POLICY, T0) == T0 - 180


def test_client_hash_case_does_not_matter():
    txn = issued()
    assert otp.verify(POLICY, PEPPER, txn, otp.sha256_hex("123456").upper(), T0) is otp.Verdict.ACCEPTED


@given(code=st.text(alphabet="0123456789", min_size=6, max_size=6),
       other=st.text(alphabet="0123456789", min_size=6, max_size=6),
       elapsed=st.integers(min_value=0, max_value=179))
def test_property_only_the_issued_code_is_accepted(code, other, elapsed):
    txn = issued(code)
    verdict = otp.verify(POLICY, PEPPER, txn, otp.sha256_hex(other), T0 + elapsed)
    assert (verdict is otp.Verdict.ACCEPTED) == (code == other)
