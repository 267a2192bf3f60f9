"""Slot alerts, the rules: what a subscription asks for, when a session's change opens seats, and
which subscriptions an opening matches. Pure: the store and the fan-out are in services/alerts.py."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError
from chalicelib.domain.planning import is_postal_code

FEE_TYPES = ("Free", "Paid")


@dataclass(frozen=True)
class Wish:
    """What a person waits for: seats of one dose in a district or at a postal code, for their age."""

    place: str  # "district#<id>" or "pincode#<code>": the key the fan-out reads
    min_age_limit: int
    dose: int
    vaccine: str | None = None
    fee_type: str | None = None
    beneficiary_reference_id: str | None = None


@dataclass(frozen=True)
class Subscription:
    """A wish as kept: whose it is, in which of the mobile's slots, and until when."""

    subscription_id: str
    mobile: str
    slot: int
    wish: Wish
    created_at: int
    expires_at: int  # epoch seconds

    def view(self) -> dict[str, Any]:
        kind, _, key = self.wish.place.partition("#")
        return {"subscription_id": self.subscription_id, kind + ("_id" if kind == "district" else ""): int(key),
                "min_age_limit": self.wish.min_age_limit, "dose": self.wish.dose, "vaccine": self.wish.vaccine,
                "fee_type": self.wish.fee_type, "beneficiary_reference_id": self.wish.beneficiary_reference_id,
                "created_at": _iso(self.created_at), "expires_at": _iso(self.expires_at)}


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Opening:
    """Seats of one dose that a session's change has just made free."""

    session_id: str
    date: str  # ISO
    district_id: int
    pincode: int
    centre: str
    address: str
    vaccine: str
    fee_type: str
    min_age_limit: int
    max_age_limit: int | None
    dose: int
    seats: int  # free after the change

    @property
    def places(self) -> tuple[str, str]:
        return district_place(self.district_id), pincode_place(self.pincode)


def district_place(district_id: int) -> str:
    return f"district#{district_id}"


def pincode_place(pincode: int | str) -> str:
    return f"pincode#{pincode}"


def parse_wish(body: Mapping[str, Any], district_states: Mapping[int, int], profile: CountryProfile) -> Wish:
    """`{"district_id" or "pincode", "min_age_limit", "dose", "vaccine"?, "fee_type"?,
    "beneficiary_reference_id"?}`, checked against the country's places, vaccines and ages."""
    has_district, has_pincode = body.get("district_id") is not None, body.get("pincode") is not None
    if has_district == has_pincode:
        raise ApiError(errors.INVALID_INPUT, "Give either district_id or pincode")
    if has_district:
        district_id = inputs.integer(body, "district_id")
        if district_id not in district_states:
            raise ApiError(errors.INVALID_DISTRICT)
        place = district_place(district_id)
    else:
        pincode = str(inputs.field(body, "pincode")).strip()
        if not is_postal_code(pincode, profile):
            raise ApiError(errors.INVALID_PINCODE)
        place = pincode_place(int(pincode))
    min_age = inputs.integer(body, "min_age_limit")
    if not profile.min_age_years <= min_age <= 120:
        raise ApiError(errors.INVALID_AGE_LIMIT, f"min_age_limit must be between {profile.min_age_years} and 120")
    dose = inputs.integer(body, "dose")
    if not 1 <= dose <= max(v.total_doses for v in profile.vaccines):
        raise ApiError(errors.INVALID_INPUT, "dose is not a dose of the country's vaccines")
    vaccine = None
    if body.get("vaccine") not in (None, ""):
        found = profile.vaccine(inputs.text(body, "vaccine", 40).upper())
        if found is None or dose > found.total_doses:
            raise ApiError(errors.UNKNOWN_VACCINE)
        vaccine = found.name
    fee_type = None
    if body.get("fee_type") not in (None, ""):
        fee_type = inputs.text(body, "fee_type", 10).capitalize()
        if fee_type not in FEE_TYPES:
            raise ApiError(errors.INVALID_INPUT, "fee_type must be Free or Paid")
    reference = inputs.text(body, "beneficiary_reference_id", 20) if body.get("beneficiary_reference_id") else None
    return Wish(place, min_age, dose, vaccine, fee_type, reference)


def openings(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, today: str) -> list[Opening]:
    """The doses whose free seats a change of a session (its stream images, None when absent) raised:
    a new or re-published session, more capacity, a cancellation or reschedule giving seats back. A
    session that is cancelled or already past opens nothing."""
    if not new or new.get("status") != "ACTIVE" or str(new["date"]) < today:
        return []
    found = []
    for dose in (1, 2):
        now_free = _free(new, dose)
        before = _free(old, dose) if old and old.get("status") == "ACTIVE" else 0
        if now_free > before:
            found.append(Opening(
                session_id=str(new["session_id"]), date=str(new["date"]), district_id=int(new["district_id"]),
                pincode=int(new["pincode"]), centre=str(new["name"]), address=str(new["address"]),
                vaccine=str(new["vaccine"]), fee_type=str(new["fee_type"]), min_age_limit=int(new["min_age_limit"]),
                max_age_limit=None if new.get("max_age_limit") is None else int(new["max_age_limit"]),
                dose=dose, seats=now_free))
    return found


def _free(image: Mapping[str, Any] | None, dose: int) -> int:
    if not image:
        return 0
    return max(int(image.get(f"capacity_dose{dose}", 0)) - int(image.get(f"booked_dose{dose}", 0)), 0)


def matches(wish: Wish, opening: Opening) -> bool:
    """The opening is for the wished dose (and vaccine and fee type, if named), in a session the
    person's age may attend: its lower limit at most theirs, its upper limit (if any) at least theirs."""
    return (wish.dose == opening.dose and opening.min_age_limit <= wish.min_age_limit
            and (opening.max_age_limit is None or wish.min_age_limit <= opening.max_age_limit)
            and wish.vaccine in (None, opening.vaccine) and wish.fee_type in (None, opening.fee_type))
