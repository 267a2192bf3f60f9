"""Dose capture routes for centre staff: the day's sessions and appointments, finding a beneficiary,
the door check, doses (booked, walk-in, offline batches), corrections, AEFI, and the allowance report."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.adapters import idempotency
from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain import vaccination as rules
from chalicelib.domain.roles import ADMINS, SITE_STAFF, VACCINATORS, Role
from chalicelib.services import vaccination

bp = Blueprint(__name__)
BASE = "/v2/vaccination"


def _once(request: ApiRequest, operation: str, work) -> dict:
    """Run a dose write once per `Idempotency-Key` (when the client sends one): a retried request
    after a lost answer gets the first answer, not "already recorded"."""
    return idempotency.once(operation, request.principal.mobile, request.headers.get("idempotency-key"),
                            request.json(), work, bp.lambda_context)


@endpoint(bp, f"{BASE}/sessions/today", roles=SITE_STAFF)
def todays_sessions(request: ApiRequest):
    return json_response({"sessions": vaccination.todays_sessions(request.principal, request.now)})


@endpoint(bp, f"{BASE}/sessions/{{session_id}}/appointments", roles=SITE_STAFF | ADMINS)
def session_appointments(request: ApiRequest, session_id: str):
    return json_response(vaccination.session_appointments(request.principal, session_id, request.now))


@endpoint(bp, f"{BASE}/beneficiaries/search", methods=("POST",), roles=SITE_STAFF | ADMINS)
def find_beneficiaries(request: ApiRequest):
    return json_response({"beneficiaries": vaccination.find_beneficiaries(request.principal, request.json())})


@endpoint(bp, f"{BASE}/verify", methods=("POST",), roles=SITE_STAFF)
def verify(request: ApiRequest):
    return json_response(vaccination.verify(request.principal, request.json(), request.now))


@endpoint(bp, f"{BASE}/unlock", methods=("POST",), roles=ADMINS)
def unlock(request: ApiRequest):
    return json_response(vaccination.unlock(request.principal, request.json(), request.now))


@endpoint(bp, f"{BASE}/doses", methods=("POST",), roles=VACCINATORS)
def record_dose(request: ApiRequest):
    return json_response(_once(request, "record-dose", lambda: vaccination.record_dose(
        request.principal, request.json(), request.now)), 201)


@endpoint(bp, f"{BASE}/doses", roles=SITE_STAFF | ADMINS)
def doses(request: ApiRequest):
    return json_response({"doses": vaccination.doses_of(request.principal, request.query)})


@endpoint(bp, f"{BASE}/walkin", methods=("POST",), roles=VACCINATORS)
def walk_in(request: ApiRequest):
    return json_response(_once(request, "walk-in", lambda: vaccination.walk_in(
        request.principal, request.json(), request.now)), 201)


@endpoint(bp, f"{BASE}/doses/correction", methods=("POST",), roles=VACCINATORS | {Role.FACILITY_ADMIN})
def correct_dose(request: ApiRequest):
    return json_response(vaccination.correct_dose(request.principal, request.json(), request.now), 201)


@endpoint(bp, f"{BASE}/aefi", methods=("POST",), roles=SITE_STAFF | ADMINS)
def report_aefi(request: ApiRequest):
    return json_response(vaccination.report_aefi(request.principal, request.json(), request.now), 201)


@endpoint(bp, f"{BASE}/offline/sync", methods=("POST",), roles=VACCINATORS)
def sync_offline(request: ApiRequest):
    return json_response(vaccination.sync_offline(request.principal, request.json(), request.now))


@endpoint(bp, f"{BASE}/reports/allowance", roles=ADMINS)
def allowance_report(request: ApiRequest):
    report = vaccination.allowance_report(request.principal, request.query)
    if request.query.get("format", "").lower() == "csv" or "text/csv" in request.headers.get("accept", ""):
        return Response(body=rules.allowance_csv(report["per_session"]), status_code=200, headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="vaccinator-allowance.csv"'})
    return json_response(report)
