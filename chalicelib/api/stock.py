"""Vaccine stock routes (docs/stock.md): receiving stock at a centre, opening a vial and closing a session
at the centre, and the stock report (JSON or CSV) for a facility, a district or a state."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain import stock as rules
from chalicelib.domain.roles import ADMINS, VACCINATORS, Role

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)
BASE = "/v2/stock"
AT_THE_SESSION = VACCINATORS | {Role.FACILITY_ADMIN}


def _once(request: ApiRequest, operation: str, work) -> dict:
    """Once per `Idempotency-Key` (when the client sends one): a receipt or a vial's opening retried after
    a lost answer gets the first answer, not a second receipt or a second vial."""
    from chalicelib.services import idempotency

    return idempotency.once(operation, request.caller.mobile, request.headers.get("idempotency-key"),
                            request.json(), work, bp.lambda_context)


@endpoint(bp, f"{BASE}/receipts", methods=("POST",), roles=ADMINS)
def receive(request: ApiRequest):
    from chalicelib.services import stock

    return json_response(_once(request, "receive-stock", lambda: stock.receive(
        request.caller, request.json(), request.now, request.profile)), 201)


@endpoint(bp, f"{BASE}/sessions/{{session_id}}/vials", methods=("POST",), roles=AT_THE_SESSION)
def open_vial(request: ApiRequest, session_id: str):
    from chalicelib.services import stock

    return json_response(_once(request, f"open-vial {session_id}", lambda: stock.open_vial(
        request.caller, session_id, request.json(), request.now, request.profile)), 201)


@endpoint(bp, f"{BASE}/sessions/{{session_id}}/close", methods=("POST",), roles=AT_THE_SESSION)
def close_session(request: ApiRequest, session_id: str):
    from chalicelib.services import stock

    return json_response(stock.close_session(request.caller, session_id, request.now, request.profile))


@endpoint(bp, f"{BASE}/reports", roles=ADMINS)
def stock_report(request: ApiRequest):
    """JSON, or CSV with `format=csv` or `Accept: text/csv` (as the allowance report)."""
    from chalicelib.services import stock

    report = stock.report(request.caller, request.query, request.now, request.profile)
    if request.query.get("format", "").lower() == "csv" or "text/csv" in request.headers.get("accept", ""):
        return Response(body=rules.report_csv(report), status_code=200, headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="vaccine-stock.csv"'})
    return json_response(report)
