"""Doses at the vaccinator's table: a booked beneficiary's dose, a walk-in (registered and vaccinated
in one transaction), and the SMS each dose sends. The offline sync records through `record` too.

DynamoDB calls:
- record a dose: 1 TransactGetItems (session, beneficiary, allocation: one consistent snapshot the
  rules need) + 1 GetItem (the appointment, only when the door check is what vouches for the
  person) + 1 TransactWriteItems (see store.vaccination);
- walk-in: 1 TransactGetItems (session, allocation) + 1 TransactWriteItems (registration and dose).
Where stock is tracked, each adds its draw on a vial (services/stock.py): 1 Query (the session's vials of
the dose's batch), and 1 GetItem (the batch) when the dose opens the next vial; the draw's items join the
dose's own TransactWriteItems. A transaction refused only by the stock is read again and retried.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from chalicelib.config import CountryProfile
from chalicelib.domain import booking as booking_rules
from chalicelib.domain import errors, inputs, messages, programmes
from chalicelib.domain import vaccination as rules
from chalicelib.domain.calendar import local_date
from chalicelib.domain.dose_history import Standing
from chalicelib.domain.errors import ApiError
from chalicelib.domain.records import AppointmentRecord, BeneficiaryRecord, DoseRecord, SessionRecord
from chalicelib.domain.roles import Principal
from chalicelib.observability import logger, metrics
from chalicelib.services import registration, reminders, stock, views
from chalicelib.services.booking import beneficiary_facts, session_facts
from chalicelib.services.outbox import notify
from chalicelib.services.site import require_allocated
from chalicelib.store import booking as booking_store
from chalicelib.store import planning as planning_store
from chalicelib.store import stock as stock_store
from chalicelib.store import vaccination as store
from chalicelib.store.booking import BOOKED
from chalicelib.store.common import StoreError
from chalicelib.store.vaccination import ACCEPTED, DOSE

REALTIME_GRACE_SECONDS = 24 * 3600  # a dose recorded in real time was given today
T = TypeVar("T")


class Duplicate(Exception):
    """The offline record's UUID was settled by another request first."""


def _check(request: rules.DoseRequest, session: SessionRecord, person: BeneficiaryRecord,
           profile: CountryProfile, offline: bool = False) -> None:
    rules.check_dose(beneficiary_facts(person), session_facts(session), request.dose, request.vaccine,
                     rules.local_day(request.given_at, profile), profile, given_at=request.given_at, offline=offline)


def record(request: rules.DoseRequest, session: SessionRecord, person: BeneficiaryRecord | None, vaccinator: str,
           recorded_by: str, now: int, profile: CountryProfile, capture: rules.Capture | None = None) -> DoseRecord:
    """Check and write one dose of a registered beneficiary; raises the rule it breaks."""
    if person is None:
        raise ApiError(errors.BENEFICIARY_NOT_FOUND, "No such beneficiary")
    _check(request, session, person, profile, offline=capture is not None)
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
    completes = rules.Completion(appointment_id, request.id_check is None, profile.security_code_attempts) \
        if appointment_id else None
    current = [session]  # as read; read again when the stock changed under an attempt (a close, say)

    def attempt() -> DoseRecord | None:
        if not current:
            current.append(require_session(planning_store.get_session(session.session_id, consistent=True)))
            _check(request, current[0], person, profile, offline=capture is not None)
        draw = stock.draw(item, current[0], now, profile) if profile.stock_tracking else None
        drawn = replace(item, vial=draw.vial.vial_id) if draw else item
        failed = store.record(drawn, series_vaccine=person.vaccine, takes_seat=appointment_id is None,
                              completes=completes, capture=capture_item, draw=draw)
        if failed is None:
            return drawn
        if draw is not None and stock_store.retry_label(failed):
            current.clear()
            return None
        _explain(failed, appointment_id, person.beneficiary_reference_id, profile)
        raise AssertionError("unreachable: _explain raises")

    recorded = stock.retried(attempt) if profile.stock_tracking else attempt()
    assert recorded is not None  # without stock, an attempt records or raises
    metrics.add_metric(name="DoseRecorded", unit="Count", value=1)
    return recorded


def require_session(session: SessionRecord | None) -> SessionRecord:
    if session is None:
        raise ApiError(errors.SESSION_NOT_FOUND)
    return session


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
        return views.dose(Standing(recorded, recorded), profile)

    return guarded(work)


def walk_in(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """Register a person at the centre and record their first dose, in one transaction that also
    takes a seat of the session's dose-1 capacity (and, where stock is tracked, draws on a vial). Same
    identity rules as online registration."""
    mobile = inputs.mobile(body, "mobile", profile.mobile_pattern)
    recorded: list[DoseRecord] = []

    def dose_for(person: BeneficiaryRecord) -> store.FirstDose:
        request = rules.parse_dose_request(body, profile, now, reference_id=person.beneficiary_reference_id)
        rules.check_time(request.given_at, now, now - REALTIME_GRACE_SECONDS, profile, "given_at")
        snap = store.snapshot(request.session_id, person.beneficiary_reference_id, principal.mobile)
        session = require_allocated(principal, snap.session, snap.allocation is not None)
        if date.fromisoformat(session.date) != local_date(profile, now):
            raise ApiError(errors.SESSION_NOT_TODAY)
        _check(request, session, person, profile)
        if booking_rules.available(int(getattr(session, f"capacity_dose{request.dose}")),
                                   int(getattr(session, f"booked_dose{request.dose}"))) == 0:
            raise ApiError(errors.NO_CAPACITY_LEFT)
        item = store.new_dose(request, session, person, given_on=rules.local_day(request.given_at, profile).isoformat(),
                              vaccinator=principal.mobile, verifier=principal.mobile,
                              recorded_by=principal.mobile, now=now, appointment_id=None, capture=None)
        draw = stock.draw(item, session, now, profile) if profile.stock_tracking else None
        recorded[:] = [replace(item, vial=draw.vial.vial_id) if draw else item]
        return store.FirstDose(recorded[0], draw)

    def attempt() -> str | None:
        try:
            return registration.register(mobile, body, now, profile, first_dose=dose_for)
        except registration.Refused:
            if profile.stock_tracking:
                return None  # the seat or the vial changed meanwhile: read both again
            raise ApiError(errors.NO_CAPACITY_LEFT) from None

    def work() -> dict:
        reference_id = stock.retried(attempt) if profile.stock_tracking else attempt()
        metrics.add_metric(name="WalkInVaccinated", unit="Count", value=1)
        walk_in = recorded[0]
        return {"beneficiary_reference_id": reference_id, "dose": views.dose(Standing(walk_in, walk_in), profile)}

    return guarded(work)


def on_dose_event(image: Mapping[str, Any], profile: CountryProfile) -> None:
    """The dose stream's consumer: tell the citizen, and remember what this dose makes due later
    (certificates hang off the same event)."""
    reference_id, dose = str(image["beneficiary_reference_id"]), int(image["dose"])
    if image.get("voided") or (image["kind"] == DOSE and image.get("supersedes")):
        return  # a grievance's repair (docs/grievances.md): its ticket's SMS tells the citizen
    if image["kind"] == DOSE:
        message = messages.dose_given(dose, image["vaccine"], reference_id, image["center_name"], image["given_on"],
                                      image["batch"])
        reminders.after_dose(image, profile)
    else:
        message = messages.dose_corrected(dose, reference_id, image["reason"])
    notify(str(image["mobile"]), message)
