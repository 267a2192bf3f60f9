"""Citizen registration routes: CoWIN's, plus the one-time correction and ID verification."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain import inputs
from chalicelib.domain.roles import CITIZENS

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)


@endpoint(bp, "/v2/registration/beneficiary/new", methods=("POST",), roles=CITIZENS)
def register(request: ApiRequest):
    from chalicelib.services import registration

    reference_id = registration.register(request.caller.mobile, request.json(), request.now, request.profile)
    return json_response({"beneficiary_reference_id": reference_id})


@endpoint(bp, "/v2/registration/beneficiary/delete", methods=("POST",), roles=CITIZENS)
def delete(request: ApiRequest):
    from chalicelib.services import registration

    registration.delete(request.caller.mobile, inputs.text(request.json(), "beneficiary_reference_id"))
    return Response(body="", status_code=204)


@endpoint(bp, "/v2/appointment/beneficiaries", roles=CITIZENS)
def beneficiaries(request: ApiRequest):
    from chalicelib.services import registration

    return json_response({"beneficiaries": registration.list_for(request.caller.mobile, request.profile)})


@endpoint(bp, "/v2/registration/beneficiary/correction", methods=("POST",), roles=CITIZENS)
def correction(request: ApiRequest):
    from chalicelib.services import registration

    body = request.json()
    reference_id = inputs.text(body, "beneficiary_reference_id")
    return json_response(registration.correct(request.caller.mobile, reference_id, body, request.now,
                                              request.profile))


@endpoint(bp, "/v2/registration/beneficiary/verifyId/start", methods=("POST",), roles=CITIZENS)
def start_id_verification(request: ApiRequest):
    from chalicelib.services import registration

    body = request.json()
    return json_response(registration.start_id_verification(
        request.caller.mobile, inputs.text(body, "beneficiary_reference_id"),
        inputs.text(body, "photo_id_number", max_length=40), request.now, request.profile))


@endpoint(bp, "/v2/registration/beneficiary/verifyId/confirm", methods=("POST",), roles=CITIZENS)
def confirm_id_verification(request: ApiRequest):
    from chalicelib.services import registration

    body = request.json()
    return json_response(registration.confirm_id_verification(
        request.caller.mobile, inputs.text(body, "beneficiary_reference_id"), inputs.text(body, "txnId"),
        inputs.text(body, "otp", max_length=10), request.profile))
