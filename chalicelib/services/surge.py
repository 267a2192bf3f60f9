"""Surge mode: bookings queued on SQS and confirmed by a worker at the pace DynamoDB takes them.

When the stage runs in surge mode (TEEKA_SURGE_MODE), the national admin switches it on, or DynamoDB
throttles a booking, `schedule` only checks the request's shape, records it as PENDING and queues
it: the citizen gets 202 with the confirmation number at once. The worker books it with that very
appointment id, so a redelivered or duplicated message cannot book twice (the appointment item's
conditional put refuses the second), then settles the request CONFIRMED or REJECTED with the reason
and texts the citizen.

DynamoDB calls: enqueue = 1 PutItem (+ 1 SQS message); the worker = 1 GetItem (the request) + the
synchronous booking's calls + 1 UpdateItem (the outcome); status = 1 GetItem (+ 1 Query for
appointments booked synchronously). The national admin's switch is read at most every SWITCH_CACHE_SECONDS
per container.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from chalicelib.adapters import queues
from chalicelib.config import CountryProfile, Settings
from chalicelib.domain import booking as rules
from chalicelib.domain import errors, messages
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.observability import logger, metrics
from chalicelib.services import booking
from chalicelib.services.outbox import notify
from chalicelib.store import booking as store
from chalicelib.store import switches
from chalicelib.store.booking import BOOKED, CONFIRMED, PENDING, REJECTED

SWITCH = "surge"
SWITCH_CACHE_SECONDS = 10
REQUEST_RETENTION_SECONDS = 30 * 24 * 3600
_switch_cache: dict[str, tuple[float, bool]] = {}


class PoisonMessage(ValueError):
    """A queued booking that can never be processed: left to fail into the dead-letter queue."""


def is_on(settings: Settings) -> bool:
    """The stage's setting, or the national admin's switch (read at most every few seconds per container)."""
    if settings.surge_mode:
        return True
    read_at, on = _switch_cache.get(SWITCH, (0.0, False))
    if time.monotonic() - read_at > SWITCH_CACHE_SECONDS:
        on = switches.read(SWITCH)
        _switch_cache[SWITCH] = (time.monotonic(), on)
    return on


def forget_switch() -> None:
    """Drop this container's cached switch (tests start each case on a fresh embedded AWS)."""
    _switch_cache.clear()


def switch(on: bool, by: str, now: int, settings: Settings) -> dict:
    switches.write(SWITCH, on, by, now)
    forget_switch()
    logger.info("surge switch", extra={"on": on, "by": mask_mobile(by)})
    return {"surge": on or settings.surge_mode, "switch": on, "stage_setting": settings.surge_mode}


def book(mobile: str, body: Mapping[str, Any], now: int, settings: Settings) -> tuple[int, dict]:
    """Schedule: at once (200), or queued (202, PENDING) in surge mode or when DynamoDB throttles the
    booking. Returns the status and the answer."""
    booking.check_captcha(mobile, body, now, settings.country)
    if not is_on(settings):
        try:
            appointment_id = booking.schedule(mobile, body, now, settings.country)
            return 200, {"appointment_confirmation_no": appointment_id, "appointment_id": appointment_id}
        except booking.Overloaded:
            pass  # DynamoDB is shedding load: queue it as in surge mode
    appointment_id = enqueue(mobile, body, now, settings.country)
    return 202, {"appointment_confirmation_no": appointment_id, "appointment_id": appointment_id, "status": PENDING}


def enqueue(mobile: str, body: Mapping[str, Any], now: int, profile: CountryProfile) -> str:
    """Check the request's shape only (no reads), record it PENDING, queue it; returns its appointment id."""
    request = rules.parse_schedule(body, profile)
    appointment_id = str(uuid.uuid4())
    plain = {"dose": request.dose, "session_id": request.session_id, "slot": request.slot,
             "beneficiaries": list(request.beneficiaries)}
    store.save_request(appointment_id, mobile, plain, now, REQUEST_RETENTION_SECONDS)
    try:
        queues.send(queues.BOOKINGS, {"appointment_id": appointment_id, "mobile": mobile, "request": plain})
    except Exception:
        store.settle_request(appointment_id, REJECTED, now, errors.BOOKING_BUSY.code, errors.BOOKING_BUSY.message)
        logger.exception("booking could not be queued", extra={"mobile": mask_mobile(mobile)})
        raise ApiError(errors.BOOKING_BUSY) from None
    metrics.add_metric(name="BookingQueued", unit="Count", value=1)
    return appointment_id


def _parse(message: Any) -> tuple[str, str, dict]:
    if not isinstance(message, Mapping):
        raise PoisonMessage("not an object")
    appointment_id, mobile, request = message.get("appointment_id"), message.get("mobile"), message.get("request")
    if not isinstance(appointment_id, str) or not isinstance(mobile, str) or not isinstance(request, Mapping):
        raise PoisonMessage("needs appointment_id, mobile and request")
    return appointment_id, mobile, dict(request)


def work(message: Any, profile: CountryProfile, now: int | None = None) -> str:
    """Book one queued request; returns its outcome. Raises to have SQS retry it (throttling) or, for
    a malformed message, to let it fail into the dead-letter queue."""
    appointment_id, mobile, request = _parse(message)
    now = int(time.time()) if now is None else now
    pending = store.get_request(appointment_id)
    if pending is not None and pending.status != PENDING:
        return pending.status  # settled by an earlier delivery
    try:
        booking.schedule(mobile, request, now, profile, appointment_id=appointment_id)
    except ApiError as error:
        if any(item.status == BOOKED for item in store.appointment(appointment_id)):
            store.settle_request(appointment_id, CONFIRMED, now)  # a duplicate delivery booked it first
            return CONFIRMED
        store.settle_request(appointment_id, REJECTED, now, error.error.code, error.message)
        metrics.add_metric(name="BookingRejected", unit="Count", value=1)
        notify(mobile, messages.booking_rejected(appointment_id, error.error.message))
        return REJECTED
    store.settle_request(appointment_id, CONFIRMED, now)
    return CONFIRMED


def status(mobile: str, appointment_id: str) -> dict:
    """Where a booking stands: PENDING, CONFIRMED or REJECTED (with the reason), or, once booked, the
    state of each beneficiary's place (a synchronous booking has no request, only its places)."""
    request = store.get_request(appointment_id) if appointment_id else None
    if request is not None and request.mobile == mobile and request.status != CONFIRMED:
        answer: dict[str, Any] = {"appointment_id": appointment_id, "status": request.status}
        if request.status == REJECTED:
            answer.update(errorCode=request.reason_code, reason=request.reason)
        return answer
    places = [item for item in store.appointment(appointment_id) if item.mobile == mobile] if appointment_id else []
    if not places:
        raise ApiError(errors.APPOINTMENT_NOT_FOUND)
    booked = any(item.status == BOOKED for item in places)
    return {"appointment_id": appointment_id, "status": CONFIRMED if booked else places[0].status,
            "beneficiaries": [{"beneficiary_reference_id": item.beneficiary_reference_id, "status": item.status}
                              for item in places]}
