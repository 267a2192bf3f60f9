"""Reminders waiting for their time, kept under their local due day (sharded: a national campaign's
busiest day is millions of reminders, and one key could take only 1,000 writes a second).

The scheduled job reads exactly the due days' shards, never a Scan, and a reminder leaves the table
through one conditional DeleteItem: whoever deletes it sends it, so it is sent once even when two runs
overlap.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from pynamodb.attributes import MapAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import BatchWrite

from chalicelib.domain.reminders import Reminder
from chalicelib.store.base import TeekaModel, table_meta
from chalicelib.store.common import conditionally

SHARDS = 16
KEPT_SECONDS = 7 * 86400  # a reminder the job never reached is gone a week after it fell due


class ReminderItem(TeekaModel):
    Meta = table_meta("reminders")
    due = UnicodeAttribute(hash_key=True)  # <ISO due day>#<shard>
    key = UnicodeAttribute(range_key=True)  # <due epoch, 10 digits>#<kind>#<subject>: sorted by time
    kind = UnicodeAttribute()
    subject = UnicodeAttribute()
    mobile = UnicodeAttribute()
    on = UnicodeAttribute()
    sms_values: MapAttribute = MapAttribute(default=dict)
    expires_at = TTLAttribute()


def _item(reminder: Reminder) -> ReminderItem:
    shard = zlib.crc32(reminder.subject.encode()) % SHARDS
    return ReminderItem(f"{reminder.due_day}#{shard}", f"{reminder.due_at:010d}#{reminder.kind}#{reminder.subject}",
                        kind=reminder.kind, subject=reminder.subject, mobile=reminder.mobile, on=reminder.on,
                        sms_values=dict(reminder.values),
                        expires_at=datetime.fromtimestamp(reminder.due_at + KEPT_SECONDS, tz=UTC))


def _reminder(item: ReminderItem) -> Reminder:
    return Reminder(item.kind, item.subject, item.mobile, int(item.key.split("#")[0]), item.due.split("#")[0],
                    item.on, item.sms_values.as_dict())


def keep(reminders: Iterable[Reminder]) -> None:
    """Write reminders (a batch: they are independent, and a rewrite of the same one is the same item)."""
    batch: BatchWrite
    with ReminderItem.batch_write() as batch:
        for reminder in reminders:
            batch.save(_item(reminder))


def due(day: str, shard: int, now: int) -> Iterator[Reminder]:
    """What is due by `now` in one shard of a day: one Query of only the due range."""
    for item in ReminderItem.query(f"{day}#{shard}", ReminderItem.key <= f"{now:010d}#~"):
        yield _reminder(item)


def take(reminder: Reminder) -> bool:
    """Remove it; True for exactly one caller (who then sends it)."""
    item = _item(reminder)
    return conditionally(lambda: item.delete(condition=ReminderItem.due.exists()))
