"""Certificate routes: CoWIN's two PDF downloads, the signed credential, and public verification."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import PDF_CONTENT_TYPE, ApiRequest, cacheable_response, endpoint, json_response
from chalicelib.domain.roles import CITIZENS
from chalicelib.services import certificates

bp = Blueprint(__name__)
KEYS_MAX_AGE = 300
REVOCATIONS_MAX_AGE = 60


def _pdf(request: ApiRequest) -> Response:
    return Response(body=certificates.pdf(request.caller.mobile, request.query), status_code=200, headers={
        "Content-Type": PDF_CONTENT_TYPE, "Content-Disposition": 'attachment; filename="certificate.pdf"',
        "Cache-Control": "private, no-store"})


@endpoint(bp, "/v2/registration/certificate/public/download", roles=CITIZENS)
def public_download(request: ApiRequest):
    return _pdf(request)


@endpoint(bp, "/v2/registration/certificate/download", roles=CITIZENS)
def download(request: ApiRequest):
    return _pdf(request)


@endpoint(bp, "/v2/registration/certificate/credential", roles=CITIZENS)
def credential(request: ApiRequest):
    return json_response(certificates.credential(request.caller.mobile, request.query),
                         headers={"Cache-Control": "private, no-store"})


@endpoint(bp, "/.well-known/jwks.json")
def public_keys(request: ApiRequest):
    return cacheable_response(request, certificates.public_keys(), KEYS_MAX_AGE)


@endpoint(bp, "/v2/certificate/verify", methods=("POST",))
def verify(request: ApiRequest):
    return json_response(certificates.verify(request.json()))


@endpoint(bp, "/v2/certificate/revoked")
def revoked(request: ApiRequest):
    return cacheable_response(request, certificates.revoked(request.query), REVOCATIONS_MAX_AGE)
