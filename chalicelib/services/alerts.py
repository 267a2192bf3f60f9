"""Slot alerts: a person says once what they wait for, and is texted when seats open.

DynamoDB calls: subscribe = 1 conditional PutItem per slot tried (usually 1; + 1 GetItem when a
beneficiary is named); list = 1 Query (at most the per-mobile limit of items); remove = 1 Query +
1 conditional DeleteItem. A booking expires the mobile's subscriptions for that dose: 1 Query + 1
DeleteItem per expired one.

The fan-out starts from the sessions table's stream (events/sessions.py): an opening (seats of a dose
made free) reads only the subscriptions under the session's district and pincode (1 Query per 2,000)
and queues the matching subscribers, 100 to an SQS message, so the alerts workers (events/alerts.py)
text them in parallel; past 8 seconds it queues where to read on, and a worker carries on from there.
Each matching subscriber then costs 1 TransactWriteItems of 3 counters (once per subscription and
session day, once per mobile, session and dose, and the mobile's count for the day: all or none) and
a tenth of an SQS SendMessageBatch. The cost
grows with the subscribers who match, not with all subscribers.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import asdict
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
from chalicelib.services.outbox import notify_many, queue_alerts
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


SUBSCRIBERS_PER_MESSAGE = 100
FANOUT_SECONDS = 8.0  # a run's reading time: then a worker reads on (Lambda's timeout is 15 s)


def on_session_change(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, now: int,
                      profile: CountryProfile, deadline: float) -> int:
    """Find the subscribers whose wish a session's change has just opened, and hand them to the alerts
    queue in batches, so that many workers text them at once; past `deadline` (monotonic), hand over
    where to read on instead. Returns how many were found."""
    found = 0
    for opening in rules.openings(old, new, local_date(profile, now).isoformat()):
        for place in opening.places:
            found += _fan_out(opening, place, None, now, deadline)
    return found


def _fan_out(opening: rules.Opening, place: str, after: dict | None, now: int, deadline: float,
             pages_due: int = 0) -> int:
    """Queue the place's matching subscribers page by page from `after` (None: the first page), reading
    at least `pages_due` pages whatever the time (so a worker's run always moves on)."""
    found, pages = 0, 0
    while True:
        if pages >= pages_due and time.monotonic() > deadline:  # another run reads on from here
            queue_alerts([{"opening": asdict(opening), "place": place, "after": after}])
            return found
        page, after = store.of_place(place, now, after)
        pages += 1
        batch = [[s.mobile, s.subscription_id] for s in page if rules.matches(s.wish, opening)]
        found += len(batch)
        queue_alerts([{"opening": asdict(opening), "subscribers": batch[start:start + SUBSCRIBERS_PER_MESSAGE]}
                      for start in range(0, len(batch), SUBSCRIBERS_PER_MESSAGE)])
        if after is None:
            return found


def tell(message: Mapping[str, Any], now: int, profile: CountryProfile) -> int:
    """The alerts queue's worker: read on through a place's subscribers (a fan-out's continuation), or
    text each subscriber of a batch who has not been told of this session day (nor, by another of the
    mobile's subscriptions, of this session and dose) and still has texts left today. Returns how many
    it found or texted. Redelivered, it texts nobody twice; SMS are queued ten at a time as they are counted."""
    opening = rules.Opening(**message["opening"])
    if "place" in message:
        return _fan_out(opening, message["place"], message["after"], now, time.monotonic() + FANOUT_SECONDS,
                        pages_due=1)
    sms = messages.slot_open(opening.seats, opening.dose, opening.vaccine, opening.centre, opening.address,
                             format_cowin_date(opening.date))
    told, texts = 0, []
    for mobile, subscription_id in message["subscribers"]:
        if _first_today(mobile, subscription_id, opening, now, profile):
            texts.append((mobile, sms))
        if len(texts) == 10:  # an SQS batch; at most these few are counted and not yet queued at a crash
            notify_many(texts)
            told, texts = told + len(texts), []
    notify_many(texts)
    told += len(texts)
    if told:
        metrics.add_metric(name="AlertSent", unit="Count", value=told)
    return told


def _first_today(mobile: str, subscription_id: str, opening: rules.Opening, now: int, profile: CountryProfile) -> bool:
    """Counts the SMS once for this subscription and session day, once for this mobile, session and dose
    (two subscriptions of one mobile, say by district and by pincode, are told once), and within the
    mobile's daily allowance, in one transaction; False (and nothing counted) when any is used up."""
    today = local_date(profile, now)
    session_day_ends = _end_of(date.fromisoformat(opening.date), profile)
    windows = [Window(f"alert#{subscription_id}#{opening.date}", 1, session_day_ends),
               Window(f"alert#{mobile}#{opening.session_id}#{opening.dose}", 1, session_day_ends),
               Window(f"alerts#{mobile}#{today.isoformat()}", profile.alert_sms_per_day, _end_of(today, profile))]
    return limit_store.hit_all(windows) is None


def _end_of(day: date, profile: CountryProfile) -> int:
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(profile.time_zone))
    return int(midnight.timestamp())
