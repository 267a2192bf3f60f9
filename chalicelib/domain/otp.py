"""OTP rules, pure: issue, verify, expiry, attempts and the resend throttle.

The OTP itself is never stored. The client sends sha256(otp) (CoWIN's contract); we store
HMAC(pepper, txn_id + sha256(otp)), so a copy of the table alone cannot be replayed or brute-forced.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import Enum

from chalicelib.config import CountryProfile


@dataclass(frozen=True)
class OtpPolicy:
    length: int = 6
    validity_seconds: int = 180
    max_attempts: int = 3
    resend_interval_seconds: int = 180

    @classmethod
    def from_profile(cls, profile: CountryProfile) -> "OtpPolicy":
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


class Verdict(Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    ALREADY_USED = "already_used"


def new_otp(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def otp_digest(pepper: bytes, txn_id: str, client_hash: str) -> str:
    """What we store and compare: keyed by a server secret and bound to the transaction."""
    return hmac.new(pepper, f"{txn_id}:{client_hash.lower()}".encode(), hashlib.sha256).hexdigest()


def issue(policy: OtpPolicy, pepper: bytes, txn_id: str, mobile: str, now: int, otp: str) -> OtpTransaction:
    return OtpTransaction(
        txn_id=txn_id,
        mobile=mobile,
        otp_digest=otp_digest(pepper, txn_id, sha256_hex(otp)),
        issued_at=now,
        expires_at=now + policy.validity_seconds,
    )


def resend_allowed_after(policy: OtpPolicy, now: int) -> int:
    """A new OTP for a mobile is allowed only if the last one was sent at or before this instant."""
    return now - policy.resend_interval_seconds


def verify(policy: OtpPolicy, pepper: bytes, txn: OtpTransaction, client_hash: str, now: int) -> Verdict:
    if txn.consumed:
        return Verdict.ALREADY_USED
    if txn.attempts >= policy.max_attempts:
        return Verdict.ATTEMPTS_EXHAUSTED
    if now >= txn.expires_at:
        return Verdict.EXPIRED
    presented = otp_digest(pepper, txn.txn_id, client_hash)
    if hmac.compare_digest(presented, txn.otp_digest):
        return Verdict.ACCEPTED
    return Verdict.WRONG
