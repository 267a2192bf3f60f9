"""CoWIN's booking routes: schedule, reschedule, cancel."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain.roles import Role
from chalicelib.services import booking

bp = Blueprint(__name__)
CITIZEN = frozenset({Role.CITIZEN})


@endpoint(bp, "/v2/appointment/schedule", methods=("POST",), roles=CITIZEN)
def schedule(request: ApiRequest):
    booking.count_attempt(request.principal.mobile, request.now)
    appointment_id = booking.schedule(request.principal.mobile, request.json(), request.now)
    return json_response({"appointment_confirmation_no": appointment_id, "appointment_id": appointment_id})


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
