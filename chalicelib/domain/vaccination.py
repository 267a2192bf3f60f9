"""Dose capture rules, pure: what a dose record is, when a dose may be given, offline time windows,
the door check, and the allowance report's arithmetic.

The same rules run before every write; the write's conditions then re-check what could change in
between (the dose slot, the beneficiary's dose count and vaccine, the appointment, the capacity).
"""
from __future__ import annotations

import csv
import hmac
import io
import math
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile
from chalicelib.domain import booking, errors, identity, inputs, programmes
from chalicelib.domain.errors import ApiError

BATCH_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9\-/.]{2,19}")
AEFI_SEVERITIES = ("minor", "severe", "serious")  # CoWIN's AEFI classes
MAX_SYMPTOMS = 10
MAX_BATCH_RECORDS = 100
MAX_REPORT_DAYS = 31


@dataclass(frozen=True)
class Completion:
    """The booked appointment a dose completes, and what the door check must have left on it."""

    appointment_id: str
    must_be_verified: bool  # nobody looked at the photo ID at the vaccinator's table
    code_limit: int  # at this many wrong security codes, an unverified appointment is locked


@dataclass(frozen=True)
class IdCheck:
    """The photo ID the vaccinator looked at in person: its type and last 4 characters."""

    photo_id_type: int
    last4: str


@dataclass(frozen=True)
class DoseRequest:
    """A validated request to record one dose (in real time or from an offline device)."""

    beneficiary_reference_id: str
    session_id: str
    vaccine: str
    batch: str
    dose: int
    given_at: int  # epoch seconds
    id_check: IdCheck | None = None


@dataclass(frozen=True)
class Capture:
    """How an offline record came to be: its client UUID, device, capture time and capturer."""

    record_uuid: str
    device_id: str
    captured_at: int
    vaccinator: str


_EARLIEST = int(datetime(inputs.FIRST_YEAR, 1, 1, tzinfo=UTC).timestamp())
_LATEST = int(datetime(inputs.LAST_YEAR + 1, 1, 1, tzinfo=UTC).timestamp())


def parse_time(value: Any, name: str, profile: CountryProfile) -> int:
    """Epoch seconds, or ISO 8601 (a time without an offset is the country's local time), within the
    years dates may have (so that every later date computation stays in range)."""
    invalid = ApiError(errors.INVALID_DOSE_TIME, f"{name} must be ISO 8601 or epoch seconds, "
                                                 f"in the years {inputs.FIRST_YEAR} to {inputs.LAST_YEAR}")
    if isinstance(value, bool):
        raise invalid
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, (int, float)):
        if not (math.isfinite(value) and _EARLIEST <= value < _LATEST):
            raise invalid
        return int(value)
    if not isinstance(value, str) or not value.strip():
        raise invalid
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise invalid from None
    if not inputs.FIRST_YEAR <= moment.year <= inputs.LAST_YEAR:
        raise invalid
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(profile.time_zone))
    return int(moment.timestamp())


def check_time(moment: int, now: int, oldest: int, profile: CountryProfile, name: str) -> None:
    """Not in the future (beyond the clock skew a device may have), not before `oldest`."""
    if moment > now + profile.clock_skew_seconds:
        raise ApiError(errors.INVALID_DOSE_TIME, f"{name} is in the future")
    if moment < oldest:
        raise ApiError(errors.INVALID_DOSE_TIME, f"{name} is too old")


def local_day(moment: int, profile: CountryProfile) -> date:
    return datetime.fromtimestamp(moment, ZoneInfo(profile.time_zone)).date()


def iso_moment(moment: int, profile: CountryProfile) -> str:
    """The country's local time with its offset, e.g. 2026-11-23T10:15:00+05:30."""
    return datetime.fromtimestamp(moment, ZoneInfo(profile.time_zone)).isoformat(timespec="seconds")


def parse_batch(body: Mapping[str, Any]) -> str:
    batch = inputs.text(body, "batch", max_length=40).upper()
    if not BATCH_PATTERN.fullmatch(batch):
        raise ApiError(errors.INVALID_BATCH_NUMBER)
    return batch


def parse_id_check(body: Mapping[str, Any]) -> IdCheck | None:
    """The in-person photo-ID check, when the record carries one."""
    if body.get("photo_id_type") in (None, "") and body.get("id_last4") in (None, ""):
        return None
    last4 = identity.normalise(inputs.text(body, "id_last4", max_length=8))
    if len(last4) != 4 or not last4.isalnum():
        raise ApiError(errors.INVALID_INPUT, "id_last4 must be the last 4 characters of the photo ID")
    return IdCheck(inputs.integer(body, "photo_id_type"), last4)


def parse_reference_id(body: Mapping[str, Any], profile: CountryProfile) -> str:
    return booking.reference_ids([inputs.text(body, "beneficiary_reference_id", max_length=20)], profile)[0]


def parse_dose_request(body: Mapping[str, Any], profile: CountryProfile, default_time: int,
                       reference_id: str | None = None) -> DoseRequest:
    """`reference_id`: given for a walk-in, whose id is made at registration (and whose photo ID is
    checked by registering it); otherwise from the body."""
    return DoseRequest(
        beneficiary_reference_id=reference_id or parse_reference_id(body, profile),
        session_id=inputs.text(body, "session_id", max_length=64),
        vaccine=inputs.text(body, "vaccine", max_length=40).upper(),
        batch=parse_batch(body),
        dose=booking.parse_dose(body),
        given_at=parse_time(body["given_at"], "given_at", profile) if body.get("given_at") not in (None, "")
        else default_time,
        id_check=parse_id_check(body) if reference_id is None else None,
    )


def parse_capture(body: Mapping[str, Any], profile: CountryProfile) -> Capture:
    raw_uuid = inputs.text(body, "uuid", max_length=64)
    try:
        record_uuid = str(uuid.UUID(raw_uuid))
    except ValueError:
        raise ApiError(errors.INVALID_INPUT, "uuid must be a UUID") from None
    return Capture(record_uuid=record_uuid, device_id=inputs.text(body, "device_id", max_length=64),
                   captured_at=parse_time(inputs.field(body, "captured_at"), "captured_at", profile),
                   vaccinator=inputs.mobile(body, "vaccinator", profile.mobile_pattern))


def check_id(check: IdCheck, photo_id_type: int, id_last4: str) -> None:
    if check.photo_id_type != photo_id_type or not hmac.compare_digest(check.last4, id_last4.upper()):
        raise ApiError(errors.ID_CHECK_FAILED)


def codes_match(expected: str, given: Any) -> bool:
    """The appointment's 4-digit security code, compared in constant time."""
    return isinstance(given, (str, int)) and not isinstance(given, bool) and hmac.compare_digest(
        expected.encode(), str(given).strip().encode())


def check_dose(person: booking.BeneficiaryFacts, session: booking.SessionFacts, dose: int, vaccine: str,
               given_on: date, profile: CountryProfile, *, given_at: int | None = None, offline: bool = False) -> None:
    """Raise the first rule broken by giving `dose` of `vaccine` to `person` at `session` on `given_on`
    (at `given_at`; `offline`: captured on a device and synced later): the session's, the dose order,
    then the programme's (`programmes.check`, the one booking asks too). A late dose is still given
    (an interval's end only steers booking), as vaccination guidance says not to restart a series.
    A closed session takes no more doses recorded in real time; an offline record of a dose given
    before the close (and synced after it) is still recorded: the dose happened (docs/stock.md)."""
    if vaccine != session.vaccine:
        raise ApiError(errors.WRONG_VACCINE, f"This session gives {session.vaccine}, not {vaccine}")
    if given_on != session.date:
        raise ApiError(errors.INVALID_DOSE_TIME, "The dose must be given on the session's date")
    if session.status != "ACTIVE":
        raise ApiError(errors.SESSION_CANCELLED)
    if session.closed_at is not None and not (offline and given_at is not None and given_at <= session.closed_at):
        raise ApiError(errors.SESSION_CLOSED, "This session is closed: no more doses are recorded at it "
                                              "(an offline record of a dose given before the close still is)")
    booking.check_age(person, session, profile)
    known = profile.vaccine(vaccine)
    if known is None:
        raise ApiError(errors.INVALID_DOSE, f"{vaccine} is not one of the programme's vaccines")
    if person.doses_given >= dose:
        raise ApiError(errors.DOSE_ALREADY_RECORDED)
    if person.doses_given < dose - 1:
        raise ApiError(errors.DOSE_ORDER, f"Dose {dose} needs dose {dose - 1} first")
    programmes.check(person.programme_person(), dose, known, given_on, profile, keep_to_window=False)


def is_locked(code_attempts: int, verified: bool, limit: int) -> bool:
    """Every security-code attempt counts, right or wrong, before it is judged; once the limit is
    spent without a right one, the appointment waits for a facility admin."""
    return code_attempts >= limit and not verified


def appointment_status(status: str, verified: bool, session_date: date, today: date) -> str:
    """What the centre sees for an appointment: booked, verified, vaccinated, or no-show."""
    if status == "COMPLETED":
        return "vaccinated"
    if session_date < today:
        return "no-show"
    return "verified" if verified else "booked"


@dataclass(frozen=True)
class DoseCorrection:
    reason: str
    batch: str | None
    given_at: int | None


def parse_correction(body: Mapping[str, Any], profile: CountryProfile) -> DoseCorrection:
    """A correction supersedes what was mistyped (batch, time given) and says why."""
    reason = inputs.text(body, "reason", max_length=300)
    if len(reason) < 5:
        raise ApiError(errors.INVALID_CORRECTION, "reason must say why (at least 5 characters)")
    batch = parse_batch(body) if body.get("batch") not in (None, "") else None
    given_at = parse_time(body["given_at"], "given_at", profile) if body.get("given_at") not in (None, "") else None
    if batch is None and given_at is None:
        raise ApiError(errors.INVALID_CORRECTION, "Give the corrected batch and/or given_at")
    return DoseCorrection(reason, batch, given_at)


@dataclass(frozen=True)
class AefiReport:
    severity: str
    symptoms: tuple[str, ...]
    onset_at: int
    description: str


def parse_aefi(body: Mapping[str, Any], profile: CountryProfile) -> AefiReport:
    severity = inputs.text(body, "severity", max_length=20).lower()
    if severity not in AEFI_SEVERITIES:
        raise ApiError(errors.INVALID_AEFI, f"severity must be one of {', '.join(AEFI_SEVERITIES)}")
    symptoms = body.get("symptoms")
    if not isinstance(symptoms, list) or not 1 <= len(symptoms) <= MAX_SYMPTOMS:
        raise ApiError(errors.INVALID_AEFI, f"symptoms must be a list of 1 to {MAX_SYMPTOMS} short texts")
    description = body.get("description") or ""
    if not all(isinstance(text, str) for text in (*symptoms, description)):
        raise ApiError(errors.INVALID_AEFI, "symptoms and description must be texts")
    try:
        symptoms = [inputs.as_text(symptom, "symptoms", max_length=80) for symptom in symptoms]
        description = inputs.as_text(description, "description", max_length=1000, lines=True) if description \
            else ""
    except ApiError as error:
        raise ApiError(errors.INVALID_AEFI, error.message) from None
    return AefiReport(severity, tuple(symptoms), parse_time(inputs.field(body, "onset_at"), "onset_at", profile),
                      description)


def report_range(first: date, last: date) -> None:
    if last < first or (last - first).days >= MAX_REPORT_DAYS:
        raise ApiError(errors.INVALID_REPORT_RANGE, f"to must be on or after from, at most {MAX_REPORT_DAYS} days")


@dataclass(frozen=True)
class AllowanceCount:
    """Doses one vaccinator gave in one session on one day."""

    day: str  # ISO date
    center_id: int
    session_id: str
    vaccinator: str
    doses: int


def allowance(counts: Iterable[AllowanceCount]) -> dict[str, list[dict]]:
    """Per vaccinator per day (for paying them) and per session (for checking against the plan)."""
    per_day: dict[tuple[str, str], int] = defaultdict(int)
    per_session: dict[tuple[str, int, str, str], int] = defaultdict(int)
    for count in counts:
        per_day[(count.vaccinator, count.day)] += count.doses
        per_session[(count.day, count.center_id, count.session_id, count.vaccinator)] += count.doses
    return {
        "per_vaccinator_day": [{"vaccinator": v, "date": d, "doses": n} for (v, d), n in sorted(per_day.items())],
        "per_session": [{"date": d, "center_id": c, "session_id": s, "vaccinator": v, "doses": n}
                        for (d, c, s, v), n in sorted(per_session.items())],
    }


def allowance_csv(rows: list[dict]) -> str:
    """The per-session rows as CSV, the form a finance office imports."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["date", "center_id", "session_id", "vaccinator", "vaccinator_name",
                                             "doses"], extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
