"""Reference data routes: public location lists and the registration dropdowns."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, cacheable_response, endpoint
from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError
from chalicelib.domain.roles import ANYONE_LOGGED_IN

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)


def _cached(request: ApiRequest, body: dict):
    return cacheable_response(request, {**body, "ttl": request.profile.metadata_ttl_hours},
                              request.settings.metadata_max_age_seconds)


@endpoint(bp, "/v2/admin/location/states")
def states(request: ApiRequest):
    from chalicelib.services import metadata

    return _cached(request, {"states": metadata.states(request.profile, request.language)})


@endpoint(bp, "/v2/admin/location/districts/{state_id}")
def districts(request: ApiRequest, state_id: str):
    from chalicelib.services import metadata

    if not state_id.isdigit():
        raise ApiError(errors.INVALID_STATE)
    return _cached(request, {"districts": metadata.districts(request.profile, int(state_id), request.language)})


@endpoint(bp, "/v2/registration/beneficiary/idTypes", roles=ANYONE_LOGGED_IN)
def id_types(request: ApiRequest):
    from chalicelib.services import metadata

    return _cached(request, {"types": metadata.id_types(request.profile, request.language)})


@endpoint(bp, "/v2/registration/beneficiary/genders", roles=ANYONE_LOGGED_IN)
def genders(request: ApiRequest):
    from chalicelib.services import metadata

    return _cached(request, {"genders": metadata.genders(request.profile, request.language)})
