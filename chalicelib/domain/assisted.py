"""Assisted registration, pure: the consent that lets an operator act for a citizen, the operators'
daily limits, and where an operator works (docs/assisted-registration.md).

An operator (a 1075 helpline agent, a Common Service Centre's operator) acts for a citizen only with
the citizen's consent, given by reading to the operator the OTP Teeka texted to the citizen's own
mobile. A consent binds one operator to one mobile for a few minutes: the operator acts on that
mobile's beneficiaries and appointments only, and only until it expires.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile
from chalicelib.domain import limits
from chalicelib.domain.limits import Window
from chalicelib.domain.roles import Principal, StaffMember

# What an operator does for a citizen, as the audit trail names it. A consent is recorded when it is
# given; the actions (each counted against the operator's day) when they are done.
CONSENT, REGISTER, BOOK, CANCEL = "consent", "register", "book", "cancel"
ACTIONS = (REGISTER, BOOK, CANCEL)
# A consent issued by a server whose clock runs a little ahead is still good on another.
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class Consent:
    """A citizen's consent: `operator` may act for the owner of `citizen` (a mobile) until `expires_at`."""

    consent_id: str
    operator: str  # the operator's mobile
    citizen: str  # the citizen's mobile: whose beneficiaries and appointments the operator may touch
    operator_name: str
    desk: str  # the operator's helpline or service centre, as the citizen's SMS names it
    issued_at: int
    expires_at: int


def grant(consent_id: str, operator: StaffMember, citizen: str, now: int, profile: CountryProfile) -> Consent:
    """The consent a right OTP gives: this operator, this mobile, the country's few minutes."""
    return Consent(consent_id, operator.mobile, citizen, operator.name, operator.desk or "", now,
                   now + profile.operator_consent_seconds)


def is_valid_for(consent: Consent | None, operator: str, now: int) -> bool:
    """Only the operator it was given to may use it, and only while it lasts."""
    return consent is not None and consent.operator == operator \
        and consent.issued_at - CLOCK_SKEW_SECONDS <= now < consent.expires_at


def actions_today(profile: CountryProfile, operator: str, now: int) -> Window:
    """The operator's registrations, bookings and cancellations today (their local day)."""
    return limits.local_day("operator-actions", profile.operator_actions_per_day, operator, now, profile.time_zone)


def consent_requests_today(profile: CountryProfile, operator: str, now: int) -> Window:
    """The consent OTPs the operator had texted to citizens today: each is an SMS to a stranger's phone."""
    return limits.local_day("operator-consents", profile.operator_consent_requests_per_day, operator, now,
                            profile.time_zone)


@dataclass(frozen=True)
class Area:
    """Where an operator works: a state, or one district of it."""

    state_id: int
    district_id: int | None = None


def area_of(district_states: dict[int, int], state_id: int | None, district_id: int | None) -> Area | None:
    """The area a district (its state found from it) or a whole state names; None if it names none
    (an unknown district, or a district that is not in the state given)."""
    if district_id is not None:
        state = district_states.get(district_id)
        if state is None or (state_id is not None and state_id != state):
            return None
        return Area(state, district_id)
    if state_id is None or state_id not in set(district_states.values()):
        return None
    return Area(state_id)


def may_manage(admin: Principal, area: Area) -> bool:
    """An area admin manages the operators of their own area: a district admin those of their district,
    a state admin those of their state (state-wide or in one of its districts), the national admin all."""
    return admin.covers(state_id=area.state_id, district_id=area.district_id)


def period(first: date, last: date, time_zone: str) -> tuple[int, int]:
    """The local days `first` to `last`, whole: from the first's midnight up to the midnight after the last."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return int(start.timestamp()), int(end.timestamp())
