"""Slot-alert subscriptions: kept under their mobile, read by the fan-out under their place.

A mobile has `limit` numbered places ("slots") for subscriptions: subscribing writes the first slot
that is empty or expired, conditionally, so parallel requests can never hold more than the limit and
an expired subscription frees its slot without any clean-up. The index `by_place` ("district#395",
"pincode#400059") gives the fan-out exactly the subscriptions of one place.
"""
from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.domain.alerts import Subscription, Wish
from chalicelib.store.base import TeekaModel, table_meta
from chalicelib.store.common import conditionally

PAGE = 2000  # subscriptions a fan-out reads per Query (~250 bytes each)


class SubscriptionsByPlace(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-place"
        projection = AllProjection()

    place = UnicodeAttribute(hash_key=True)
    subscription_id = UnicodeAttribute(range_key=True)


class SubscriptionItem(TeekaModel):
    Meta = table_meta("alert-subscriptions")
    mobile = UnicodeAttribute(hash_key=True)
    slot = NumberAttribute(range_key=True)  # 1..the country's limit per mobile
    subscription_id = UnicodeAttribute()
    place = UnicodeAttribute()
    min_age_limit = NumberAttribute()
    dose = NumberAttribute()
    vaccine = UnicodeAttribute(null=True)
    fee_type = UnicodeAttribute(null=True)
    beneficiary_reference_id = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    expires_at = TTLAttribute()  # DynamoDB deletes it some time after; reads check it themselves
    by_place = SubscriptionsByPlace()


def _record(item: SubscriptionItem) -> Subscription:
    wish = Wish(item.place, int(item.min_age_limit), int(item.dose), item.vaccine, item.fee_type,
                item.beneficiary_reference_id)
    return Subscription(item.subscription_id, item.mobile, int(item.slot), wish, int(item.created_at),
                              int(item.expires_at.timestamp()))


def subscribe(subscription: Subscription, limit: int, now: int) -> Subscription | None:
    """Keep the subscription in the mobile's first free slot (one conditional PutItem per slot tried);
    None when all `limit` are taken by live subscriptions."""
    for slot in range(1, limit + 1):
        item = SubscriptionItem(
            subscription.mobile, slot, subscription_id=subscription.subscription_id, place=subscription.wish.place,
            min_age_limit=subscription.wish.min_age_limit, dose=subscription.wish.dose,
            vaccine=subscription.wish.vaccine, fee_type=subscription.wish.fee_type,
            beneficiary_reference_id=subscription.wish.beneficiary_reference_id, created_at=subscription.created_at,
            expires_at=datetime.fromtimestamp(subscription.expires_at, tz=UTC))
        if conditionally(partial(item.save, condition=SubscriptionItem.mobile.does_not_exist()
                                 | (SubscriptionItem.expires_at <= datetime.fromtimestamp(now, tz=UTC)))):
            return _record(item)
    return None


def of_mobile(mobile: str, now: int) -> list[Subscription]:
    """The mobile's live subscriptions: one strongly consistent Query of at most `limit` items (a
    subscription made a moment ago is there to remove, or to expire by a booking)."""
    return [_record(item) for item in SubscriptionItem.query(mobile, consistent_read=True)
            if item.expires_at.timestamp() > now]


def remove(mobile: str, slot: int, subscription_id: str) -> bool:
    """Delete the subscription, only if that slot still holds it."""
    return conditionally(lambda: SubscriptionItem(mobile, slot).delete(
        condition=SubscriptionItem.subscription_id == subscription_id))


def of_place(place: str, now: int, after: dict | None = None) -> tuple[list[Subscription], dict | None]:
    """One page (`PAGE` items, ~1 MB at most) of a place's live subscriptions from `after`, and where
    the next page starts (None after the last). The index is eventually consistent: a subscription
    made a second ago may miss an opening."""
    items = SubscriptionItem.by_place.query(place, last_evaluated_key=after, limit=PAGE)
    found = [_record(item) for item in items if item.expires_at.timestamp() > now]
    return found, items.last_evaluated_key
