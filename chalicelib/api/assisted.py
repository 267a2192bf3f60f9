"""Assisted registration (docs/assisted-registration.md): the area admins' operators, the citizen's
consent by OTP, what an operator does for a consenting citizen, and what a citizen reads of it.

An operator's actions carry the consent in the `X-Consent-Token` header, beside their own bearer token."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.auth import otp_guess
from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain.roles import AREA_ADMINS, CITIZENS, OPERATORS

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)

CONSENT_HEADER = "x-consent-token"  # headers arrive lower-cased (api/http.py)


@endpoint(bp, "/v2/admin/operators", methods=("POST",), roles=AREA_ADMINS)
def add_operator(request: ApiRequest):
    from chalicelib.services import operators

    return json_response(operators.add(request.caller, request.json(), request.profile), 201)


@endpoint(bp, "/v2/admin/operators/deactivate", methods=("POST",), roles=AREA_ADMINS)
def deactivate_operator(request: ApiRequest):
    from chalicelib.services import operators

    return json_response(operators.deactivate(request.caller, request.json(), request.profile))


@endpoint(bp, "/v2/admin/operators/actions", methods=("POST",), roles=AREA_ADMINS)
def operator_actions(request: ApiRequest):
    """A POST: the operator's mobile travels in the body, never in a URL (URLs end up in access logs)."""
    from chalicelib.services import operators

    return json_response(operators.actions(request.caller, request.json(), request.profile))


@endpoint(bp, "/v2/assisted/consent", methods=("POST",), roles=OPERATORS)
def request_consent(request: ApiRequest):
    from chalicelib.services import assisted

    return json_response(assisted.request_consent(request.caller, request.json(), request.now, request.settings))


@endpoint(bp, "/v2/assisted/consent/confirm", methods=("POST",), roles=OPERATORS)
def confirm_consent(request: ApiRequest):
    from chalicelib.services import assisted

    txn_id, client_hash = otp_guess(request)
    return json_response(assisted.confirm_consent(request.caller, txn_id, client_hash, request.now,
                                                  request.settings))


@endpoint(bp, "/v2/assisted/beneficiaries", roles=OPERATORS)
def beneficiaries(request: ApiRequest):
    from chalicelib.services import assisted

    return json_response({"beneficiaries": assisted.beneficiaries(
        request.caller, request.headers.get(CONSENT_HEADER), request.now, request.profile)})


@endpoint(bp, "/v2/assisted/beneficiary/new", methods=("POST",), roles=OPERATORS)
def register(request: ApiRequest):
    from chalicelib.services import assisted

    return json_response(assisted.register(request.caller, request.headers.get(CONSENT_HEADER), request.json(),
                                           request.now, request.profile))


@endpoint(bp, "/v2/assisted/appointment/schedule", methods=("POST",), roles=OPERATORS)
def schedule(request: ApiRequest):
    from chalicelib.services import assisted

    return json_response(assisted.schedule(request.caller, request.headers.get(CONSENT_HEADER), request.json(),
                                           request.now, request.profile))


@endpoint(bp, "/v2/assisted/appointment/cancel", methods=("POST",), roles=OPERATORS)
def cancel(request: ApiRequest):
    from chalicelib.services import assisted

    assisted.cancel(request.caller, request.headers.get(CONSENT_HEADER), request.json(), request.now,
                    request.profile)
    return Response(body="", status_code=204)


@endpoint(bp, "/v2/assisted/actions", roles=CITIZENS)
def done_for_me(request: ApiRequest):
    """Who acted for the logged-in mobile, under its owner's consent: the operator, their helpline or centre,
    what and when."""
    from chalicelib.services import assisted

    return json_response({"actions": assisted.done_for(request.caller.mobile, request.profile)})
