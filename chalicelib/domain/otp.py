"""OTP rules, pure: issue, judge a guess, expiry, attempts and the resend throttle.

The OTP itself is never stored. The client sends sha256(otp) (CoWIN's contract); we store
HMAC(pepper, txn_id + sha256(otp)), so a copy of the table alone cannot be replayed or brute-forced.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from chalicelib.config import CountryProfile


@dataclass(frozen=True)
class OtpPolicy:
    """The country's OTP rules (its numbers live in the country profile only)."""

    length: int
    validity_seconds: int
    max_attempts: int
    resend_interval_seconds: int

    @classmethod
    def from_profile(cls, profile: CountryProfile) -> OtpPolicy:
        return cls(
            length=profile.otp_length,
            validity_seconds=profile.otp_validity_seconds,
            max_attempts=profile.otp_max_attempts,
            resend_interval_seconds=profile.otp_resend_interval_seconds,
        )


@dataclass(frozen=True)
class OtpTransaction:
    txn_id: str
    mobile: str
    otp_digest: str
    issued_at: int
    expires_at: int
    attempts: int = 0
    consumed: bool = False
    # Who asked for it: None for a login; an operator's mobile for a citizen's consent, which only that
    # operator may confirm, and which never logs anybody in (docs/assisted-registration.md); or
    # `kycvs:<checker id>` for a citizen's consent to a status checker (docs/kycvs.md), never a mobile.
    operator: str | None = None


def new_otp(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def otp_digest(pepper: bytes, txn_id: str, client_hash: str) -> str:
    """What we store and compare: keyed by a server secret and bound to the transaction."""
    return hmac.new(pepper, f"{txn_id}:{client_hash.lower()}".encode(), hashlib.sha256).hexdigest()


def issue(policy: OtpPolicy, pepper: bytes, txn_id: str, mobile: str, now: int, otp: str,
          operator: str | None = None) -> OtpTransaction:
    """A login OTP for `mobile`, or, with `operator`, the OTP by which its owner consents to that operator."""
    return OtpTransaction(
        txn_id=txn_id,
        mobile=mobile,
        otp_digest=otp_digest(pepper, txn_id, sha256_hex(otp)),
        issued_at=now,
        expires_at=now + policy.validity_seconds,
        operator=operator,
    )


def resend_allowed_after(policy: OtpPolicy, now: int) -> int:
    """A new OTP for a mobile is allowed only if the last one was sent at or before this instant."""
    return now - policy.resend_interval_seconds


def judge(policy: OtpPolicy, pepper: bytes, txn: OtpTransaction, client_hash: str, now: int,
          operator: str | None = None) -> bool:
    """Whether this guess logs in (or, with `operator`, gives that operator the citizen's consent).
    Called only after the guess's attempt was spent (the stored transaction then counts it), so
    however many guesses arrive at once, at most `max_attempts` of them are ever judged. Every refusal
    is the same answer: none tells which guess was right. A transaction answers only the purpose it
    was issued for: a consent OTP never logs in, nor serves another operator."""
    if txn.operator != operator or txn.consumed or txn.attempts > policy.max_attempts or now >= txn.expires_at:
        return False
    return hmac.compare_digest(otp_digest(pepper, txn.txn_id, client_hash), txn.otp_digest)
