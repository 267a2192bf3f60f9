"""Slot alerts: a person says once what they wait for, and is texted when seats open.

DynamoDB calls: subscribe = 1 conditional PutItem per slot tried (usually 1; + 1 GetItem when a
beneficiary is named); list = 1 Query (at most the per-mobile limit of items); remove = 1 Query +
1 conditional DeleteItem. A booking expires the mobile's subscriptions for that dose: 1 Query + 1
DeleteItem per expired one.

The fan-out starts from the sessions table's stream (events/sessions.py): an opening (seats of a dose
made free) reads only the subscriptions under the session's district and pincode (1 Query each, a page
per ~1 MB); each matching subscriber costs 1 TransactWriteItems (its once-per-subscription-and-day
mark + the mobile's count for the day, both or neither) and a tenth of an SQS SendMessageBatch. Its
cost grows with the subscribers who match, not with all subscribers.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile
from chalicelib.domain import alerts as rules
from chalicelib.domain import errors, messages
from chalicelib.domain.calendar import format_cowin_date, local_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.limits import Window
from chalicelib.observability import metrics
from chalicelib.services import registration
from chalicelib.services.metadata import district_states
from chalicelib.services.outbox import notify_many
from chalicelib.store import alerts as store
from chalicelib.store import limits as limit_store

DAY = 86400


def subscribe(mobile: str, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    wish = rules.parse_wish(body, district_states(profile), profile)
    if wish.beneficiary_reference_id:
        registration.owned(mobile, wish.beneficiary_reference_id)  # someone else's is "no such beneficiary"
    subscription = rules.Subscription(str(uuid.uuid4()), mobile, 0, wish, now, now + profile.alert_days * DAY)
    kept = store.subscribe(subscription, profile.alerts_per_mobile, now)
    if kept is None:
        raise ApiError(errors.ALERT_LIMIT, f"A mobile may keep {profile.alerts_per_mobile} slot alerts: "
                                           "remove one first")
    metrics.add_metric(name="AlertSubscribed", unit="Count", value=1)
    return kept.view()


def subscriptions(mobile: str, now: int) -> list[dict]:
    return [subscription.view() for subscription in store.of_mobile(mobile, now)]


def unsubscribe(mobile: str, subscription_id: str, now: int) -> None:
    """Only the mobile's own: another's is "no such alert", exactly as a made-up id."""
    found = [s for s in store.of_mobile(mobile, now) if s.subscription_id == subscription_id]
    if not found or not store.remove(mobile, found[0].slot, subscription_id):
        raise ApiError(errors.ALERT_NOT_FOUND)


def booked(mobile: str, reference_ids: list[str], dose: int, now: int) -> None:
    """A booking for `dose` ends the mobile's wait for it: its subscriptions for that dose that name
    one of the booked people, or nobody, expire."""
    for subscription in store.of_mobile(mobile, now):
        wish = subscription.wish
        if wish.dose == dose and wish.beneficiary_reference_id in (None, *reference_ids):
            store.remove(mobile, subscription.slot, subscription.subscription_id)


def on_session_change(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, now: int,
                      profile: CountryProfile) -> int:
    """Text the subscribers whose wish a session's change has just opened; returns how many."""
    texts: list[tuple[str, messages.Sms]] = []
    for opening in rules.openings(old, new, local_date(profile, now).isoformat()):
        for place in opening.places:
            for subscription in store.of_place(place, now):
                if rules.matches(subscription.wish, opening) and _first_today(subscription, opening, now, profile):
                    texts.append((subscription.mobile, messages.slot_open(
                        opening.seats, opening.dose, opening.vaccine, opening.centre, opening.address,
                        format_cowin_date(opening.date))))
    notify_many(texts)
    if texts:
        metrics.add_metric(name="AlertSent", unit="Count", value=len(texts))
    return len(texts)


def _first_today(subscription: rules.Subscription, opening: rules.Opening, now: int,
                 profile: CountryProfile) -> bool:
    """Counts the SMS, both once for this subscription and session day and within the mobile's daily
    allowance, in one transaction; False (and nothing counted) when either is used up."""
    today = local_date(profile, now)
    once = Window(f"alert#{subscription.subscription_id}#{opening.date}", 1,
                  _end_of(date.fromisoformat(opening.date), profile))
    daily = Window(f"alerts#{subscription.mobile}#{today.isoformat()}", profile.alert_sms_per_day,
                   _end_of(today, profile))
    return limit_store.hit_all([once, daily]) is None


def _end_of(day: date, profile: CountryProfile) -> int:
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(profile.time_zone))
    return int(midnight.timestamp())
