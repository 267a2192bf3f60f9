"""CoWIN's booking routes (schedule, reschedule, cancel: each rate-limited per mobile and run once
per `Idempotency-Key`), the status of a queued booking, and the operator's surge switch."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.adapters import idempotency
from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError
from chalicelib.domain.roles import CITIZENS, OPERATORS, Role
from chalicelib.services import booking, slips, surge

bp = Blueprint(__name__)


def _answer(result: dict) -> Response:
    if result["body"] is None:
        return Response(body="", status_code=result["status"])
    return json_response(result["body"], result["status"])


def _once(request: ApiRequest, operation: str, work) -> Response:
    """Count the attempt, then run it once per Idempotency-Key (when the client sends one)."""
    booking.count_attempt(request.principal.mobile, request.now)
    return _answer(idempotency.once(operation, request.principal.mobile, request.headers.get("idempotency-key"),
                                    request.json(), work, bp.lambda_context))


@endpoint(bp, "/v2/appointment/schedule", methods=("POST",), roles=CITIZENS)
def schedule(request: ApiRequest):
    mobile, body = request.principal.mobile, request.json()

    def work() -> dict:
        booking.check_captcha(mobile, body, request.now)
        if not surge.is_on():
            try:
                appointment_id = booking.schedule(mobile, body, request.now)
                return {"status": 200, "body": {"appointment_confirmation_no": appointment_id,
                                                "appointment_id": appointment_id}}
            except booking.Overloaded:
                pass  # DynamoDB is throttling: queue it as in surge mode
        appointment_id = surge.enqueue(mobile, body, request.now)
        return {"status": 202, "body": {"appointment_confirmation_no": appointment_id,
                                        "appointment_id": appointment_id, "status": "PENDING"}}

    return _once(request, "schedule", work)


@endpoint(bp, "/v2/auth/getRecaptcha", methods=("POST",), roles=CITIZENS)
def get_captcha(request: ApiRequest):
    return json_response({"captcha": booking.new_captcha(request.principal.mobile, request.now)})


@endpoint(bp, "/v2/appointment/appointmentslip/download", roles=CITIZENS)
def appointment_slip(request: ApiRequest):
    pdf = slips.appointment_slip(request.principal.mobile, inputs.text(request.query, "appointment_id", 64))
    return Response(body=pdf, status_code=200, headers={
        "Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="appointment-slip.pdf"',
        "Cache-Control": "private, no-store"})


@endpoint(bp, "/v2/appointment/status/{appointment_id}", roles=CITIZENS)
def status(request: ApiRequest, appointment_id: str):
    return json_response(surge.status(request.principal.mobile, appointment_id))


@endpoint(bp, "/v2/appointment/reschedule", methods=("POST",), roles=CITIZENS)
def reschedule(request: ApiRequest):
    def work() -> dict:
        booking.reschedule(request.principal.mobile, request.json(), request.now)
        return {"status": 204, "body": None}

    return _once(request, "reschedule", work)


@endpoint(bp, "/v2/appointment/cancel", methods=("POST",), roles=CITIZENS)
def cancel(request: ApiRequest):
    def work() -> dict:
        booking.cancel(request.principal.mobile, request.json(), request.now)
        return {"status": 204, "body": None}

    return _once(request, "cancel", work)


@endpoint(bp, "/v2/admin/surge", roles=OPERATORS)
def surge_state(request: ApiRequest):
    return json_response({"surge": surge.is_on()})


@endpoint(bp, "/v2/admin/surge", methods=("POST",), roles=OPERATORS)
def switch_surge(request: ApiRequest):
    on = inputs.field(request.json(), "on")
    if not isinstance(on, bool):
        raise ApiError(errors.INVALID_INPUT, "on must be true or false")
    return json_response(surge.switch(on, request.principal.mobile, request.now))
