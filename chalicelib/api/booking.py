"""CoWIN's booking routes (schedule, reschedule, cancel: each rate-limited per mobile and run once
per `Idempotency-Key`), the status of a queued booking, and the national admin's surge switch."""
from __future__ import annotations

from collections.abc import Callable

from chalice import Blueprint, Response

from chalicelib.api.http import PDF_CONTENT_TYPE, ApiRequest, endpoint, json_response
from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError
from chalicelib.domain.roles import CITIZENS, SURGE_CONTROLLERS

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)


def _answer(status: int, body: dict | None) -> Response:
    if body is None:
        return Response(body="", status_code=status)
    return json_response(body, status)


def _attempt(request: ApiRequest, operation: str, work: Callable[[], tuple[int, dict | None]]) -> Response:
    """A counted booking attempt, run once per Idempotency-Key (when the client sends one)."""
    from chalicelib.services import booking

    def remembered() -> dict:  # what a replay answers: JSON, so it can be stored
        status, body = work()
        return {"status": status, "body": body}

    answer = booking.attempt(operation, request.caller.mobile, request.headers.get("idempotency-key"),
                             request.json(), request.now, request.profile, remembered, bp.lambda_context)
    return _answer(answer["status"], answer["body"])


@endpoint(bp, "/v2/appointment/schedule", methods=("POST",), roles=CITIZENS)
def schedule(request: ApiRequest):
    from chalicelib.services import surge

    return _attempt(request, "schedule", lambda: surge.book(request.caller.mobile, request.json(), request.now,
                                                             request.settings))


@endpoint(bp, "/v2/auth/getRecaptcha", methods=("POST",), roles=CITIZENS)
def get_captcha(request: ApiRequest):
    from chalicelib.services import booking

    return json_response({"captcha": booking.new_captcha(request.caller.mobile, request.now)})


@endpoint(bp, "/v2/appointment/appointmentslip/download", roles=CITIZENS)
def appointment_slip(request: ApiRequest):
    from chalicelib.services import slips

    pdf = slips.appointment_slip(request.caller.mobile, inputs.text(request.query, "appointment_id", 64),
                              request.profile)
    return Response(body=pdf, status_code=200, headers={
        "Content-Type": PDF_CONTENT_TYPE, "Content-Disposition": 'attachment; filename="appointment-slip.pdf"',
        "Cache-Control": "private, no-store"})


@endpoint(bp, "/v2/appointment/status/{appointment_id}", roles=CITIZENS)
def status(request: ApiRequest, appointment_id: str):
    from chalicelib.services import surge

    return json_response(surge.status(request.caller.mobile, appointment_id))


@endpoint(bp, "/v2/appointment/reschedule", methods=("POST",), roles=CITIZENS)
def reschedule(request: ApiRequest):
    from chalicelib.services import booking

    def work() -> tuple[int, None]:
        booking.reschedule(request.caller.mobile, request.json(), request.now, request.profile)
        return 204, None

    return _attempt(request, "reschedule", work)


@endpoint(bp, "/v2/appointment/cancel", methods=("POST",), roles=CITIZENS)
def cancel(request: ApiRequest):
    from chalicelib.services import booking

    def work() -> tuple[int, None]:
        booking.cancel(request.caller.mobile, request.json(), request.now, request.profile)
        return 204, None

    return _attempt(request, "cancel", work)


@endpoint(bp, "/v2/admin/surge", roles=SURGE_CONTROLLERS)
def surge_state(request: ApiRequest):
    from chalicelib.services import surge

    return json_response({"surge": surge.is_on(request.settings)})


@endpoint(bp, "/v2/admin/surge", methods=("POST",), roles=SURGE_CONTROLLERS)
def switch_surge(request: ApiRequest):
    from chalicelib.services import surge

    on = inputs.field(request.json(), "on")
    if not isinstance(on, bool):
        raise ApiError(errors.INVALID_INPUT, "on must be true or false")
    return json_response(surge.switch(on, request.caller.mobile, request.now, request.settings))
