"""The one HTTP mechanism every route goes through: authentication, roles, errors, bodies, caching.

`endpoint(bp, path, ...)` registers a Chalice route whose handler gets an `ApiRequest`. It turns
`ApiError` into CoWIN's `{"errorCode", "error"}` JSON, a missing/expired/forged token into CoWIN's
plain-text 401, and anything unexpected into a logged 500 without details.
"""
from __future__ import annotations

import functools
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.config import CountryProfile, Settings, get_settings
from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError, Unauthenticated
from chalicelib.domain.roles import Principal, Role
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.domain.records import StatusCheckerRecord

UNAUTHENTICATED_BODY = "Unauthenticated access!"
PDF_CONTENT_TYPE = "application/pdf"
# CoWIN clients send JSON with assorted Content-Types; accept them all and parse the body ourselves.
ACCEPTED_CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded",
                          "application/octet-stream", "text/csv"]

REQUEST_ID_HEADER = "X-Request-Id"
API_KEY_HEADER = "x-api-key"  # a KYC-VS status checker's key (docs/kycvs.md); headers arrive lower-cased here
# Every route and whether it needs a token: a test checks that each route of the app is listed here. A route
# for status checkers takes no token (no role suffices: an empty set) but their API key instead.
ROUTE_ACCESS: dict[tuple[str, str], frozenset[Role] | None] = {}
API_KEY_ROUTES: set[tuple[str, str]] = set()


@dataclass
class ApiRequest:
    """What a handler may know about the request: never the Chalice object itself."""

    principal: Principal | None
    query: dict[str, str]
    headers: dict[str, str]
    raw_body: bytes
    now: int
    settings: Settings  # read here, once, and handed to the services with the country's rules
    checker: StatusCheckerRecord | None = None  # the status checker whose API key came, on its routes

    @property
    def status_checker(self) -> StatusCheckerRecord:
        """The status checker calling a route that requires an API key (`endpoint` has checked it)."""
        if self.checker is None:
            raise Unauthenticated("no API key on a status checker's route")
        return self.checker

    @property
    def profile(self) -> CountryProfile:
        return self.settings.country

    @property
    def caller(self) -> Principal:
        """The authenticated caller of a route that requires a token (`endpoint` has checked it)."""
        if self.principal is None:
            raise Unauthenticated("no token on a protected route")
        return self.principal

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, whatever Content-Type the client claimed."""
        return inputs.json_object(self.raw_body)

    @property
    def language(self) -> str:
        """The raw `Accept-Language`; `CountryProfile.language` and `local_language` read it."""
        return self.headers.get("accept-language", "")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(body, separators=(",", ":"), ensure_ascii=False), status_code=status,
                    headers={"Content-Type": "application/json", **(headers or {})})


def error_response(error: ApiError, accept_language: str = "") -> Response:
    """CoWIN's `{"errorCode", "error"}` (English, as clients expect), and `error_l` in the language the
    client asked for when that is one of the country's and not English."""
    return json_response({**error.body(), **_localised_error(error, accept_language)}, error.error.status,
                         error.headers)


def _localised_error(error: ApiError, accept_language: str) -> dict[str, str]:
    profile = get_settings().country
    language = profile.matching_language(accept_language)
    if not language or language.startswith("en"):
        return {}
    words = profile.words(language)
    detailed = words.gettext(error.message)  # a detail is translated when the catalogue has it
    return {"error_l": detailed if detailed != error.message else words.gettext(error.error.message)}


def unauthenticated_response() -> Response:
    return Response(body=UNAUTHENTICATED_BODY, status_code=401, headers={"Content-Type": "text/plain"})


def cacheable_response(request: ApiRequest, body: Any, max_age: int, content_type: str = "application/json",
                       ) -> Response:
    """A cacheable answer (JSON, or text given as a str) with a strong ETag; 304 when the client already has it.

    Answers to anonymous requests are `public` so a CDN can serve them; answers behind a token are `private`.
    """
    payload = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    etag = '"' + hashlib.sha256(payload.encode()).hexdigest()[:32] + '"'
    visibility = "public" if request.principal is None else "private"
    headers: dict[str, str | list[str]] = {"Cache-Control": f"{visibility}, max-age={max_age}", "ETag": etag,
                                           "Vary": "Accept-Language"}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(body="", status_code=304, headers=headers)
    return Response(body=payload, status_code=200, headers={"Content-Type": content_type, **headers})


def _bearer_principal(headers: dict[str, str], now: int) -> Principal:
    from chalicelib.services.tokens import authenticate

    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("no bearer token")
    return authenticate(token.strip(), now)


def _api_key_caller(headers: dict[str, str]) -> StatusCheckerRecord:
    from chalicelib.services.kycvs import authenticate

    return authenticate(headers.get(API_KEY_HEADER))


def endpoint(bp: Blueprint, path: str, methods: tuple[str, ...] = ("GET",),
             roles: frozenset[Role] | None = None, api_key: bool = False, **route_options: Any) -> Callable:
    """Register a route. `roles=None` makes it public; otherwise a valid token with one of `roles`. With
    `api_key`, a status checker's valid API key instead (`X-Api-Key`), and no token is enough."""
    if api_key:
        roles = frozenset()

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def view(**uri_params: Any) -> Any:
            chalice_request = bp.current_request
            # API Gateway's request id; `chalice local` has none, so make one up there. Every answer
            # carries it, so a citizen's or a partner's report of a failure finds its log lines.
            request_id = (chalice_request.context or {}).get("requestId") or str(uuid.uuid4())
            logger.set_correlation_id(request_id)
            response = _answer(chalice_request, handler, uri_params)
            if isinstance(response, Response):  # every route answers one (tests/api/test_logging.py)
                response.headers[REQUEST_ID_HEADER] = request_id
            return response

        def _answer(chalice_request: Any, handler: Callable[..., Response], uri_params: dict[str, Any]) -> Response:
            headers = {name.lower(): value for name, value in chalice_request.headers.items()}
            now = int(time.time())
            try:
                principal, checker = None, None
                if api_key:
                    checker = _api_key_caller(headers)
                elif roles is not None:
                    principal = _bearer_principal(headers, now)
                    if not principal.has_any(roles):
                        raise ApiError(errors.FORBIDDEN)
                query = {name: inputs.clean_parameter(name, value)
                         for name, value in (chalice_request.query_params or {}).items()}
                for name, value in uri_params.items():
                    inputs.clean_parameter(name, value)
                raw = chalice_request.raw_body or b""
                request = ApiRequest(principal=principal, query=query, headers=headers,
                                     raw_body=raw.encode() if isinstance(raw, str) else raw, now=now,
                                     settings=get_settings(), checker=checker)
                return handler(request, **uri_params)
            except Unauthenticated:
                return unauthenticated_response()
            except ApiError as error:
                return error_response(error, headers.get("accept-language", ""))
            except Exception:
                logger.exception("unhandled error", extra={"path": path})
                return error_response(ApiError(errors.INTERNAL))

        for method in methods:
            ROUTE_ACCESS[(path, method)] = roles
            if api_key:
                API_KEY_ROUTES.add((path, method))
        bp.route(path, methods=list(methods), content_types=ACCEPTED_CONTENT_TYPES, **route_options)(view)
        return handler

    return register
