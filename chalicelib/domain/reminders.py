"""Reminders, the rules: which SMS falls due when, and whether it is still needed when it does.

- the day before an appointment, at the country's `reminder_hour` (local time);
- dose 2 when its window opens (the minimum interval after dose 1), and a last call
  `dose2_closing_reminder_days` before it closes (the maximum interval);
- a precaution dose, on the first day the programme gives the person one after the last primary dose
  (`programmes.precaution_due`: the interval, and a cohort of the person's age open for it; none where
  the country's programme gives none).
Each is due at an instant and kept under its local due day; services/reminders.py sends what is due.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile, Vaccine
from chalicelib.domain import messages, programmes
from chalicelib.domain.calendar import format_cowin_date

APPOINTMENT, DOSE2_OPEN, DOSE2_CLOSING, PRECAUTION = "appointment_tomorrow", "dose2_open", "dose2_closing", \
    "precaution_due"


@dataclass(frozen=True)
class Reminder:
    kind: str  # also its SMS template
    subject: str  # the appointment id, or the beneficiary reference id
    mobile: str
    due_at: int  # epoch seconds
    due_day: str  # ISO: the local day it falls due, the key the job reads
    on: str  # ISO: the appointment's day, or the dose's, it is about
    values: Mapping[str, Any] = field(default_factory=dict)  # its SMS's (the template is the kind)


def _at(day: date, hour: int, profile: CountryProfile) -> tuple[int, str]:
    moment = datetime.combine(day, time(hour), ZoneInfo(profile.time_zone))
    return int(moment.timestamp()), day.isoformat()


def for_appointment(appointment_id: str, mobile: str, session_day: date, where: messages.Place, today: date,
                    profile: CountryProfile) -> Reminder | None:
    """The day before, at the reminder hour; none for an appointment today (or past)."""
    if session_day <= today:
        return None
    due_at, due_day = _at(session_day - timedelta(days=1), profile.reminder_hour, profile)
    return Reminder(APPOINTMENT, appointment_id, mobile, due_at, due_day, session_day.isoformat(),
                    messages.appointment_tomorrow(appointment_id, where).values)


def after_dose(reference_id: str, mobile: str, dose: int, given_on: date, vaccine: Vaccine,
               profile: CountryProfile, birth_year: int | None = None, precaution: bool = False) -> list[Reminder]:
    """What a dose makes due later: dose 2's opening and last call after dose 1 of a two-dose vaccine;
    the precaution dose after the last primary dose, where the country gives one."""
    hour, found = profile.reminder_hour, []
    if dose == 1 and vaccine.total_doses >= 2:
        opens, closes = programmes.window(given_on, vaccine.min_interval_days, vaccine.max_interval_days)
        closes = closes or opens
        last_call = max(closes - timedelta(days=profile.dose2_closing_reminder_days), opens + timedelta(days=1))
        found.append(Reminder(DOSE2_OPEN, reference_id, mobile, *_at(opens, hour, profile), given_on.isoformat(),
                              messages.dose2_open(vaccine.name, reference_id).values))
        found.append(Reminder(DOSE2_CLOSING, reference_id, mobile, *_at(last_call, hour, profile),
                              given_on.isoformat(),
                              messages.dose2_closing(vaccine.name, reference_id, format_cowin_date(closes)).values))
    due = programmes.precaution_due(birth_year, vaccine, given_on, profile) \
        if dose == vaccine.total_doses and not precaution and birth_year is not None else None
    if due is not None:
        found.append(Reminder(PRECAUTION, reference_id, mobile, *_at(due, hour, profile), given_on.isoformat(),
                              messages.precaution_due(vaccine.name, reference_id).values))
    return found


def still_needed(reminder: Reminder, appointments: Sequence[Mapping[str, Any]] = (),
                 person: Mapping[str, Any] | None = None) -> bool:
    """An appointment reminder: one of its places is still booked, on the day it was made for. A dose
    reminder: the person (with `total_doses` of their vaccine) still exists, and has neither received nor
    booked the dose it is about."""
    if reminder.kind == APPOINTMENT:
        return any(a["status"] == "BOOKED" and a["date"] == reminder.on for a in appointments)
    if person is None:
        return False
    if reminder.kind in (DOSE2_OPEN, DOSE2_CLOSING):
        return int(person["doses_given"]) < 2 and not person.get("appointment_dose2")
    # No precaution dose yet, nor one booked.
    return int(person["doses_given"]) == int(person["total_doses"]) and not person.get("appointment_precaution")
