"""Certificate routes: CoWIN's two PDF downloads, the signed credential, the international formats (owner
only), travellers' passport details, and public verification, keys and revocation lists."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import PDF_CONTENT_TYPE, ApiRequest, cacheable_response, endpoint, json_response
from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError
from chalicelib.domain.roles import CITIZENS

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)
KEYS_MAX_AGE = 300
REVOCATIONS_MAX_AGE = 60


PRIVATE = {"Cache-Control": "private, no-store"}
# Keys and revocation lists are for any verifier, in-browser ones included (SMART Health Cards require it).
ANY_ORIGIN = "Access-Control-Allow-Origin"
SHC_CONTENT_TYPE = "application/smart-health-card"


def _pdf(body: bytes, name: str) -> Response:
    return Response(body=body, status_code=200, headers={
        "Content-Type": PDF_CONTENT_TYPE, "Content-Disposition": f'attachment; filename="{name}"', **PRIVATE})


@endpoint(bp, "/v2/registration/certificate/public/download", roles=CITIZENS)
def public_download(request: ApiRequest):
    from chalicelib.services import certificates

    return _pdf(certificates.pdf(request.caller.mobile, request.query), "certificate.pdf")


@endpoint(bp, "/v2/registration/certificate/download", roles=CITIZENS)
def download(request: ApiRequest):
    from chalicelib.services import certificates

    return _pdf(certificates.pdf(request.caller.mobile, request.query), "certificate.pdf")


@endpoint(bp, "/v2/registration/beneficiary/passport", methods=("POST",), roles=CITIZENS)
def add_passport(request: ApiRequest):
    from chalicelib.services import international

    body = request.json()
    return json_response(international.add_travel_details(
        request.caller.mobile, inputs.text(body, "beneficiary_reference_id", 20), body, request.now,
        request.profile), headers=PRIVATE)


@endpoint(bp, "/v2/registration/certificate/international/download", roles=CITIZENS)
def international_download(request: ApiRequest):
    from chalicelib.services import international

    return _pdf(international.international_pdf(request.caller.mobile, request.query, request.profile),
                "international-certificate.pdf")


@endpoint(bp, "/v2/registration/certificate/international/ddcc", roles=CITIZENS)
def international_ddcc(request: ApiRequest):
    from chalicelib.services import international

    return _private(international.ddcc(request.caller.mobile, request.query, request.profile))


@endpoint(bp, "/v2/registration/certificate/international/shc", roles=CITIZENS)
def international_shc(request: ApiRequest):
    from chalicelib.services import international

    return _private(international.smart_health_card(request.caller.mobile, request.query, request.profile),
                    SHC_CONTENT_TYPE)


@endpoint(bp, "/v2/registration/certificate/international/dcc", roles=CITIZENS)
def international_dcc(request: ApiRequest):
    from chalicelib.services import international

    return _private(international.eu_dcc(request.caller.mobile, request.query, request.profile))


def _private(body: dict, content_type: str = "application/json") -> Response:
    """The owner's own document: never kept by a cache."""
    return json_response(body, headers={"Content-Type": content_type, **PRIVATE})


@endpoint(bp, "/v2/registration/certificate/credential", roles=CITIZENS)
def credential(request: ApiRequest):
    from chalicelib.services import certificates

    return json_response(certificates.credential(request.caller.mobile, request.query),
                         headers={"Cache-Control": "private, no-store"})


@endpoint(bp, "/.well-known/jwks.json")
def public_keys(request: ApiRequest):
    from chalicelib.services import international

    return _for_any_origin(cacheable_response(request, international.public_keys(), KEYS_MAX_AGE))


def _for_any_origin(response: Response) -> Response:
    response.headers[ANY_ORIGIN] = "*"
    return response


@endpoint(bp, "/.well-known/crl/{file_name}")
def shc_revocations(request: ApiRequest, file_name: str):
    """SMART Health Cards' revocation list of one key: `/.well-known/crl/<kid>.json`."""
    from chalicelib.services import international

    if not file_name.endswith(".json"):
        raise ApiError(errors.UNKNOWN_SIGNING_KEY)
    return _for_any_origin(cacheable_response(
        request, international.shc_revocations(file_name.removesuffix(".json")), REVOCATIONS_MAX_AGE))


@endpoint(bp, "/v2/certificate/dcc/trust-list")
def dcc_trust_list(request: ApiRequest):
    from chalicelib.services import international

    return _for_any_origin(cacheable_response(request, international.dcc_trust_list(), KEYS_MAX_AGE))


@endpoint(bp, "/v2/certificate/dcc/revoked")
def dcc_revoked(request: ApiRequest):
    from chalicelib.services import international

    return _for_any_origin(cacheable_response(request, international.dcc_revocations(), REVOCATIONS_MAX_AGE))


@endpoint(bp, "/v2/certificate/verify", methods=("POST",))
def verify(request: ApiRequest):
    from chalicelib.services import certificates

    return json_response(certificates.verify(request.json()))


@endpoint(bp, "/v2/certificate/revoked")
def revoked(request: ApiRequest):
    from chalicelib.services import certificates

    return cacheable_response(request, certificates.revoked(request.query), REVOCATIONS_MAX_AGE)
