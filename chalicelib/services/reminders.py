"""Reminders: each SMS sent once, when it falls due, in the account's language, and only if it is
still needed (a cancelled or moved appointment, a dose given or booked, ends its reminders).

DynamoDB calls: a booking or a reschedule writes 1 reminder (BatchWriteItem of 1 item); a dose 1
(or last dose) writes its 2 (or 1) from the dose stream, off the request path. The scheduled job
(every 15 minutes) queues one message per due day and shard (2 x 16) to the reminders workers; a
worker makes 1 Query of its shard, and per reminder due: 1 read of what it is about (a Query of the
appointment, or a GetItem of the person) and 1 conditional DeleteItem, the one that decides who
sends it; near its time limit it queues its shard again and stops.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import messages
from chalicelib.domain import reminders as rules
from chalicelib.domain.calendar import local_date
from chalicelib.observability import logger, metrics
from chalicelib.services.outbox import notify, queue_reminders
from chalicelib.store import booking as appointments
from chalicelib.store import registration as people
from chalicelib.store import reminders as store


def for_appointment(appointment_id: str, mobile: str, where: messages.Place, session_day: str, now: int,
                    profile: CountryProfile) -> None:
    """Remember to text the day before (`session_day` ISO); a failure here never undoes the booking (it
    is logged)."""
    try:
        reminder = rules.for_appointment(appointment_id, mobile, date.fromisoformat(session_day), where,
                                         local_date(profile, now), profile)
        store.keep([reminder] if reminder else [])
    except Exception:
        metrics.add_metric(name="ReminderNotKept", unit="Count", value=1)
        logger.exception("appointment reminder not kept", extra={"appointment_id": appointment_id})


def after_dose(image: Mapping[str, Any], profile: CountryProfile) -> None:
    """The dose stream's part: what this dose makes due later."""
    vaccine = profile.vaccine(str(image["vaccine"]))
    if vaccine is not None:
        store.keep(rules.after_dose(str(image["beneficiary_reference_id"]), str(image["mobile"]), int(image["dose"]),
                                    date.fromisoformat(str(image["given_on"])), vaccine, profile,
                                    int(image["birth_year"]) if image.get("birth_year") is not None else None,
                                    bool(image.get("precaution"))))


def due_shards(now: int, profile: CountryProfile) -> None:
    """The scheduled job: hand every shard of yesterday and today to the reminders workers, one message
    each, so a morning of millions is sent by many workers at once."""
    today = local_date(profile, now)
    queue_reminders([{"day": day.isoformat(), "shard": shard, "now": now}
                     for day in (today - timedelta(days=1), today) for shard in range(store.SHARDS)])


def send_due(now: int, profile: CountryProfile) -> dict[str, int]:
    """Every shard of yesterday and today at once, here (what the workers do between them)."""
    today = local_date(profile, now)
    counts = {"sent": 0, "dropped": 0}
    for day in (today - timedelta(days=1), today):
        for shard in range(store.SHARDS):
            for kind, n in send_shard(day.isoformat(), shard, now, profile, float("inf")).items():
                counts[kind] += n
    return counts


def send_shard(day: str, shard: int, now: int, profile: CountryProfile, deadline: float) -> dict[str, int]:
    """Send the shard's reminders due by `now` that are still needed, drop the others; past `deadline`
    (monotonic), hand the rest of the shard to another run. Returns how many were sent and dropped."""
    counts = {"sent": 0, "dropped": 0}
    for reminder in store.due(day, shard, now):
        if counts["sent"] + counts["dropped"] and time.monotonic() > deadline:  # one at least: runs move on
            queue_reminders([{"day": day, "shard": shard, "now": now}])
            break
        needed = _still_needed(reminder, profile)
        if not store.take(reminder):
            continue  # another run has it
        if needed:
            notify(reminder.mobile, messages.Sms(reminder.kind, dict(reminder.values)))
        counts["sent" if needed else "dropped"] += 1
    if counts["sent"]:
        metrics.add_metric(name="ReminderSent", unit="Count", value=counts["sent"])
    return counts


def _still_needed(reminder: rules.Reminder, profile: CountryProfile) -> bool:
    if reminder.kind == rules.APPOINTMENT:
        places = [{"status": a.status, "date": a.date} for a in appointments.appointment(reminder.subject)]
        return rules.still_needed(reminder, appointments=places)
    person = people.get(reminder.subject)
    vaccine = profile.vaccine(person.vaccine) if person and person.vaccine else None
    facts = None if person is None or vaccine is None else {
        "doses_given": person.doses_given, "appointment_dose2": person.appointment_dose2,
        "total_doses": vaccine.total_doses,
        "appointment_precaution": getattr(person, f"appointment_dose{vaccine.total_doses + 1}", None)}
    return rules.still_needed(reminder, person=facts)
