"""KYC-VS (docs/kycvs.md): the national admin's status checkers (third-party "verifiers", not the site staff
of `Role.VERIFIER`), their consent requests and signed answers under their API key (`X-Api-Key`, no
token), and what a person reads of who asked about them."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain.roles import CITIZENS, STATUS_CHECKER_ADMINS

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)


@endpoint(bp, "/v2/admin/kycvs/verifiers", methods=("POST",), roles=STATUS_CHECKER_ADMINS)
def add_verifier(request: ApiRequest):
    """The API key is in this answer only: Teeka keeps its SHA-256."""
    from chalicelib.services import kycvs

    return json_response(kycvs.add_checker(request.caller, request.json(), request.now), 201,
                         {"Cache-Control": "no-store"})


@endpoint(bp, "/v2/admin/kycvs/verifiers", roles=STATUS_CHECKER_ADMINS)
def list_verifiers(request: ApiRequest):
    from chalicelib.services import kycvs

    return json_response({"verifiers": kycvs.list_checkers()})


@endpoint(bp, "/v2/admin/kycvs/verifiers/revoke", methods=("POST",), roles=STATUS_CHECKER_ADMINS)
def revoke_verifier(request: ApiRequest):
    from chalicelib.services import kycvs

    return json_response(kycvs.revoke_checker(request.caller, request.json(), request.now))


@endpoint(bp, "/v2/kycvs/request", methods=("POST",), api_key=True)
def ask(request: ApiRequest):
    from chalicelib.services import kycvs

    return json_response(kycvs.ask(request.status_checker, request.json(), request.now, request.settings))


@endpoint(bp, "/v2/kycvs/answer", methods=("POST",), api_key=True)
def answer(request: ApiRequest):
    from chalicelib.services import kycvs

    return json_response(kycvs.answer(request.status_checker, request.json(), request.now, request.settings),
                         headers={"Cache-Control": "no-store"})


@endpoint(bp, "/v2/kycvs/requests", roles=CITIZENS)
def asked_about_me(request: ApiRequest):
    """Who asked about the logged-in mobile, newest first, and how each request ended."""
    from chalicelib.services import kycvs

    return json_response({"requests": kycvs.asked_about(request.caller.mobile, request.now, request.profile)})
