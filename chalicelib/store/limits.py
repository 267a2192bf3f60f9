"""Per-mobile rate limits: a counter per (action, mobile, fixed window), gone by TTL after it.

A hit is one conditional UpdateItem: it counts only while the window is below its limit. The same
update can join another transaction (OTP: counted only when an OTP is really issued).
"""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.domain.limits import Window
from chalicelib.store.base import TeekaModel, table_meta
from chalicelib.store.common import is_condition_failure


class RateItem(TeekaModel):
    Meta = table_meta("rate-limits")
    key = UnicodeAttribute(hash_key=True)  # <action>#<mobile>#<window number>
    count = NumberAttribute(default=0)
    expires_at = TTLAttribute()


def counting(window: Window):
    """The (item, actions, condition) of one hit in `window`, for an update or a transaction."""
    item = RateItem(window.key)
    actions = [RateItem.count.add(1),
               RateItem.expires_at.set(datetime.fromtimestamp(window.ends_at, tz=timezone.utc))]
    return item, actions, RateItem.count.does_not_exist() | (RateItem.count < window.limit)


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
