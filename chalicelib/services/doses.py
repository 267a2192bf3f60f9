"""Doses at the vaccinator's table: a booked beneficiary's dose, a walk-in (registered and vaccinated
in one transaction), and the SMS each dose sends. The offline sync records through `record` too.

DynamoDB calls:
- record a dose: 1 TransactGetItems (session, beneficiary, allocation: one consistent snapshot the
  rules need) + 1 GetItem (the appointment, only when the door check is what vouches for the
  person) + 1 TransactWriteItems (see store.vaccination);
- walk-in: 1 TransactGetItems (session, allocation) + 1 TransactWriteItems (registration and dose).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from chalicelib.config import CountryProfile
from chalicelib.domain import errors, inputs, messages, programmes
from chalicelib.domain import vaccination as rules
from chalicelib.domain.calendar import local_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.records import AppointmentRecord, BeneficiaryRecord, DoseRecord, SessionRecord
from chalicelib.domain.roles import Principal
from chalicelib.observability import logger, metrics
from chalicelib.services import registration, reminders, views
from chalicelib.services.booking import beneficiary_facts, session_facts
from chalicelib.services.outbox import notify
from chalicelib.services.site import require_allocated
from chalicelib.store import booking as booking_store
from chalicelib.store import vaccination as store
from chalicelib.store.booking import BOOKED
from chalicelib.store.common import StoreError
from chalicelib.store.vaccination import ACCEPTED, DOSE

REALTIME_GRACE_SECONDS = 24 * 3600  # a dose recorded in real time was given today
T = TypeVar("T")


class Duplicate(Exception):
    """The offline record's UUID was settled by another request first."""


def _check(request: rules.DoseRequest, session: SessionRecord, person: BeneficiaryRecord,
           profile: CountryProfile) -> None:
    rules.check_dose(beneficiary_facts(person), session_facts(session), request.dose, request.vaccine,
                     rules.local_day(request.given_at, profile), profile)


def record(request: rules.DoseRequest, session: SessionRecord, person: BeneficiaryRecord | None, vaccinator: str,
           recorded_by: str, now: int, profile: CountryProfile, capture: rules.Capture | None = None) -> DoseRecord:
    """Check and write one dose of a registered beneficiary; raises the rule it breaks."""
    if person is None:
        raise ApiError(errors.BENEFICIARY_NOT_FOUND, "No such beneficiary")
    _check(request, session, person, profile)
    lock = getattr(person, f"appointment_dose{request.dose}")
    appointment_id = None
    if lock is not None:
        if lock["session_id"] != session.session_id:
            raise ApiError(errors.APPOINTMENT_ELSEWHERE)
        appointment_id = lock["appointment_id"]
    if request.id_check is not None:
        rules.check_id(request.id_check, int(person.photo_id_type), person.id_last4)
        verifier = vaccinator  # the vaccinator looked at the photo ID in person
    elif appointment_id is None:
        raise ApiError(errors.NOT_VERIFIED, "A walk-in needs the photo ID check: photo_id_type and id_last4")
    else:
        verifier = _door_check(booking_store.appointment_of(appointment_id, person.beneficiary_reference_id), profile)
    series = profile.vaccine(person.vaccine) if person.vaccine else None
    item = store.new_dose(request, session, person, given_on=rules.local_day(request.given_at, profile).isoformat(),
                          vaccinator=vaccinator, verifier=verifier, recorded_by=recorded_by,
                          now=now, appointment_id=appointment_id, capture=capture,
                          precaution=programmes.is_precaution(request.dose, series))
    capture_item = store.new_capture(capture, request, ACCEPTED, recorded_by, now, record_id=item.record_id) \
        if capture else None
    failed = store.record(item, series_vaccine=person.vaccine, takes_seat=appointment_id is None,
                          completes=rules.Completion(appointment_id, request.id_check is None,
                                                     profile.security_code_attempts) if appointment_id else None,
                          capture=capture_item)
    if failed is not None:
        _explain(failed, appointment_id, person.beneficiary_reference_id, profile)
    metrics.add_metric(name="DoseRecorded", unit="Count", value=1)
    return item


def _door_check(appointment: AppointmentRecord | None, profile: CountryProfile) -> str:
    """Who verified the appointment at the door; raises when it was not (or cannot be) verified."""
    if appointment is None or appointment.status != BOOKED:
        raise ApiError(errors.APPOINTMENT_NOT_HERE)
    if rules.is_locked(int(appointment.code_attempts or 0), appointment.verified_at is not None,
                       profile.security_code_attempts):
        raise ApiError(errors.APPOINTMENT_LOCKED)
    if appointment.verified_at is None or appointment.verified_by is None:
        raise ApiError(errors.NOT_VERIFIED)
    return appointment.verified_by


def _explain(failed: set[str], appointment_id: str | None, reference_id: str, profile: CountryProfile) -> None:
    if "capture" in failed:
        raise Duplicate
    if "dose" in failed:
        raise ApiError(errors.DOSE_ALREADY_RECORDED)
    if "appointment" in failed and appointment_id is not None:
        _door_check(booking_store.appointment_of(appointment_id, reference_id), profile)
        raise ApiError(errors.APPOINTMENT_NOT_HERE)
    if "session" in failed:
        raise ApiError(errors.NO_CAPACITY_LEFT)
    raise ApiError(errors.DOSE_ORDER, "The beneficiary's doses or appointment changed meanwhile; look again")


def guarded(work: Callable[[], T]) -> T:
    """DynamoDB failing under a dose is a clear 503: the client retries (nothing is half-written)."""
    try:
        return work()
    except StoreError:
        logger.exception("dose write failed in DynamoDB")
        raise ApiError(errors.VACCINATION_BUSY) from None


def record_dose(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """A dose given now (or earlier today), recorded synchronously: durable when this returns."""
    request = rules.parse_dose_request(body, profile, default_time=now)
    rules.check_time(request.given_at, now, now - REALTIME_GRACE_SECONDS, profile, "given_at")

    def work() -> dict:
        snap = store.snapshot(request.session_id, request.beneficiary_reference_id, principal.mobile)
        session = require_allocated(principal, snap.session, snap.allocation is not None)
        if date.fromisoformat(session.date) != local_date(profile, now):
            raise ApiError(errors.SESSION_NOT_TODAY)
        recorded = record(request, session, snap.person, principal.mobile, principal.mobile, now, profile)
        return views.dose(recorded, (), profile)

    return guarded(work)


def walk_in(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """Register a person at the centre and record their first dose, in one transaction that also
    takes a seat of the session's dose-1 capacity. Same identity rules as online registration."""
    mobile = inputs.mobile(body, "mobile", profile.mobile_pattern)
    recorded: list[DoseRecord] = []

    def dose_for(person: BeneficiaryRecord):
        request = rules.parse_dose_request(body, profile, now, reference_id=person.beneficiary_reference_id)
        rules.check_time(request.given_at, now, now - REALTIME_GRACE_SECONDS, profile, "given_at")
        snap = store.snapshot(request.session_id, person.beneficiary_reference_id, principal.mobile)
        session = require_allocated(principal, snap.session, snap.allocation is not None)
        if date.fromisoformat(session.date) != local_date(profile, now):
            raise ApiError(errors.SESSION_NOT_TODAY)
        _check(request, session, person, profile)
        item = store.new_dose(request, session, person, given_on=rules.local_day(request.given_at, profile).isoformat(),
                              vaccinator=principal.mobile, verifier=principal.mobile,
                              recorded_by=principal.mobile, now=now, appointment_id=None, capture=None)
        recorded[:] = [item]
        return item

    def work() -> dict:
        try:
            reference_id = registration.register(mobile, body, now, profile, first_dose=dose_for)
        except registration.Refused:
            raise ApiError(errors.NO_CAPACITY_LEFT) from None
        metrics.add_metric(name="WalkInVaccinated", unit="Count", value=1)
        return {"beneficiary_reference_id": reference_id, "dose": views.dose(recorded[0], (), profile)}

    return guarded(work)


def on_dose_event(image: Mapping[str, Any], profile: CountryProfile) -> None:
    """The dose stream's consumer: tell the citizen, and remember what this dose makes due later
    (certificates hang off the same event)."""
    reference_id, dose = str(image["beneficiary_reference_id"]), int(image["dose"])
    if image["kind"] == DOSE:
        message = messages.dose_given(dose, image["vaccine"], reference_id, image["center_name"], image["given_on"],
                                      image["batch"])
        reminders.after_dose(image, profile)
    else:
        message = messages.dose_corrected(dose, reference_id, image["reason"])
    notify(str(image["mobile"]), message)
