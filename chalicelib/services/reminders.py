"""Reminders: each SMS sent once, when it falls due, in the account's language, and only if it is
still needed (a cancelled or moved appointment, a dose given or booked, ends its reminders).

DynamoDB calls: a booking or a reschedule writes 1 reminder (BatchWriteItem of 1 item); a dose 1
(or last dose) writes its 2 (or 1) from the dose stream, off the request path. The scheduled job
(`send_due`, every 15 minutes) makes 1 Query per due day and shard (2 x 16), and per reminder due: 1
read of what it is about (a Query of the appointment, or a GetItem of the person) and 1 conditional
DeleteItem, the one that decides who sends it.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import messages
from chalicelib.domain import reminders as rules
from chalicelib.domain.calendar import local_date
from chalicelib.observability import logger, metrics
from chalicelib.services.outbox import notify
from chalicelib.store import booking as appointments
from chalicelib.store import registration as people
from chalicelib.store import reminders as store


def for_appointment(appointment_id: str, mobile: str, where: messages.Place, session_day: date, now: int,
                    profile: CountryProfile) -> None:
    """Remember to text the day before; a failure here never undoes the booking (it is logged)."""
    reminder = rules.for_appointment(appointment_id, mobile, session_day, where, local_date(profile, now), profile)
    try:
        store.keep([reminder] if reminder else [])
    except Exception:
        metrics.add_metric(name="ReminderNotKept", unit="Count", value=1)
        logger.exception("appointment reminder not kept", extra={"appointment_id": appointment_id})


def after_dose(image: Mapping[str, Any], profile: CountryProfile) -> None:
    """The dose stream's part: what this dose makes due later."""
    vaccine = profile.vaccine(str(image["vaccine"]))
    if vaccine is not None:
        store.keep(rules.after_dose(str(image["beneficiary_reference_id"]), str(image["mobile"]), int(image["dose"]),
                                    date.fromisoformat(str(image["given_on"])), vaccine, profile))


def send_due(now: int, profile: CountryProfile) -> dict[str, int]:
    """Send every reminder due by `now` (yesterday's too, should a run have been missed) that is still
    needed; drop the others. Returns how many of each."""
    today = local_date(profile, now)
    counts = {"sent": 0, "dropped": 0}
    for reminder in store.due([(today - timedelta(days=1)).isoformat(), today.isoformat()], now):
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
        "total_doses": vaccine.total_doses}
    return rules.still_needed(reminder, person=facts)
