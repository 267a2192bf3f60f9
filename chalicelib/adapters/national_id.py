"""The national-ID authentication provider (in India, UIDAI's Aadhaar OTP authentication).

The provider sends an OTP to the mobile linked to the ID, then answers whether the OTP the person
typed is right. `IdProvider` is the interface the services use; `SimulatedIdProvider` is what
every stage runs until a real provider (a licensed AUA/KUA integration) is configured.

What the simulator simulates, exactly (docs/identity-verification.md):
- Every valid ID number is linked to one mobile, derived from the number (`linked_mobile`).
  The OTP goes there by SMS through the platform's own SMS path (so `GET /_local/outbox` shows it).
- The OTP has 6 digits, is valid 10 minutes and allows 3 attempts, as UIDAI's does.
- Numbers beginning `9999` behave as a provider timeout; numbers beginning `9990` as an ID with no
  linked mobile (the provider refuses).
- Its state is in memory: a transaction lives as long as the process.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Protocol

from chalicelib.adapters.sms import publish

OTP_VALIDITY_SECONDS = 600
OTP_ATTEMPTS = 3
TIMEOUT_PREFIX = "9999"
NO_MOBILE_PREFIX = "9990"


class ProviderTimeout(Exception):
    """The provider did not answer in time."""


class ProviderRefused(Exception):
    """The provider cannot authenticate this ID (unknown, or no linked mobile)."""


class IdProvider(Protocol):
    def request_otp(self, id_number: str) -> tuple[str, str]:
        """Send an OTP to the ID's linked mobile. Returns (provider transaction id, masked linked mobile)."""

    def verify_otp(self, provider_txn: str, otp: str) -> bool:
        """True when `otp` is the one sent in `provider_txn` and still valid."""


def linked_mobile(id_number: str) -> str:
    """The simulator's ID-linked mobile for a number: fixed per number, a valid Indian mobile."""
    digest = int(hashlib.sha256(id_number.encode()).hexdigest(), 16)
    return f"9{digest % 10**9:09d}"


@dataclass
class _Pending:
    otp: str
    expires_at: float
    attempts: int = 0


class SimulatedIdProvider:
    def __init__(self, clock=time.time):
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def request_otp(self, id_number: str) -> tuple[str, str]:
        if id_number.startswith(TIMEOUT_PREFIX):
            raise ProviderTimeout("simulated provider timeout")
        if id_number.startswith(NO_MOBILE_PREFIX):
            raise ProviderRefused("no mobile linked to this ID")
        mobile = linked_mobile(id_number)
        otp = f"{secrets.randbelow(10**6):06d}"
        txn = str(uuid.uuid4())
        with self._lock:
            self._pending[txn] = _Pending(otp, self._clock() + OTP_VALIDITY_SECONDS)
        publish(mobile, f"{otp} is the OTP to authenticate your ID for vaccination registration. "
                        f"Valid for {OTP_VALIDITY_SECONDS // 60} minutes.")
        return txn, "******" + mobile[-4:]

    def verify_otp(self, provider_txn: str, otp: str) -> bool:
        with self._lock:
            pending = self._pending.get(provider_txn)
            if pending is None or self._clock() >= pending.expires_at or pending.attempts >= OTP_ATTEMPTS:
                return False
            pending.attempts += 1
            if not secrets.compare_digest(pending.otp, otp):
                return False
            del self._pending[provider_txn]
            return True


_provider: IdProvider | None = None


def get_provider() -> IdProvider:
    global _provider
    if _provider is None:
        _provider = SimulatedIdProvider()
    return _provider
