"""What operators did for citizens: one append-only record per consent and per action, by operator and
time, and by citizen (docs/assisted-registration.md).

An action's record and the operator's count for the day join the action's own transaction (`acting`):
the registration's, the booking's or the cancellation's TransactWriteItems. So no action exists
without its record, no record without its action, and the day's count never passes the limit
however many of the operator's requests arrive at once.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.domain.assisted import Consent
from chalicelib.domain.limits import Window
from chalicelib.domain.records import AssistedActionRecord
from chalicelib.store import limits
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.common import Transaction

# The labels of the items `acting` adds to an action's transaction.
LIMIT, RECORD = "operator:limit", "operator:record"


class ActionsByCitizen(GlobalSecondaryIndex):
    """Who acted for a mobile, newest first: what its owner reads."""

    class Meta:
        index_name = "by-citizen"
        projection = AllProjection()

    citizen = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)


class AssistedActionItem(TeekaModel):
    Meta = table_meta("assisted-actions")
    operator = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)  # ISO time (UTC) + "#" + a unique suffix
    citizen = UnicodeAttribute()
    action = UnicodeAttribute()
    consent_id = UnicodeAttribute()
    operator_name = UnicodeAttribute()
    desk = UnicodeAttribute()
    state_id = NumberAttribute()
    done_at = NumberAttribute()
    district_id = NumberAttribute(null=True)
    beneficiaries = ListAttribute(of=UnicodeAttribute, default=list)
    appointment_id = UnicodeAttribute(null=True)
    center_id = NumberAttribute(null=True)
    by_citizen = ActionsByCitizen()


def instant(epoch_seconds: int) -> str:
    """How a record's sort key writes a moment: ISO 8601 in UTC, which sorts as time does."""
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat()


def new_action(consent: Consent, action: str, state_id: int, district_id: int | None, now: int,
               beneficiaries: Sequence[str] = (), appointment_id: str | None = None,
               center_id: int | None = None) -> AssistedActionRecord:
    """The record of one action under `consent`, by its operator working in (state, district)."""
    return AssistedActionRecord(
        consent.operator, f"{instant(now)}#{uuid.uuid4().hex[:12]}", citizen=consent.citizen, action=action,
        consent_id=consent.consent_id, operator_name=consent.operator_name, desk=consent.desk, state_id=state_id,
        done_at=now, district_id=district_id, beneficiaries=tuple(beneficiaries), appointment_id=appointment_id,
        center_id=center_id)


def acting(today: Window, record: AssistedActionRecord) -> Callable[[Transaction], None]:
    """What an operator's action adds to its own transaction: one more in the operator's day (refused,
    as LIMIT, when the day is full) and its record (never refused: its key is new)."""
    def build(transaction: Transaction) -> None:
        transaction.change(LIMIT, *limits.counting(today))
        transaction.put(RECORD, item_of(record, AssistedActionItem),
                        condition=AssistedActionItem.at.does_not_exist())

    return build


def record_consent(record: AssistedActionRecord) -> None:
    """One PutItem: the consent's record, written before the consent is handed to the operator."""
    item_of(record, AssistedActionItem).save(condition=AssistedActionItem.at.does_not_exist())


def _records(items: Iterable[AssistedActionItem]) -> list[AssistedActionRecord]:
    return [record_of(item, AssistedActionRecord) for item in items]


def by_operator(operator: str, start: int, end: int) -> list[AssistedActionRecord]:
    """The operator's records from `start` up to (not including) `end`, oldest first: one Query (a
    page per MB: an operator's month is a few hundred small items)."""
    return _records(AssistedActionItem.query(operator, AssistedActionItem.at.between(instant(start), instant(end))))


def for_citizen(citizen: str, limit: int) -> list[AssistedActionRecord]:
    """The newest `limit` records of what operators did for this mobile: one Query of its index."""
    return _records(AssistedActionItem.by_citizen.query(citizen, scan_index_forward=False, limit=limit))
