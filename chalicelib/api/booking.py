"""CoWIN's booking routes (schedule, reschedule, cancel), the status of a queued booking, and the
operator's surge switch."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError
from chalicelib.domain.roles import Role
from chalicelib.services import booking, surge

bp = Blueprint(__name__)
CITIZEN = frozenset({Role.CITIZEN})
OPERATORS = frozenset({Role.NATIONAL_ADMIN})


@endpoint(bp, "/v2/appointment/schedule", methods=("POST",), roles=CITIZEN)
def schedule(request: ApiRequest):
    mobile, body = request.principal.mobile, request.json()
    booking.count_attempt(mobile, request.now)
    if not surge.is_on():
        try:
            appointment_id = booking.schedule(mobile, body, request.now)
            return json_response({"appointment_confirmation_no": appointment_id, "appointment_id": appointment_id})
        except booking.Overloaded:
            pass  # DynamoDB is throttling: queue it like in surge mode
    appointment_id = surge.enqueue(mobile, body, request.now)
    return json_response({"appointment_confirmation_no": appointment_id, "appointment_id": appointment_id,
                          "status": "PENDING"}, 202)


@endpoint(bp, "/v2/appointment/status/{appointment_id}", roles=CITIZEN)
def status(request: ApiRequest, appointment_id: str):
    return json_response(surge.status(request.principal.mobile, appointment_id))


@endpoint(bp, "/v2/appointment/reschedule", methods=("POST",), roles=CITIZEN)
def reschedule(request: ApiRequest):
    booking.count_attempt(request.principal.mobile, request.now)
    booking.reschedule(request.principal.mobile, request.json(), request.now)
    return Response(body="", status_code=204)


@endpoint(bp, "/v2/appointment/cancel", methods=("POST",), roles=CITIZEN)
def cancel(request: ApiRequest):
    booking.count_attempt(request.principal.mobile, request.now)
    booking.cancel(request.principal.mobile, request.json(), request.now)
    return Response(body="", status_code=204)


@endpoint(bp, "/v2/admin/surge", roles=OPERATORS)
def surge_state(request: ApiRequest):
    return json_response({"surge": surge.is_on()})


@endpoint(bp, "/v2/admin/surge", methods=("POST",), roles=OPERATORS)
def switch_surge(request: ApiRequest):
    on = inputs.field(request.json(), "on")
    if not isinstance(on, bool):
        raise ApiError(errors.INVALID_INPUT, "on must be true or false")
    return json_response(surge.switch(on, request.principal.mobile, request.now))
