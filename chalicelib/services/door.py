"""At the door of a session: the day's sessions and appointments, finding a beneficiary, the door
check (photo ID and security code) and a facility admin's unlock.

DynamoDB calls:
- session list: GetItem (allocation) + Query (appointments) + BatchGetItem (beneficiaries);
- finding people: GetItem (by reference id) or Query (by mobile), + BatchGetItem (the caller's
  allocations to the sessions where they are booked or were vaccinated) for site staff;
- verify: 1 TransactGetItems (appointment, beneficiary, session, allocation) + 1 UpdateItem (the
  attempt, counted before the code is judged) + 1 UpdateItem (verified);
- unlock: 1 GetItem (the appointment) + 1 GetItem (its session) + 1 TransactWriteItems (with the audit).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NoReturn

from chalicelib.config import CountryProfile
from chalicelib.domain import errors, inputs
from chalicelib.domain import vaccination as rules
from chalicelib.domain.calendar import local_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.records import AppointmentRecord
from chalicelib.domain.roles import Principal
from chalicelib.observability import metrics
from chalicelib.services import planning, views
from chalicelib.services.booking import security_code_of
from chalicelib.services.site import in_reach, require_allocated, require_session_access
from chalicelib.store import booking as booking_store
from chalicelib.store import planning as planning_store
from chalicelib.store import registration as registration_store
from chalicelib.store import vaccination as store
from chalicelib.store.booking import BOOKED, COMPLETED


def todays_sessions(principal: Principal, now: int, profile: CountryProfile) -> list[dict]:
    return planning.my_sessions(principal, now, profile, days=1)


def session_appointments(principal: Principal, session_id: str, now: int, profile: CountryProfile) -> dict:
    session = require_session_access(principal, session_id)
    items = [item for item in booking_store.for_session(session.session_id) if item.status != "CANCELLED"]
    people = registration_store.get_many([item.beneficiary_reference_id for item in items])
    session_day, today = date.fromisoformat(session.date), local_date(profile, now)
    limit = profile.security_code_attempts
    rows = []
    for item in sorted(items, key=lambda i: (i.slot, i.created_at)):
        person = people.get(item.beneficiary_reference_id)
        rows.append({
            "appointment_id": item.appointment_id, "beneficiary_reference_id": item.beneficiary_reference_id,
            "name": person.name if person else "", "birth_year": str(int(person.birth_year)) if person else "",
            "photo_id_type": profile.id_type_name(int(person.photo_id_type)) if person else "",
            "photo_id_number": views.masked_id(person) if person else "",
            "mobile_number": mask_mobile(item.mobile), "dose": int(item.dose), "slot": item.slot,
            "status": rules.appointment_status(item.status, item.verified_at is not None, session_day, today),
            "locked": rules.is_locked(int(item.code_attempts or 0), item.verified_at is not None, limit),
        })
    return {"session": planning.session_view(session), "appointments": rows}


def find_beneficiaries(principal: Principal, body: Mapping[str, Any], profile: CountryProfile) -> list[dict]:
    """By reference id or by mobile (in the body: a full mobile never goes in a URL), masked like every
    other answer, and only the people within the caller's reach; the others are simply not found."""
    if body.get("beneficiary_reference_id"):
        person = registration_store.get(rules.parse_reference_id(body, profile))
        people = [person] if person else []
    elif body.get("mobile"):
        people = registration_store.for_mobile(inputs.mobile(body, "mobile", profile.mobile_pattern))
    else:
        raise ApiError(errors.INPUT_MISSING, "Give beneficiary_reference_id or mobile")
    return [views.beneficiary(person, profile) for person in in_reach(principal, people)]


def verify(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """The door check: this beneficiary holds this appointment here today, shows the registered photo
    ID, and knows the security code. Wrong codes count; at the country's limit the appointment locks."""
    appointment_id = inputs.text(body, "appointment_id", max_length=64)
    reference_id = rules.parse_reference_id(body, profile)
    session_id = inputs.text(body, "session_id", max_length=64)
    id_check = rules.parse_id_check(body)
    if id_check is None:
        raise ApiError(errors.INPUT_MISSING, "Input parameter missing: photo_id_type, id_last4")
    snap = store.snapshot(session_id, reference_id, principal.mobile, appointment_id)
    session = require_allocated(principal, snap.session, snap.allocation is not None)
    appointment, person = snap.appointment, snap.person
    if appointment is None or person is None or appointment.session_id != session.session_id:
        raise ApiError(errors.APPOINTMENT_NOT_HERE)
    if appointment.status == COMPLETED:
        raise ApiError(errors.DOSE_ALREADY_RECORDED)
    if appointment.status != BOOKED:
        raise ApiError(errors.APPOINTMENT_NOT_HERE, "This appointment is cancelled")
    if date.fromisoformat(session.date) != local_date(profile, now):
        raise ApiError(errors.SESSION_NOT_TODAY, "Appointments are verified on the session's date")
    limit = profile.security_code_attempts
    if int(appointment.code_attempts or 0) >= limit:
        raise ApiError(errors.APPOINTMENT_LOCKED)
    rules.check_id(id_check, int(person.photo_id_type), person.id_last4)
    attempts = store.spend_code_attempt(appointment, limit)  # before the code is judged
    if attempts is None:
        _explain_refused_attempt(appointment)
    if not rules.codes_match(security_code_of(appointment_id), body.get("security_code")):
        if attempts >= limit:
            metrics.add_metric(name="AppointmentLocked", unit="Count", value=1)
            raise ApiError(errors.APPOINTMENT_LOCKED)
        left = limit - attempts
        raise ApiError(errors.WRONG_SECURITY_CODE, f"Wrong security code; {left} attempt{'s' if left > 1 else ''} "
                                                   "left before the appointment locks")
    if not store.mark_verified(appointment, principal.mobile, now):
        raise ApiError(errors.APPOINTMENT_NOT_HERE, "The appointment changed meanwhile (cancelled or moved)")
    return {"appointment_id": appointment_id, "beneficiary_reference_id": reference_id, "status": "verified",
            "name": person.name, "dose": int(appointment.dose), "verified_by": mask_mobile(principal.mobile),
            "verified_at": views.moment(now, profile)}


def _explain_refused_attempt(appointment: AppointmentRecord) -> NoReturn:
    """No attempt could be counted: the appointment locked, or changed, since it was read."""
    now_stands = booking_store.appointment_of(appointment.appointment_id, appointment.beneficiary_reference_id)
    if now_stands is None or now_stands.status != BOOKED or now_stands.session_id != appointment.session_id:
        raise ApiError(errors.APPOINTMENT_NOT_HERE, "The appointment changed meanwhile (cancelled or moved)")
    raise ApiError(errors.APPOINTMENT_LOCKED)


def unlock(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """A facility admin lets a locked appointment be verified again; who and when is audited."""
    appointment_id = inputs.text(body, "appointment_id", max_length=64)
    reference_id = rules.parse_reference_id(body, profile)
    appointment = booking_store.appointment_of(appointment_id, reference_id)
    if appointment is None:
        raise ApiError(errors.APPOINTMENT_NOT_HERE)
    session = planning_store.get_session(appointment.session_id)
    if session is None or not principal.covers_centre(session):
        raise ApiError(errors.OUT_OF_SCOPE)
    if not store.unlock(appointment, principal.mobile, now, profile.security_code_attempts):
        raise ApiError(errors.NOT_LOCKED)
    return {"appointment_id": appointment_id, "beneficiary_reference_id": reference_id, "locked": False}
