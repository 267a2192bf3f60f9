"""Grievances, CoWIN's "Raise an Issue" (docs/grievances.md): citizens raise and follow issues about the
members of their account; area admins review, resolve (applying the repair) or reject them."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.auth import otp_guess
from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain.roles import ANYONE_LOGGED_IN, AREA_ADMINS, CITIZENS

# Use cases are imported inside the routes that call them (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)


@endpoint(bp, "/v2/grievances", methods=("POST",), roles=CITIZENS)
def raise_issue(request: ApiRequest):
    from chalicelib.domain.grievances import MERGE, TRANSFER
    from chalicelib.services import grievances

    # A transfer or a merge carries the other mobile's consent (its OTP, read once the issue itself is valid).
    consent = (lambda: otp_guess(request)) if request.json().get("type") in (TRANSFER, MERGE) else None
    return json_response(grievances.raise_issue(request.caller, request.json(), consent, request.now,
                                                request.settings), 201)


@endpoint(bp, "/v2/grievances", roles=CITIZENS)
def my_issues(request: ApiRequest):
    from chalicelib.services import grievances

    return json_response(grievances.mine(request.caller, request.profile))


@endpoint(bp, "/v2/grievances/transfer-consent", methods=("POST",), roles=CITIZENS)
def transfer_consent(request: ApiRequest):
    from chalicelib.services import grievances

    return json_response(grievances.request_transfer_consent(request.caller, request.json(), request.now,
                                                             request.settings))


@endpoint(bp, "/v2/grievances/merge-consent", methods=("POST",), roles=CITIZENS)
def merge_consent(request: ApiRequest):
    from chalicelib.services import grievances

    return json_response(grievances.request_merge_consent(request.caller, request.json(), request.now,
                                                          request.settings))


@endpoint(bp, "/v2/grievances/{ticket_id}", roles=ANYONE_LOGGED_IN)
def one_issue(request: ApiRequest, ticket_id: str):
    from chalicelib.services import grievances

    return json_response(grievances.one(request.caller, ticket_id, request.profile))


@endpoint(bp, "/v2/admin/grievances", roles=AREA_ADMINS)
def area_issues(request: ApiRequest):
    from chalicelib.services import grievances

    return json_response(grievances.in_area(request.caller, request.query, request.profile))


def _act(request: ApiRequest, ticket_id: str, action: str):
    from chalicelib.services import grievances

    return json_response(grievances.act(request.caller, ticket_id, action, request.json(), request.now,
                                        request.settings))


@endpoint(bp, "/v2/admin/grievances/{ticket_id}/review", methods=("POST",), roles=AREA_ADMINS)
def review_issue(request: ApiRequest, ticket_id: str):
    return _act(request, ticket_id, "review")


@endpoint(bp, "/v2/admin/grievances/{ticket_id}/resolve", methods=("POST",), roles=AREA_ADMINS)
def resolve_issue(request: ApiRequest, ticket_id: str):
    return _act(request, ticket_id, "resolve")


@endpoint(bp, "/v2/admin/grievances/{ticket_id}/reject", methods=("POST",), roles=AREA_ADMINS)
def reject_issue(request: ApiRequest, ticket_id: str):
    return _act(request, ticket_id, "reject")
