"""Per-mobile rate limits: a counter per (action, mobile, fixed window), gone by TTL after it.

A hit is one conditional UpdateItem: it counts only while the window is below its limit. The same
update can join another transaction (OTP: counted only when an OTP is really issued).
"""
from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.domain.limits import Window
from chalicelib.store.base import TeekaModel, table_meta
from chalicelib.store.common import Transaction, is_condition_failure


class RateItem(TeekaModel):
    Meta = table_meta("rate-limits")
    key = UnicodeAttribute(hash_key=True)  # <action>#<mobile>#<window number>
    hits = NumberAttribute(default=0, attr_name="count")  # not `count`: that is Model.count()
    expires_at = TTLAttribute()


def counting(window: Window):
    """The (item, actions, condition) of one hit in `window`, for an update or a transaction."""
    item = RateItem(window.key)
    actions = [RateItem.hits.add(1),
               RateItem.expires_at.set(datetime.fromtimestamp(window.ends_at, tz=UTC))]
    return item, actions, RateItem.hits.does_not_exist() | (RateItem.hits < window.limit)


def hit_all(windows: list[Window]) -> Window | None:
    """Count one attempt in every window at once (one TransactWriteItems); None when counted, else
    a window that was full (and nothing is counted)."""
    def build(transaction: Transaction) -> None:
        for window in windows:
            transaction.change(window.key, *counting(window))

    failed = Transaction(RateItem).attempt(build)
    return None if failed is None else next(window for window in windows if window.key in failed)


def hit(window: Window) -> bool:
    """Count one attempt; False when the window's limit is already reached."""
    item, actions, condition = counting(window)
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True
