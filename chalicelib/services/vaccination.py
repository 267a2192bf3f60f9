"""Dose capture at the centre: the door check, doses (booked, walk-in, offline), corrections, AEFI,
and the vaccinators' allowance report.

Who: vaccinators and verifiers act only in sessions they are allocated to, at their own facility;
facility and area admins act within their scope. DynamoDB calls:
- verify: 1 TransactGetItems (appointment, beneficiary, session, allocation) + 1 UpdateItem;
- record a dose: 1 TransactGetItems (session, beneficiary, allocation: one consistent snapshot the
  rules need) + 1 GetItem (the appointment, only when the door check is what vouches for the
  person) + 1 TransactWriteItems (see store.vaccination);
- walk-in: 1 TransactGetItems (session, allocation) + 1 TransactWriteItems (registration and dose);
- offline batch of n: 1 BatchGetItem each for captures, beneficiaries, sessions and allocations
  (per 100) + 1 TransactWriteItems per new record (+ 1 PutItem per rejected one);
- correction: 1 Query (the dose's history) + 1 PutItem; AEFI: 1 GetItem + 1 PutItem;
- session list: GetItem (allocation) + Query (appointments) + BatchGetItem (beneficiaries);
- finding people: GetItem (by reference id) or Query (by mobile), + BatchGetItem (the caller's
  allocations to the sessions where they are booked or were vaccinated) for site staff;
- a person's doses: GetItem (the person, for reach) + BatchGetItem for site staff + Query (the doses);
- allowance report: 1 Query of counts + 1 BatchGetItem (staff names).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any, Mapping

from pynamodb.exceptions import PynamoDBException

from chalicelib.config import get_settings
from chalicelib.domain import booking as booking_rules
from chalicelib.domain import errors, inputs
from chalicelib.domain import vaccination as rules
from chalicelib.domain.calendar import local_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.roles import ADMINS, SITE_STAFF, Principal, Role
from chalicelib.observability import logger, metrics
from chalicelib.services import planning, registration
from chalicelib.services.booking import beneficiary_facts, security_code_of, send_sms, session_facts
from chalicelib.services.metadata import district_states
from chalicelib.store import auth as staff_store
from chalicelib.store import booking as booking_store
from chalicelib.store import planning as planning_store
from chalicelib.store import registration as registration_store
from chalicelib.store import vaccination as store
from chalicelib.store.booking import BOOKED, COMPLETED, AppointmentItem
from chalicelib.store.planning import SessionItem
from chalicelib.store.registration import AuditItem, BeneficiaryItem
from chalicelib.store.vaccination import ACCEPTED, CORRECTION, DOSE, REJECTED, CaptureItem, DoseItem

REALTIME_GRACE_SECONDS = 24 * 3600  # a dose recorded in real time was given today
CAPTURE_KEPT_SECONDS = 90 * 24 * 3600


class Duplicate(Exception):
    """The offline record's UUID was settled by another request first."""


def _profile():
    return get_settings().country


def _today(now: int) -> date:
    return local_date(_profile(), now)


def _iso(moment: int | None) -> str | None:
    return None if moment is None else rules.iso_moment(int(moment), _profile())


# -- who may act where --------------------------------------------------------------------------

def _require_allocated(principal: Principal, session: SessionItem | None, allocated: bool) -> SessionItem:
    if session is None:
        raise ApiError(errors.SESSION_NOT_FOUND)
    if not allocated or not principal.covers_centre(session):
        raise ApiError(errors.NOT_ALLOCATED)
    return session


def _require_session_access(principal: Principal, session_id: str) -> SessionItem:
    """Allocated site staff, or an admin whose scope covers the session's centre."""
    session = planning_store.get_session(session_id) if session_id else None
    if session is None:
        raise ApiError(errors.SESSION_NOT_FOUND)
    if principal.has_any(ADMINS) and principal.covers_centre(session):
        return session
    return _require_allocated(principal, session,
                              planning_store.allocation(session.session_id, principal.mobile) is not None)


# -- at the door ----------------------------------------------------------------------------------

def todays_sessions(principal: Principal, now: int) -> list[dict]:
    return planning.my_sessions(principal, now, days=1)


def session_appointments(principal: Principal, session_id: str, now: int) -> dict:
    session = _require_session_access(principal, session_id)
    items = [item for item in booking_store.for_session(session.session_id) if item.status != "CANCELLED"]
    people = registration_store.get_many([item.beneficiary_reference_id for item in items])
    session_day, today = date.fromisoformat(session.date), _today(now)
    limit = _profile().security_code_attempts
    rows = []
    for item in sorted(items, key=lambda i: (i.slot, i.created_at)):
        person = people.get(item.beneficiary_reference_id)
        rows.append({
            "appointment_id": item.appointment_id, "beneficiary_reference_id": item.beneficiary_reference_id,
            "name": person.name if person else "", "birth_year": str(int(person.birth_year)) if person else "",
            "photo_id_type": registration.id_type_name(int(person.photo_id_type)) if person else "",
            "photo_id_number": registration.masked_id(person) if person else "",
            "mobile_number": mask_mobile(item.mobile), "dose": int(item.dose), "slot": item.slot,
            "status": rules.appointment_status(item.status, item.verified_at is not None, session_day, today),
            "locked": rules.is_locked(int(item.code_attempts or 0), item.verified_at is not None, limit),
        })
    return {"session": planning.session_view(session), "appointments": rows}


def _places(person: BeneficiaryItem) -> list[Mapping[str, Any]]:
    """Where a person is known to Teeka's staff: their booked appointments and the doses they were given."""
    booked = [summary.as_dict() for summary in (person.appointment_dose1, person.appointment_dose2) if summary]
    return [*booked, *person.dose_places.as_dict().values()]


def _in_reach(principal: Principal, people: list[BeneficiaryItem]) -> list[BeneficiaryItem]:
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


def find_beneficiaries(principal: Principal, body: Mapping[str, Any]) -> list[dict]:
    """By reference id or by mobile (in the body: a full mobile never goes in a URL), masked like every
    other answer, and only the people within the caller's reach; the others are simply not found."""
    profile = _profile()
    if body.get("beneficiary_reference_id"):
        person = registration_store.get(rules.parse_reference_id(body, profile))
        people = [person] if person else []
    elif body.get("mobile"):
        people = registration_store.for_mobile(inputs.mobile(body, "mobile", profile.mobile_pattern))
    else:
        raise ApiError(errors.INPUT_MISSING, "Give beneficiary_reference_id or mobile")
    return [registration.view(person) for person in _in_reach(principal, people)]


def verify(principal: Principal, body: Mapping[str, Any], now: int) -> dict:
    """The door check: this beneficiary holds this appointment here today, shows the registered photo
    ID, and knows the security code. Wrong codes count; at the country's limit the appointment locks."""
    profile = _profile()
    appointment_id = inputs.text(body, "appointment_id", max_length=64)
    reference_id = rules.parse_reference_id(body, profile)
    session_id = inputs.text(body, "session_id", max_length=64)
    id_check = rules.parse_id_check(body)
    if id_check is None:
        raise ApiError(errors.INPUT_MISSING, "Input parameter missing: photo_id_type, id_last4")
    snap = store.snapshot(session_id, reference_id, principal.mobile, appointment_id)
    session = _require_allocated(principal, snap.session, snap.allocation is not None)
    appointment, person = snap.appointment, snap.person
    if appointment is None or person is None or appointment.session_id != session.session_id:
        raise ApiError(errors.APPOINTMENT_NOT_HERE)
    if appointment.status == COMPLETED:
        raise ApiError(errors.DOSE_ALREADY_RECORDED)
    if appointment.status != BOOKED:
        raise ApiError(errors.APPOINTMENT_NOT_HERE, "This appointment is cancelled")
    if date.fromisoformat(session.date) != _today(now):
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
            "verified_at": _iso(now)}


def _explain_refused_attempt(appointment: AppointmentItem) -> None:
    """No attempt could be counted: the appointment locked, or changed, since it was read."""
    now_stands = booking_store.appointment_of(appointment.appointment_id, appointment.beneficiary_reference_id)
    if now_stands is None or now_stands.status != BOOKED or now_stands.session_id != appointment.session_id:
        raise ApiError(errors.APPOINTMENT_NOT_HERE, "The appointment changed meanwhile (cancelled or moved)")
    raise ApiError(errors.APPOINTMENT_LOCKED)


def unlock(principal: Principal, body: Mapping[str, Any], now: int) -> dict:
    """A facility admin lets a locked appointment be verified again; who and when is audited."""
    appointment_id = inputs.text(body, "appointment_id", max_length=64)
    reference_id = rules.parse_reference_id(body, _profile())
    appointment = booking_store.appointment_of(appointment_id, reference_id)
    if appointment is None:
        raise ApiError(errors.APPOINTMENT_NOT_HERE)
    session = planning_store.get_session(appointment.session_id)
    if session is None or not principal.covers_centre(session):
        raise ApiError(errors.OUT_OF_SCOPE)
    audit = AuditItem(f"appointment#{appointment_id}#{reference_id}",
                      f"{datetime.fromtimestamp(now, timezone.utc).isoformat()}#{uuid.uuid4().hex[:8]}",
                      action="unlock", actor=principal.mobile, old={"code_attempts": int(appointment.code_attempts or 0)},
                      new={"code_attempts": 0})
    if not store.unlock(appointment, audit, _profile().security_code_attempts):
        raise ApiError(errors.NOT_LOCKED)
    return {"appointment_id": appointment_id, "beneficiary_reference_id": reference_id, "locked": False}


# -- doses ----------------------------------------------------------------------------------------

def batch_and_time(record: DoseItem, corrections: list[DoseItem] = ()) -> tuple[str, int]:
    """A dose's batch and time as they stand: the latest correction supersedes the record."""
    current = corrections[-1] if corrections else record
    return current.batch, int(current.given_at)


def dose_view(record: DoseItem, corrections: list[DoseItem] = ()) -> dict:
    """A dose as recorded, with the corrections that supersede its batch or time (latest wins)."""
    batch, given_at = batch_and_time(record, corrections)
    return {
        "record_id": record.record_id, "beneficiary_reference_id": record.beneficiary_reference_id,
        "dose": int(record.dose), "vaccine": record.vaccine, "batch": batch, "given_at": _iso(given_at),
        "session_id": record.session_id, "center_id": int(record.center_id), "center_name": record.center_name,
        "vaccinator": mask_mobile(record.vaccinator), "verifier": mask_mobile(record.verifier),
        "appointment_id": record.appointment_id, "walk_in": bool(record.walk_in), "source": record.source,
        "recorded_at": _iso(record.recorded_at), "captured_at": _iso(record.captured_at),
        "corrections": [{"record_id": c.record_id, "reason": c.reason, "batch": c.batch, "given_at": _iso(c.given_at),
                         "corrected_by": mask_mobile(c.recorded_by), "corrected_at": _iso(c.recorded_at)}
                        for c in corrections],
    }


def _dose_item(request: rules.DoseRequest, session: SessionItem, mobile: str, vaccinator: str, verifier: str,
               recorded_by: str, now: int, appointment_id: str | None, capture: rules.Capture | None) -> DoseItem:
    return DoseItem(
        request.beneficiary_reference_id, store.dose_entry(request.dose), kind=DOSE, record_id=str(uuid.uuid4()),
        dose=request.dose, vaccine=request.vaccine, batch=request.batch, given_at=request.given_at,
        given_on=rules.local_day(request.given_at, _profile()).isoformat(), mobile=mobile, recorded_at=now,
        recorded_by=recorded_by, session_id=session.session_id, center_id=int(session.center_id),
        center_name=session.name, district_id=int(session.district_id), state_id=int(session.state_id),
        vaccinator=vaccinator, verifier=verifier, appointment_id=appointment_id, walk_in=appointment_id is None,
        source="offline" if capture else "online", captured_at=capture.captured_at if capture else None,
        device_id=capture.device_id if capture else None, capture_uuid=capture.record_uuid if capture else None)


def _check(request: rules.DoseRequest, session: SessionItem, person: BeneficiaryItem) -> None:
    rules.check_dose(beneficiary_facts(person), session_facts(session), request.dose, request.vaccine,
                     rules.local_day(request.given_at, _profile()), _profile())


def _record(request: rules.DoseRequest, session: SessionItem, person: BeneficiaryItem | None, vaccinator: str,
            recorded_by: str, now: int, capture: rules.Capture | None = None) -> DoseItem:
    """Check and write one dose of a registered beneficiary; raises the rule it breaks."""
    if person is None:
        raise ApiError(errors.BENEFICIARY_NOT_FOUND, "No such beneficiary")
    _check(request, session, person)
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
        verifier = _door_check(booking_store.appointment_of(appointment_id, person.beneficiary_reference_id))
    item = _dose_item(request, session, person.mobile, vaccinator, verifier, recorded_by, now, appointment_id,
                      capture)
    capture_item = _capture_item(capture, request, ACCEPTED, recorded_by, now, record_id=item.record_id) \
        if capture else None
    failed = store.record(item, take_seat=session if appointment_id is None else None,
                          completes=rules.Completion(appointment_id, request.id_check is None, _profile().security_code_attempts)
                          if appointment_id else None,
                          district_id=int(session.district_id), capture=capture_item)
    if failed is not None:
        _explain(failed, appointment_id, person.beneficiary_reference_id)
    metrics.add_metric(name="DoseRecorded", unit="Count", value=1)
    return item


def _door_check(appointment: AppointmentItem | None) -> str:
    """Who verified the appointment at the door; raises when it was not (or cannot be) verified."""
    if appointment is None or appointment.status != BOOKED:
        raise ApiError(errors.APPOINTMENT_NOT_HERE)
    if rules.is_locked(int(appointment.code_attempts or 0), appointment.verified_at is not None,
                       _profile().security_code_attempts):
        raise ApiError(errors.APPOINTMENT_LOCKED)
    if appointment.verified_at is None:
        raise ApiError(errors.NOT_VERIFIED)
    return appointment.verified_by


def _explain(failed: set[str], appointment_id: str | None, reference_id: str) -> None:
    if "capture" in failed:
        raise Duplicate
    if "dose" in failed:
        raise ApiError(errors.DOSE_ALREADY_RECORDED)
    if "appointment" in failed:
        _door_check(booking_store.appointment_of(appointment_id, reference_id))
        raise ApiError(errors.APPOINTMENT_NOT_HERE)
    if "session" in failed:
        raise ApiError(errors.NO_CAPACITY_LEFT)
    raise ApiError(errors.DOSE_ORDER, "The beneficiary's doses or appointment changed meanwhile; look again")


def _guarded(work):
    """DynamoDB failing under a dose is a clear 503: the client retries (nothing is half-written)."""
    try:
        return work()
    except PynamoDBException:
        logger.exception("dose write failed in DynamoDB")
        raise ApiError(errors.VACCINATION_BUSY) from None


def record_dose(principal: Principal, body: Mapping[str, Any], now: int) -> dict:
    """A dose given now (or earlier today), recorded synchronously: durable when this returns."""
    profile = _profile()
    request = rules.parse_dose_request(body, profile, default_time=now)
    rules.check_time(request.given_at, now, now - REALTIME_GRACE_SECONDS, profile, "given_at")

    def work() -> dict:
        snap = store.snapshot(request.session_id, request.beneficiary_reference_id, principal.mobile)
        session = _require_allocated(principal, snap.session, snap.allocation is not None)
        if date.fromisoformat(session.date) != _today(now):
            raise ApiError(errors.SESSION_NOT_TODAY)
        return dose_view(_record(request, session, snap.person, principal.mobile, principal.mobile, now))

    return _guarded(work)


def walk_in(principal: Principal, body: Mapping[str, Any], now: int) -> dict:
    """Register a person at the centre and record their first dose, in one transaction that also
    takes a seat of the session's dose-1 capacity. Same identity rules as online registration."""
    profile = _profile()
    mobile = inputs.mobile(body, "mobile", profile.mobile_pattern)
    recorded: list[DoseItem] = []

    def dose_for(person: BeneficiaryItem):
        request = rules.parse_dose_request(body, profile, now, reference_id=person.beneficiary_reference_id)
        rules.check_time(request.given_at, now, now - REALTIME_GRACE_SECONDS, profile, "given_at")
        snap = store.snapshot(request.session_id, person.beneficiary_reference_id, principal.mobile)
        session = _require_allocated(principal, snap.session, snap.allocation is not None)
        if date.fromisoformat(session.date) != _today(now):
            raise ApiError(errors.SESSION_NOT_TODAY)
        _check(request, session, person)
        item = _dose_item(request, session, mobile, principal.mobile, principal.mobile, principal.mobile, now,
                          None, None)
        person.doses_given, person.vaccine, person.dose1_date = 1, item.vaccine, item.given_on
        person.dose_places = {"1": store.dose_place(item)}
        recorded[:] = [item]
        return lambda transaction: store.add_dose(transaction, item, take_seat=session, completes=None,
                                                  district_id=int(session.district_id))

    def work() -> dict:
        try:
            reference_id = registration.register(mobile, body, now, also=dose_for)
        except registration.Refused:
            raise ApiError(errors.NO_CAPACITY_LEFT) from None
        metrics.add_metric(name="WalkInVaccinated", unit="Count", value=1)
        return {"beneficiary_reference_id": reference_id, "dose": dose_view(recorded[0])}

    return _guarded(work)


# -- offline capture -------------------------------------------------------------------------------

def _capture_item(capture: rules.Capture, request: rules.DoseRequest | None, status: str, synced_by: str, now: int,
                  record_id: str | None = None, error: ApiError | None = None) -> CaptureItem:
    return CaptureItem(
        capture.record_uuid, status=status, error_code=error.error.code if error else None,
        error=error.message if error else None,
        beneficiary_reference_id=request.beneficiary_reference_id if request else None,
        dose=request.dose if request else None, record_id=record_id, device_id=capture.device_id,
        vaccinator=capture.vaccinator, captured_at=capture.captured_at, synced_at=now, synced_by=synced_by,
        expires_at=datetime.fromtimestamp(now + CAPTURE_KEPT_SECONDS, timezone.utc))


def capture_result(item: CaptureItem) -> dict:
    result = {"status": item.status, "beneficiary_reference_id": item.beneficiary_reference_id,
              "dose": None if item.dose is None else int(item.dose), "record_id": item.record_id,
              "synced_at": _iso(item.synced_at)}
    if item.status == REJECTED:
        result.update(errorCode=item.error_code, error=item.error)
    return result


def sync_offline(principal: Principal, body: Mapping[str, Any], now: int) -> dict:
    """Records captured on a device without connectivity, each with its own UUID. Each is accepted
    (recorded now), a duplicate (its UUID was synced before: the original result comes back), or
    rejected with the reason. Safe to resend whole: a batch cut short is finished by the retry."""
    profile = _profile()
    raw = body.get("records")
    if not isinstance(raw, list) or not 1 <= len(raw) <= rules.MAX_BATCH_RECORDS:
        raise ApiError(errors.OFFLINE_BATCH_INVALID)
    oldest = now - profile.offline_capture_window_hours * 3600
    parsed: list[tuple[rules.Capture | None, rules.DoseRequest | None, ApiError | None]] = []
    for entry in raw:
        capture = request = None
        try:
            if not isinstance(entry, dict):
                raise ApiError(errors.INVALID_INPUT, "A record must be a JSON object")
            capture = rules.parse_capture(entry, profile)
            request = rules.parse_dose_request(entry, profile, default_time=capture.captured_at)
            rules.check_time(capture.captured_at, now, oldest, profile, "captured_at")
            rules.check_time(request.given_at, now, oldest, profile, "given_at")
            parsed.append((capture, request, None))
        except ApiError as error:
            parsed.append((capture, request, error))
    known = store.captures([c.record_uuid for c, _, _ in parsed if c is not None])
    fresh = [(c, r) for c, r, e in parsed if e is None and c.record_uuid not in known]
    people = registration_store.get_many([r.beneficiary_reference_id for _, r in fresh])
    sessions, roles = store.sessions_and_allocations([(r.session_id, c.vaccinator) for c, r in fresh])
    allocated = {pair for pair, role in roles.items() if role == Role.VACCINATOR}

    def work() -> dict:
        results: list[dict] = []
        settled: dict[str, dict] = {}  # UUID -> result, within this batch
        for index, (capture, request, error) in enumerate(parsed):
            if capture is None:
                results.append({"index": index, "uuid": None, "status": REJECTED, "errorCode": error.error.code,
                                "error": error.message})
                continue
            if capture.record_uuid in settled or capture.record_uuid in known:
                original = settled.get(capture.record_uuid) or capture_result(known[capture.record_uuid])
                results.append({"index": index, "uuid": capture.record_uuid, "status": "duplicate",
                                "original": original})
                continue
            outcome = _sync_one(principal, capture, request, error, sessions, allocated, people, now)
            settled[capture.record_uuid] = outcome.get("original", outcome)
            results.append({"index": index, "uuid": capture.record_uuid, **outcome})
        counts = {status: sum(r["status"] == status for r in results) for status in (ACCEPTED, "duplicate", REJECTED)}
        metrics.add_metric(name="OfflineRecordsAccepted", unit="Count", value=counts[ACCEPTED])
        return {"records": results, **counts}

    return _guarded(work)


def _sync_one(principal: Principal, capture: rules.Capture, request: rules.DoseRequest, error: ApiError | None,
              sessions: dict, allocated: set, people: dict, now: int) -> dict:
    """One fresh record: recorded (with its capture item, atomically), or its rejection kept."""
    if error is None:
        try:
            session = sessions.get(request.session_id)
            _require_allocated(principal, session, (request.session_id, capture.vaccinator) in allocated)
            item = _record(request, session, people.get(request.beneficiary_reference_id), capture.vaccinator,
                           principal.mobile, now, capture)
            return {"status": ACCEPTED, "beneficiary_reference_id": item.beneficiary_reference_id,
                    "dose": int(item.dose), "record_id": item.record_id, "synced_at": _iso(now)}
        except Duplicate:
            return _replayed(capture.record_uuid)
        except ApiError as refused:
            error = refused
    if not store.save_rejection(_capture_item(capture, request, REJECTED, principal.mobile, now, error=error)):
        return _replayed(capture.record_uuid)
    return {"status": REJECTED, "errorCode": error.error.code, "error": error.message,
            "beneficiary_reference_id": request.beneficiary_reference_id if request else None,
            "dose": request.dose if request else None}


def _replayed(record_uuid: str) -> dict:
    """Another request with this UUID got there first: its result is the original."""
    return {"status": "duplicate", "original": capture_result(store.capture(record_uuid))}


# -- after the dose ---------------------------------------------------------------------------------

def _dose_history(principal: Principal, body: Mapping[str, Any]) -> tuple[DoseItem, list[DoseItem]]:
    """The dose a correction or an AEFI report is about (beneficiary_reference_id, dose): its record and
    its corrections, oldest first; only within the caller's scope."""
    entries = store.history(rules.parse_reference_id(body, _profile()), booking_rules.parse_dose(body))
    record = next((e for e in entries if e.kind == DOSE), None)
    if record is None:
        raise ApiError(errors.DOSE_NOT_FOUND)
    if not principal.covers_centre(record):
        raise ApiError(errors.OUT_OF_SCOPE)
    return record, [e for e in entries if e.kind == CORRECTION]


def _later_entry(now: int) -> str:
    """A sort-key suffix that orders entries by time and never collides."""
    return f"{datetime.fromtimestamp(now, timezone.utc).strftime('%Y%m%dT%H%M%S')}#{uuid.uuid4().hex[:8]}"


def doses_of(principal: Principal, query: Mapping[str, str]) -> list[dict]:
    """A beneficiary's doses with their corrections (staff view, masked), for staff within reach of them."""
    reference_id = rules.parse_reference_id(query, _profile())
    person = registration_store.get(reference_id)
    if person is None or not _in_reach(principal, [person]):
        raise ApiError(errors.OUT_OF_SCOPE)
    entries = store.history(reference_id)
    views = []
    for record in (e for e in entries if e.kind == DOSE):
        fixes = [e for e in entries if e.kind == CORRECTION and int(e.dose) == int(record.dose)]
        views.append(dose_view(record, fixes))
    return views


def correct_dose(principal: Principal, body: Mapping[str, Any], now: int) -> dict:
    """A correction record supersedes the dose's batch or time; the record itself is never edited."""
    profile = _profile()
    correction = rules.parse_correction(body, profile)
    record, fixes = _dose_history(principal, body)
    current = fixes[-1] if fixes else record
    given_at = correction.given_at if correction.given_at is not None else int(current.given_at)
    if rules.local_day(given_at, profile).isoformat() != record.given_on or given_at > now + profile.clock_skew_seconds:
        raise ApiError(errors.INVALID_CORRECTION, "A corrected time must be on the day the dose was given, "
                                                  "not in the future")
    item = DoseItem(record.beneficiary_reference_id, f"{record.entry}#fix#{_later_entry(now)}", kind=CORRECTION,
                    record_id=str(uuid.uuid4()), dose=int(record.dose), vaccine=record.vaccine,
                    batch=correction.batch or current.batch, given_at=given_at, given_on=record.given_on,
                    mobile=record.mobile, recorded_at=now, recorded_by=principal.mobile, reason=correction.reason,
                    supersedes=current.record_id)
    if not store.add_correction(item):
        raise ApiError(errors.VACCINATION_BUSY)
    return dose_view(record, [*fixes, item])


def report_aefi(principal: Principal, body: Mapping[str, Any], now: int) -> dict:
    profile = _profile()
    report = rules.parse_aefi(body, profile)
    record, fixes = _dose_history(principal, body)
    given_at = int((fixes[-1] if fixes else record).given_at)
    rules.check_time(report.onset_at, now, given_at - profile.clock_skew_seconds, profile, "onset_at")
    reference_id, dose = record.beneficiary_reference_id, int(record.dose)
    item = store.AefiItem(reference_id, f"{dose}#{_later_entry(now)}", report_id=str(uuid.uuid4()),
                          dose=dose, dose_record_id=record.record_id, severity=report.severity,
                          symptoms=list(report.symptoms), onset_at=report.onset_at, description=report.description,
                          reporter=principal.mobile, reported_at=now, center_id=int(record.center_id),
                          district_id=int(record.district_id), state_id=int(record.state_id))
    store.save_aefi(item)
    metrics.add_metric(name=f"Aefi{report.severity.capitalize()}", unit="Count", value=1)
    if report.severity == "serious":
        logger.warning("serious AEFI reported", extra={"report_id": item.report_id, "center_id": int(record.center_id)})
    return {"report_id": item.report_id, "beneficiary_reference_id": reference_id, "dose": dose,
            "dose_record_id": record.record_id, "severity": report.severity, "symptoms": list(report.symptoms),
            "onset_at": _iso(report.onset_at), "description": report.description,
            "reporter": mask_mobile(principal.mobile), "reported_at": _iso(now)}


def allowance_report(principal: Principal, query: Mapping[str, str]) -> dict:
    """Doses per vaccinator per day and per session, for a facility or a district, over a range."""
    first = inputs.cowin_date(query.get("from"), "from")
    last = inputs.cowin_date(query.get("to"), "to")
    rules.report_range(first, last)
    scope = principal.scope
    if query.get("center_id") or (scope.facility_id is not None and not query.get("district_id")):
        center_id = inputs.integer(query, "center_id") if query.get("center_id") else int(scope.facility_id)
        centre = planning_store.get_centre(center_id)
        if centre is None:
            raise ApiError(errors.CENTER_NOT_FOUND)
        place = {"state_id": int(centre.state_id), "district_id": int(centre.district_id), "facility_id": center_id}
        counts = store.allowances_at(center_id, first.isoformat(), last.isoformat())
        where = {"center_id": center_id}
    else:
        district_id = inputs.integer(query, "district_id") if query.get("district_id") else scope.district_id
        if district_id is None:
            raise ApiError(errors.INPUT_MISSING, "Input parameter missing: center_id or district_id")
        place = {"district_id": int(district_id)}
        if scope.state_id is not None:
            place["state_id"] = _state_of(int(district_id))
        counts = store.allowances_in(int(district_id), first.isoformat(), last.isoformat())
        where = {"district_id": int(district_id)}
    if not principal.covers(**place):
        raise ApiError(errors.OUT_OF_SCOPE)
    report = rules.allowance(rules.AllowanceCount(c.day, int(c.center_id), c.session_id, c.vaccinator, int(c.doses))
                             for c in counts)
    names = staff_store.names({row["vaccinator"] for row in report["per_vaccinator_day"]})
    for row in (*report["per_vaccinator_day"], *report["per_session"]):
        row["vaccinator_name"] = names.get(row["vaccinator"], "")
        row["date"] = inputs.format_cowin_date(date.fromisoformat(row["date"]))
        row["vaccinator"] = mask_mobile(row["vaccinator"])
    total = sum(row["doses"] for row in report["per_session"])
    return {**where, "from": inputs.format_cowin_date(first), "to": inputs.format_cowin_date(last),
            "total_doses": total, **report}


def _state_of(district_id: int) -> int:
    state = district_states().get(district_id)
    if state is None:
        raise ApiError(errors.INVALID_DISTRICT)
    return state


def on_dose_event(image: Mapping[str, Any]) -> None:
    """The dose stream's consumer: tell the citizen (certificates will hang off the same event)."""
    reference = str(image["beneficiary_reference_id"])[-4:]
    day = inputs.format_cowin_date(date.fromisoformat(image["given_on"]))
    if image["kind"] == DOSE:
        message = (f"Teeka: dose {int(image['dose'])} of {image['vaccine']} was given to beneficiary ****{reference} "
                   f"at {image['center_name']} on {day} (batch {image['batch']}).")
    else:
        message = (f"Teeka: the record of dose {int(image['dose'])} for beneficiary ****{reference} was corrected: "
                   f"{image['reason']}.")
    send_sms(str(image["mobile"]), message)
