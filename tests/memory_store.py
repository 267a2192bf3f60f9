"""In-memory stores: the same interfaces as the DynamoDB ones in `chalicelib.store`, kept in dicts,
so use cases can be tested in microseconds. `tests/service/test_store_contracts.py` runs one set of
checks against both, so the two cannot drift apart. Each method holds a lock for its whole step,
as DynamoDB makes each call atomic."""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

from chalicelib.domain.limits import Window
from chalicelib.domain.otp import OtpTransaction
from chalicelib.domain.roles import StaffMember


class MemoryLoginStore:
    """`services.auth.LoginStore` in memory (the DynamoDB one is `chalicelib.store.auth`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.transactions: dict[str, OtpTransaction] = {}
        self.last_sent: dict[str, tuple[int, str]] = {}  # mobile -> (sent at, txn id): the resend throttle
        self.counts: dict[str, int] = {}  # rate window key -> sends counted
        self.accounts: dict[str, int] = {}  # mobile -> first login
        self.staff: dict[str, StaffMember] = {}
        self.languages: dict[str, str] = {}  # mobile -> its account's language

    def start_otp_transaction(self, txn: OtpTransaction, resend_allowed_after: int, rates: Sequence[Window],
                              also=None, channel: str = "mobile") -> set[str] | None:
        # What joins the transaction (a status check's record), and a status check's own channel: DynamoDB's only.
        if also is not None or channel != "mobile":
            raise NotImplementedError("the in-memory store keeps logins and their OTPs only")
        with self._lock:
            refused = set()
            sent = self.last_sent.get(txn.mobile)
            if sent is not None and sent[0] > resend_allowed_after:
                refused.add("throttle")
            refused |= {rate.key for rate in rates if self.counts.get(rate.key, 0) >= rate.limit}
            if txn.txn_id in self.transactions:
                refused.add("transaction")
            if refused:
                return refused
            self.transactions[txn.txn_id] = replace(txn, attempts=0, consumed=False)
            self.last_sent[txn.mobile] = (txn.issued_at, txn.txn_id)
            for rate in rates:
                self.counts[rate.key] = self.counts.get(rate.key, 0) + 1
            return None

    def release_otp_throttle(self, mobile: str, txn_id: str, channel: str = "mobile") -> None:
        with self._lock:
            if self.last_sent.get(mobile, (0, None))[1] == txn_id:
                del self.last_sent[mobile]

    def spend_otp_attempt(self, txn_id: str, max_attempts: int, now: int,
                          operator: str | None = None) -> OtpTransaction | None:
        with self._lock:
            txn = self.transactions.get(txn_id)
            if txn is None or txn.attempts >= max_attempts or txn.consumed or txn.expires_at <= now \
                    or txn.operator != operator:
                return None
            self.transactions[txn_id] = txn = replace(txn, attempts=txn.attempts + 1)
            return txn

    def consume_otp(self, txn_id: str) -> bool:
        with self._lock:
            txn = self.transactions.get(txn_id)
            if txn is None or txn.consumed:
                return False
            self.transactions[txn_id] = replace(txn, consumed=True)
            return True

    def account_language(self, mobile: str) -> str | None:
        return self.languages.get(mobile)

    def record_login(self, mobile: str, now: int) -> bool:
        with self._lock:
            is_new = mobile not in self.accounts
            self.accounts.setdefault(mobile, now)
            return is_new

    def get_staff(self, mobile: str) -> StaffMember | None:
        with self._lock:
            return self.staff.get(mobile)

    def add_facility_staff(self, mobile: str, name: str, role: str, state_id: int, district_id: int,
                           facility_id: int) -> bool:
        with self._lock:
            current = self.staff.get(mobile)
            if current is not None and current.facility_id != facility_id:
                return False
            roles = (current.roles if current else frozenset()) | {role}
            self.staff[mobile] = StaffMember(mobile, name, roles, True, state_id, district_id, facility_id)
            return True

    def deactivate(self, mobile: str) -> None:
        """A staff record switched off (the seed's and the officers' tools do this in DynamoDB)."""
        with self._lock:
            self.staff[mobile] = replace(self.staff[mobile], active=False)
