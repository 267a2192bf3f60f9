"""Booking rules, pure: what a schedule request is, who may take a seat in a session, and what is free.

The same rules run before every write; the write's conditions then re-check whatever could have
changed in between (capacity, the beneficiary's appointment for the dose, the dose count).
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.config import MAX_DOSE_NUMBER, CountryProfile
from chalicelib.domain import errors, inputs, programmes
from chalicelib.domain.errors import ApiError

REFERENCE_ID_LENGTH = 14


@dataclass(frozen=True)
class ScheduleRequest:
    dose: int
    session_id: str
    slot: str
    beneficiaries: tuple[str, ...]
    center_id: int | None = None  # optional in CoWIN; when given, the session must be at that centre


@dataclass(frozen=True)
class SessionFacts:
    """What the rules need of a session."""

    date: date
    vaccine: str
    min_age_limit: int
    max_age_limit: int | None
    allow_all_age: bool
    status: str
    slots: tuple[str, ...]
    closed_at: int | None = None  # closed at the end of its day (docs/stock.md)


@dataclass(frozen=True)
class BeneficiaryFacts:
    """What the rules need of a beneficiary."""

    reference_id: str
    birth_year: int
    doses_given: int
    vaccine: str | None  # the primary series' vaccine
    dose_dates: tuple[date, ...]  # the date of each dose given, by number
    booked_doses: frozenset[int]  # doses with an active appointment
    occupation: str | None = None
    comorbidity: bool = False

    def programme_person(self) -> programmes.Person:
        return programmes.Person(self.birth_year, self.doses_given, self.vaccine, self.dose_dates,
                                 self.occupation, self.comorbidity)


def parse_dose(body: Mapping[str, Any]) -> int:
    """`dose` may arrive as 1, 1.0 or "1"."""
    try:
        dose = inputs.integer(body, "dose")
    except ApiError as error:
        raise error if error.error is errors.INPUT_MISSING else ApiError(errors.INVALID_DOSE) from None
    if not 1 <= dose <= MAX_DOSE_NUMBER:
        raise ApiError(errors.INVALID_DOSE)
    return dose


def reference_ids(raw: Any, profile: CountryProfile, name: str = "beneficiaries") -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise ApiError(errors.INPUT_MISSING, f"Input parameter missing: {name}")
    if len(raw) > profile.max_beneficiaries_per_appointment:
        raise ApiError(errors.TOO_MANY_BENEFICIARIES,
                       f"At most {profile.max_beneficiaries_per_appointment} beneficiaries per appointment")
    ids = tuple(str(item).strip() for item in raw)
    if any(not (i.isascii() and i.isdigit() and len(i) == REFERENCE_ID_LENGTH) for i in ids):
        raise ApiError(errors.BENEFICIARY_NOT_FOUND)
    if len(set(ids)) != len(ids):
        raise ApiError(errors.INVALID_INPUT, "A beneficiary appears twice")
    return ids


def parse_schedule(body: Mapping[str, Any], profile: CountryProfile) -> ScheduleRequest:
    return ScheduleRequest(
        dose=parse_dose(body),
        session_id=inputs.text(body, "session_id", max_length=64),
        slot=inputs.text(body, "slot", max_length=40).upper(),
        beneficiaries=reference_ids(body.get("beneficiaries"), profile),
        center_id=inputs.integer(body, "center_id") if body.get("center_id") not in (None, "") else None,
    )


def check_session(session: SessionFacts, slot: str, today: date) -> None:
    if session.status != "ACTIVE":
        raise ApiError(errors.SESSION_CANCELLED)
    if session.closed_at is not None:
        raise ApiError(errors.SESSION_CLOSED, "This session is closed: book another one")
    if session.date < today:
        raise ApiError(errors.SESSION_OVER)
    if slot not in session.slots:
        raise ApiError(errors.INVALID_SLOT)


def check_age(person: BeneficiaryFacts, session: SessionFacts, profile: CountryProfile) -> None:
    """The session's age limits, at booking and again when the dose is given."""
    age = programmes.age_on(session.date, person.birth_year)
    too_old = session.max_age_limit is not None and age > session.max_age_limit and not session.allow_all_age
    if age < session.min_age_limit and not (session.allow_all_age and age >= profile.min_age_years) or too_old:
        ages = f"{session.min_age_limit}{'+' if session.max_age_limit is None else f'-{session.max_age_limit}'}"
        raise ApiError(errors.AGE_NOT_ELIGIBLE,
                       f"Beneficiary {person.reference_id[-4:]} is {age}; this session is for ages {ages}")


def check_eligible(person: BeneficiaryFacts, session: SessionFacts, dose: int, profile: CountryProfile) -> None:
    """Raise the first rule `person` breaks for `dose` at `session`: the session's ages, one appointment
    per dose, the dose order, then the programme (`programmes.check`, keeping to intervals' ends)."""
    check_age(person, session, profile)
    if dose in person.booked_doses:
        raise ApiError(errors.ALREADY_BOOKED)
    vaccine = profile.vaccine(session.vaccine)
    if vaccine is None:  # a session is planned only with one of the country's vaccines
        raise ApiError(errors.UNKNOWN_VACCINE)
    if person.doses_given >= dose:
        raise ApiError(errors.DOSE_ORDER, f"Dose {dose} is already recorded for this beneficiary")
    if person.doses_given < dose - 1:
        raise ApiError(errors.DOSE_ORDER, f"Dose {dose} needs dose {dose - 1} first")
    programmes.check(person.programme_person(), dose, vaccine, session.date, profile, keep_to_window=True)


def available(capacity: int, booked: int) -> int:
    return max(capacity - booked, 0)


def seats_left(dose_capacity: int, dose_booked: int, slot_capacity: int, slot_booked: int) -> int:
    """A booking needs a seat of its dose and a seat in its slot."""
    return min(available(dose_capacity, dose_booked), available(slot_capacity, slot_booked))


def security_code(key: bytes, appointment_id: str) -> str:
    """The 4 digits a vaccinator asks for at the centre (printed on the slip, sent by SMS): a keyed
    hash of the appointment id, so no table holds it and a copy of the tables cannot reveal it."""
    digest = hmac.new(key, f"security-code:{appointment_id}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest, 'big') % 10_000:04d}"

