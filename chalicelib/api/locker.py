"""Document locker routes (docs/document-locker.md): a citizen links a beneficiary to their locker
account (the consent) or unlinks it; the locker, signing each request with its key instead of a login
token, pulls a person's certificate by their details or a document by its URI."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain.roles import CITIZENS

bp = Blueprint(__name__)
PRIVATE = {"Cache-Control": "private, no-store"}


@endpoint(bp, "/v2/locker/link", methods=("POST",), roles=CITIZENS)
def link(request: ApiRequest):
    from chalicelib.services import locker

    return json_response(locker.link(request.caller.mobile, request.json(), request.now, request.profile))


@endpoint(bp, "/v2/locker/unlink", methods=("POST",), roles=CITIZENS)
def unlink(request: ApiRequest):
    from chalicelib.services import locker

    locker.unlink(request.caller.mobile, request.json(), request.profile)
    return Response(body="", status_code=204)


# The locker's own calls: no login token (the route is public to the token check); each request proves
# itself with the locker's HMAC of its body, its orgId and its time (services.locker._partner_request).
@endpoint(bp, "/v2/locker/issuer/pullUri", methods=("POST",))
def pull_uri(request: ApiRequest):
    from chalicelib.services import locker

    return json_response(locker.pull_uri(request.raw_body, request.headers, request.now, request.profile),
                         headers=PRIVATE)


@endpoint(bp, "/v2/locker/issuer/pullDoc", methods=("POST",))
def pull_doc(request: ApiRequest):
    from chalicelib.services import locker

    return json_response(locker.pull_doc(request.raw_body, request.headers, request.now, request.profile),
                         headers=PRIVATE)
