"""Planning routes for officers: centres, facility staff, sessions (one, or a plan in bulk), allocations."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError
from chalicelib.domain.roles import ADMINS, AREA_ADMINS, SITE_STAFF

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)


@endpoint(bp, "/v2/admin/centers", methods=("POST",), roles=AREA_ADMINS)
def create_centre(request: ApiRequest):
    from chalicelib.services import planning

    return json_response(planning.create_centre(request.caller, request.json(), request.profile), 201)


@endpoint(bp, "/v2/admin/centers", roles=ADMINS)
def list_centres(request: ApiRequest):
    from chalicelib.services import planning

    return json_response({"centers": planning.list_centres(request.caller, request.query.get("district_id"),
                                                             request.profile)})


@endpoint(bp, "/v2/admin/centers/{center_id}", methods=("POST",), roles=AREA_ADMINS)
def update_centre(request: ApiRequest, center_id: str):
    from chalicelib.services import planning

    return json_response(planning.update_centre(request.caller, center_id, request.json(), request.now,
                                                request.profile))


@endpoint(bp, "/v2/admin/centers/{center_id}/staff", methods=("POST",), roles=ADMINS)
def add_staff(request: ApiRequest, center_id: str):
    from chalicelib.services import planning

    return json_response(planning.add_staff(request.caller, center_id, request.json(), request.profile), 201)


@endpoint(bp, "/v2/admin/sessions", methods=("POST",), roles=ADMINS)
def create_session(request: ApiRequest):
    from chalicelib.services import planning

    return json_response(planning.create_session(request.caller, request.json(), request.now, request.profile), 201)


@endpoint(bp, "/v2/admin/sessions/plan", methods=("POST",), roles=ADMINS)
def plan_sessions(request: ApiRequest):
    """A week (or any list) of sessions: JSON `{"sessions": [...]}` or a CSV upload (Content-Type text/csv)."""
    from chalicelib.services import planning

    if request.headers.get("content-type", "").split(";")[0].strip().lower() == "text/csv":
        try:
            rows = planning.parse_plan_csv(request.raw_body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(errors.INVALID_INPUT, "The CSV could not be read") from None
    else:
        sessions = request.json().get("sessions")
        if not isinstance(sessions, list):
            raise ApiError(errors.INPUT_MISSING, "Input parameter missing: sessions")
        rows = sessions
    return json_response(planning.plan_sessions(request.caller, rows, request.now, request.profile), 201)


@endpoint(bp, "/v2/admin/sessions/{session_id}/capacity", methods=("POST",), roles=ADMINS)
def edit_capacity(request: ApiRequest, session_id: str):
    from chalicelib.services import planning

    return json_response(planning.edit_capacity(request.caller, session_id, request.json(), request.now,
                                                request.profile))


@endpoint(bp, "/v2/admin/sessions/{session_id}/cancel", methods=("POST",), roles=ADMINS)
def cancel_session(request: ApiRequest, session_id: str):
    from chalicelib.services import planning

    return json_response(planning.cancel_session(request.caller, session_id, request.now))


@endpoint(bp, "/v2/admin/sessions/{session_id}/allocations", methods=("POST",), roles=ADMINS)
def allocate(request: ApiRequest, session_id: str):
    from chalicelib.services import planning

    return json_response(planning.allocate(request.caller, session_id, request.json(), request.now,
                                           request.profile), 201)


@endpoint(bp, "/v2/vaccinator/sessions", roles=SITE_STAFF)
def my_sessions(request: ApiRequest):
    from chalicelib.services import planning

    return json_response({"sessions": planning.my_sessions(request.caller, request.now, request.profile)})
