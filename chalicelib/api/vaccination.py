"""Dose capture routes for centre staff: the day's sessions and appointments, finding a beneficiary,
the door check, doses (booked, walk-in, offline batches), corrections, AEFI, and the allowance report."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain import vaccination as rules
from chalicelib.domain.roles import ADMINS, SITE_STAFF, VACCINATORS, Role

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)
BASE = "/v2/vaccination"


def _once(request: ApiRequest, operation: str, work) -> dict:
    """Run a dose write once per `Idempotency-Key` (when the client sends one): a retried request
    after a lost answer gets the first answer, not "already recorded"."""
    from chalicelib.services import idempotency

    return idempotency.once(operation, request.caller.mobile, request.headers.get("idempotency-key"),
                            request.json(), work, bp.lambda_context)


@endpoint(bp, f"{BASE}/sessions/today", roles=SITE_STAFF)
def todays_sessions(request: ApiRequest):
    from chalicelib.services import door

    return json_response({"sessions": door.todays_sessions(request.caller, request.now, request.profile)})


@endpoint(bp, f"{BASE}/sessions/{{session_id}}/appointments", roles=SITE_STAFF | ADMINS)
def session_appointments(request: ApiRequest, session_id: str):
    from chalicelib.services import door

    return json_response(door.session_appointments(request.caller, session_id, request.now, request.profile))


@endpoint(bp, f"{BASE}/beneficiaries/search", methods=("POST",), roles=SITE_STAFF | ADMINS)
def find_beneficiaries(request: ApiRequest):
    from chalicelib.services import door

    return json_response({"beneficiaries": door.find_beneficiaries(request.caller, request.json(), request.profile)})


@endpoint(bp, f"{BASE}/verify", methods=("POST",), roles=SITE_STAFF)
def verify(request: ApiRequest):
    from chalicelib.services import door

    return json_response(door.verify(request.caller, request.json(), request.now, request.profile))


@endpoint(bp, f"{BASE}/unlock", methods=("POST",), roles=ADMINS)
def unlock(request: ApiRequest):
    from chalicelib.services import door

    return json_response(door.unlock(request.caller, request.json(), request.now, request.profile))


@endpoint(bp, f"{BASE}/doses", methods=("POST",), roles=VACCINATORS)
def record_dose(request: ApiRequest):
    from chalicelib.services import doses

    return json_response(_once(request, "record-dose", lambda: doses.record_dose(
        request.caller, request.json(), request.now, request.profile)), 201)


@endpoint(bp, f"{BASE}/doses", roles=SITE_STAFF | ADMINS)
def doses_of(request: ApiRequest):
    from chalicelib.services import dose_records

    return json_response({"doses": dose_records.doses_of(request.caller, request.query, request.profile)})


@endpoint(bp, f"{BASE}/walkin", methods=("POST",), roles=VACCINATORS)
def walk_in(request: ApiRequest):
    from chalicelib.services import doses

    return json_response(_once(request, "walk-in", lambda: doses.walk_in(
        request.caller, request.json(), request.now, request.profile)), 201)


@endpoint(bp, f"{BASE}/doses/correction", methods=("POST",), roles=VACCINATORS | {Role.FACILITY_ADMIN})
def correct_dose(request: ApiRequest):
    from chalicelib.services import dose_records

    return json_response(dose_records.correct_dose(request.caller, request.json(), request.now,
                                                   request.profile), 201)


@endpoint(bp, f"{BASE}/aefi", methods=("POST",), roles=SITE_STAFF | ADMINS)
def report_aefi(request: ApiRequest):
    from chalicelib.services import dose_records

    return json_response(dose_records.report_aefi(request.caller, request.json(), request.now, request.profile), 201)


@endpoint(bp, f"{BASE}/offline/sync", methods=("POST",), roles=VACCINATORS)
def sync_offline(request: ApiRequest):
    from chalicelib.services import offline

    return json_response(offline.sync_offline(request.caller, request.json(), request.now, request.profile))


@endpoint(bp, f"{BASE}/reports/allowance", roles=ADMINS)
def allowance_report(request: ApiRequest):
    from chalicelib.services import allowance

    report = allowance.allowance_report(request.caller, request.query, request.profile)
    if request.query.get("format", "").lower() == "csv" or "text/csv" in request.headers.get("accept", ""):
        return Response(body=rules.allowance_csv(report["per_session"]), status_code=200, headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="vaccinator-allowance.csv"'})
    return json_response(report)
