"""Who may act where at a vaccination site: site staff (vaccinators, verifiers) act only in the
sessions they are allocated to, at their own facility; facility and area admins within their scope."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError
from chalicelib.domain.records import BeneficiaryRecord, SessionRecord
from chalicelib.domain.roles import ADMINS, SITE_STAFF, Principal
from chalicelib.store import planning as planning_store


def require_allocated(principal: Principal, session: SessionRecord | None, allocated: bool) -> SessionRecord:
    if session is None:
        raise ApiError(errors.SESSION_NOT_FOUND)
    if not allocated or not principal.covers_centre(session):
        raise ApiError(errors.NOT_ALLOCATED)
    return session


def require_session_access(principal: Principal, session_id: str) -> SessionRecord:
    """Allocated site staff, or an admin whose scope covers the session's centre."""
    session = planning_store.get_session(session_id) if session_id else None
    if session is None:
        raise ApiError(errors.SESSION_NOT_FOUND)
    if principal.has_any(ADMINS) and principal.covers_centre(session):
        return session
    return require_allocated(principal, session,
                              planning_store.allocation(session.session_id, principal.mobile) is not None)


def _places(person: BeneficiaryRecord) -> list[Mapping[str, Any]]:
    """Where a person is known to Teeka's staff: their booked appointments and the doses they were given."""
    booked = [summary for summary in (person.appointment_dose1, person.appointment_dose2) if summary]
    return [*booked, *person.dose_places.values()]


def in_reach(principal: Principal, people: list[BeneficiaryRecord]) -> list[BeneficiaryRecord]:
    """The people these staff may see: for site staff, those booked in or vaccinated at a session they
    are allocated to; for admins, those booked or vaccinated at a centre in their area."""
    places = {p.beneficiary_reference_id: _places(p) for p in people}
    allocated: set[str] = set()
    if principal.has_any(SITE_STAFF):
        allocated = planning_store.allocated_sessions(principal.mobile, {
            place["session_id"] for found in places.values() for place in found})
    admin = principal.has_any(ADMINS)
    return [person for person in people if any(
        place["session_id"] in allocated or (admin and principal.covers(
            state_id=int(place["state_id"]), district_id=int(place["district_id"]),
            facility_id=int(place["center_id"]))) for place in places[person.beneficiary_reference_id])]
