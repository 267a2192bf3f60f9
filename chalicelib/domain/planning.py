"""Planning rules, pure: what a valid centre and a valid session are, and capacity edits."""
from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from chalicelib.config import CountryProfile, Vaccine
from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError

SLOT_PATTERN = re.compile(r"(0[1-9]|1[0-2]):([0-5][0-9])(AM|PM)-(0[1-9]|1[0-2]):([0-5][0-9])(AM|PM)", re.ASCII)
TIME_PATTERN = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]", re.ASCII)
FEE_PATTERN = re.compile(r"(0|[1-9][0-9]{0,5})", re.ASCII)



def is_postal_code(text: str, profile: CountryProfile) -> bool:
    """A centre's postal code (CoWIN's pincode) in the country's form: ASCII digits only, kept as a number."""
    return re.fullmatch(profile.postal_code_pattern, text, flags=re.ASCII) is not None and text.isdigit()


@dataclass(frozen=True)
class Centre:
    name: str
    address: str
    block_name: str
    district_id: int
    state_id: int
    pincode: int
    lat: float
    long: float
    opens: str
    closes: str
    fee_type: str
    vaccine_fees: dict[str, str] = field(default_factory=dict)
    # Its name, address and block in the pack's other languages: {"hi_IN": {"name": ..., ...}}.
    local_names: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Slot:
    name: str
    capacity: int


@dataclass(frozen=True)
class SessionPlan:
    center_id: int
    date: date
    vaccine: str
    min_age_limit: int
    max_age_limit: int | None
    allow_all_age: bool
    capacity_dose1: int
    capacity_dose2: int
    slots: tuple[Slot, ...]
    fee: str
    capacity_precaution: int = 0


def _minutes(hour: str, minute: str, half: str) -> int:
    return (int(hour) % 12 + (12 if half == "PM" else 0)) * 60 + int(minute)


def check_slot_name(name: str) -> str:
    match = SLOT_PATTERN.fullmatch(name.strip().upper()) if isinstance(name, str) else None
    if match is None:
        raise ApiError(errors.INVALID_SLOT_NAME, f"Invalid slot {name!r}: expected like 09:00AM-11:00AM")
    start, end = _minutes(*match.group(1, 2, 3)), _minutes(*match.group(4, 5, 6))
    if end <= start:
        raise ApiError(errors.INVALID_SLOT_NAME, f"Slot {name!r} ends before it starts")
    return match.group(0)


def _boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "y", "n", "yes", "no", "1", "0"):
        return value.strip().lower() in ("true", "y", "yes", "1")
    raise ApiError(errors.INVALID_INPUT, f"{name} must be true or false")


def _non_negative(body: Mapping[str, Any], name: str) -> int:
    value = inputs.integer(body, name)
    if value < 0 or value > 100_000:
        raise ApiError(errors.INVALID_CAPACITY, f"{name} must be between 0 and 100000")
    return value


def parse_slots(raw: Any, total: int) -> tuple[Slot, ...]:
    """Slots as `[{"name", "capacity"}]`, or bare names sharing the capacity evenly (remainder to the first)."""
    if not isinstance(raw, list) or not raw:
        raise ApiError(errors.INVALID_SLOT_NAME, "slots must be a non-empty list")
    if all(isinstance(item, str) for item in raw):
        share, remainder = divmod(total, len(raw))
        slots = tuple(Slot(check_slot_name(name), share + (remainder if i == 0 else 0)) for i, name in enumerate(raw))
    elif all(isinstance(item, Mapping) for item in raw):
        slots = tuple(Slot(check_slot_name(inputs.text(item, "name")), _non_negative(item, "capacity")) for item in raw)
        if sum(slot.capacity for slot in slots) != total:
            raise ApiError(errors.INVALID_CAPACITY,
                           "Slot capacities must add up to capacity_dose1 + capacity_dose2 + capacity_precaution")
    else:
        raise ApiError(errors.INVALID_SLOT_NAME, "slots must be names or {name, capacity} objects")
    if len({slot.name for slot in slots}) != len(slots):
        raise ApiError(errors.INVALID_SLOT_NAME, "Slot names must be unique")
    return slots


def parse_session(body: Mapping[str, Any], centre: Centre, today: date, profile: CountryProfile) -> SessionPlan:
    day = inputs.cowin_date(body.get("date") if isinstance(body.get("date"), str) else None)
    if day < today:
        raise ApiError(errors.SESSION_IN_PAST)
    if day > today + timedelta(days=profile.planning_horizon_days):
        raise ApiError(errors.SESSION_TOO_FAR,
                       f"Sessions can be planned at most {profile.planning_horizon_days} days ahead")
    vaccine = profile.vaccine(str(inputs.field(body, "vaccine")).strip().upper())
    if vaccine is None:
        raise ApiError(errors.UNKNOWN_VACCINE)
    min_age = inputs.integer(body, "min_age_limit")
    if min_age < max(profile.min_age_years, vaccine.min_age_years) or min_age > 120:
        raise ApiError(errors.INVALID_AGE_LIMIT, f"min_age_limit must be at least {vaccine.min_age_years}")
    max_age = inputs.integer(body, "max_age_limit") if body.get("max_age_limit") not in (None, "") else None
    if max_age is not None and not min_age <= max_age <= 120:
        raise ApiError(errors.INVALID_AGE_LIMIT, "max_age_limit must be between min_age_limit and 120")
    dose1, dose2 = _non_negative(body, "capacity_dose1"), _non_negative(body, "capacity_dose2")
    precaution = parse_precaution_capacity(body, vaccine)
    if dose1 + dose2 + precaution == 0:
        raise ApiError(errors.INVALID_CAPACITY, "A session needs some capacity")
    check_cohorts(vaccine, min_age, max_age, profile)
    if centre.fee_type == "Free":
        fee = "0"
    else:
        fee = str(body.get("fee") or centre.vaccine_fees.get(vaccine.name, "")).strip()
        if not FEE_PATTERN.fullmatch(fee):
            raise ApiError(errors.INVALID_FEE, "A paid centre's session needs a fee (whole rupees) for its vaccine")
    return SessionPlan(
        center_id=inputs.integer(body, "center_id"), date=day, vaccine=vaccine.name, min_age_limit=min_age,
        max_age_limit=max_age, allow_all_age=_boolean(body.get("allow_all_age", False), "allow_all_age"),
        capacity_dose1=dose1, capacity_dose2=dose2, capacity_precaution=precaution,
        slots=parse_slots(inputs.field(body, "slots"), dose1 + dose2 + precaution), fee=fee,
    )


def parse_precaution_capacity(body: Mapping[str, Any], vaccine: Vaccine, default: int = 0) -> int:
    """Seats for precaution doses (optional): only of a vaccine the programme gives as one."""
    if body.get("capacity_precaution") in (None, ""):
        return default
    seats = _non_negative(body, "capacity_precaution")
    if seats and vaccine.precaution is None:
        raise ApiError(errors.INVALID_CAPACITY, f"{vaccine.name} is not given as a precaution dose")
    return seats


def check_cohorts(vaccine: Vaccine, min_age: int, max_age: int | None, profile: CountryProfile) -> None:
    """A session's ages must include some cohort that the programme gives its vaccine (for the primary
    series, or as a precaution dose): a session nobody may book is a planning mistake."""
    high = max_age if max_age is not None else 200
    for cohort in profile.cohorts:
        receives = vaccine.name in cohort.vaccines or (vaccine.precaution is not None and cohort.precaution_opens_on)
        if receives and cohort.min_age <= high and (cohort.max_age is None or min_age <= cohort.max_age):
            return
    raise ApiError(errors.INVALID_AGE_LIMIT, f"No cohort of ages {min_age}{'+' if max_age is None else f'-{max_age}'}"
                                             f" receives {vaccine.name}")


def parse_centre(body: Mapping[str, Any], district_state: Mapping[int, int], profile: CountryProfile) -> Centre:
    district_id = inputs.integer(body, "district_id")
    if district_id not in district_state:
        raise ApiError(errors.INVALID_DISTRICT)
    pincode = str(inputs.field(body, "pincode")).strip()
    if not is_postal_code(pincode, profile):
        raise ApiError(errors.INVALID_PINCODE)
    lat, long = _coordinate(body, "lat", -90, 90), _coordinate(body, "long", -180, 180)
    opens, closes = _time(body, "from", "09:00:00"), _time(body, "to", "17:00:00")
    if closes <= opens:
        raise ApiError(errors.INVALID_INPUT, "A centre must close after it opens")
    fee_type = str(body.get("fee_type", "Free")).strip().capitalize()
    if fee_type not in ("Free", "Paid"):
        raise ApiError(errors.INVALID_INPUT, "fee_type must be Free or Paid")
    fees = body.get("vaccine_fees") or {}
    if isinstance(fees, list):  # CoWIN's own shape: [{"vaccine", "fee"}]
        fees = {str(item.get("vaccine", "")): item.get("fee") for item in fees if isinstance(item, Mapping)}
    if not isinstance(fees, Mapping):
        raise ApiError(errors.INVALID_FEE, "vaccine_fees must map vaccine names to fees")
    vaccine_fees = {}
    for name, fee in fees.items():
        if profile.vaccine(str(name).upper()) is None or not FEE_PATTERN.fullmatch(str(fee)):
            raise ApiError(errors.INVALID_FEE, f"Invalid fee for {name!r}")
        vaccine_fees[str(name).upper()] = str(fee)
    if fee_type == "Paid" and not vaccine_fees:
        raise ApiError(errors.INVALID_FEE, "A paid centre needs vaccine_fees")
    return Centre(
        name=inputs.label(body, "name"), address=inputs.label(body, "address"),
        block_name=inputs.label(body, "block_name"),
        district_id=district_id, state_id=district_state[district_id], pincode=int(pincode), lat=lat, long=long,
        opens=opens, closes=closes, fee_type=fee_type, vaccine_fees=vaccine_fees if fee_type == "Paid" else {},
        local_names=_local_names(body.get("local_names"), profile),
    )


LOCAL_NAME_FIELDS = ("name", "address", "block_name")


def _local_names(raw: Any, profile: CountryProfile) -> dict[str, dict[str, str]]:
    """`{"hi_IN": {"name", "address", "block_name"}}`: a centre's words in the pack's other languages."""
    if raw in (None, {}):
        return {}
    if not isinstance(raw, Mapping):
        raise ApiError(errors.INVALID_INPUT, "local_names must map a language to the centre's names in it")
    names: dict[str, dict[str, str]] = {}
    for language, fields in raw.items():
        local = profile.local_language(str(language))
        if local is None or not isinstance(fields, Mapping) or not set(fields) <= set(LOCAL_NAME_FIELDS):
            raise ApiError(errors.INVALID_INPUT, f"local_names: {str(language)[:20]!r} must be one of "
                           f"{', '.join(profile.languages[1:]) or 'no other language'}, with "
                           f"{', '.join(LOCAL_NAME_FIELDS)}")
        names[local] = {name: inputs.label(fields, name) for name in LOCAL_NAME_FIELDS if name in fields}
    return names


def _coordinate(body: Mapping[str, Any], name: str, low: float, high: float) -> float:
    value = inputs.field(body, name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApiError(errors.INVALID_INPUT, f"{name} must be a number") from None
    if not low <= number <= high or math.isnan(number):
        raise ApiError(errors.INVALID_INPUT, f"{name} must be between {low} and {high}")
    return round(number, 6)


def _time(body: Mapping[str, Any], name: str, default: str) -> str:
    value = str(body.get(name) or default).strip()
    if not TIME_PATTERN.fullmatch(value):
        raise ApiError(errors.INVALID_INPUT, f"{name} must be HH:MM:SS")
    return value


def check_slot_edit(slots: tuple[Slot, ...], booked: Mapping[str, int]) -> None:
    """Slots with bookings must stay, with at least as much room as they have booked."""
    new = {slot.name: slot.capacity for slot in slots}
    for name, count in booked.items():
        if count and new.get(name, 0) < count:
            raise ApiError(errors.CAPACITY_BELOW_BOOKED, f"Slot {name} has {count} bookings")


CAPACITY_PREFIX = "capacity_"


def total_capacity(session: Any) -> int:
    """A session's (or a plan's) capacity over all its doses: every `capacity_<kind>` field it has
    (dose 1, dose 2, precaution), so a kind added to sessions counts here without a change."""
    return sum(int(getattr(session, name)) for name in _capacity_fields(type(session)))


def _capacity_fields(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind) if f.name.startswith(CAPACITY_PREFIX))


def check_capacity_edit(new: tuple[int, int, int], booked: tuple[int, int, int]) -> None:
    """Capacities (dose 1, dose 2, precaution) never below what is booked of each."""
    if any(capacity < taken for capacity, taken in zip(new, booked, strict=True)):
        raise ApiError(errors.CAPACITY_BELOW_BOOKED, f"Capacity cannot drop below what is booked ({booked[0]} dose 1, "
                                                     f"{booked[1]} dose 2, {booked[2]} precaution)")
