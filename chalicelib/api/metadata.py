"""Reference data routes: public location lists and the registration dropdowns."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, cacheable_response, endpoint
from chalicelib.config import get_settings
from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError
from chalicelib.domain.roles import ANYONE_LOGGED_IN
from chalicelib.services import metadata

bp = Blueprint(__name__)


def _cached(request: ApiRequest, body: dict):
    settings = get_settings()
    return cacheable_response(request, {**body, "ttl": settings.country.metadata_ttl_hours},
                              settings.metadata_max_age_seconds)


@endpoint(bp, "/v2/admin/location/states")
def states(request: ApiRequest):
    return _cached(request, {"states": metadata.states(request.language)})


@endpoint(bp, "/v2/admin/location/districts/{state_id}")
def districts(request: ApiRequest, state_id: str):
    if not state_id.isdigit():
        raise ApiError(errors.INVALID_STATE)
    return _cached(request, {"districts": metadata.districts(int(state_id), request.language)})


@endpoint(bp, "/v2/registration/beneficiary/idTypes", roles=ANYONE_LOGGED_IN)
def id_types(request: ApiRequest):
    return _cached(request, {"types": metadata.id_types(request.language)})


@endpoint(bp, "/v2/registration/beneficiary/genders", roles=ANYONE_LOGGED_IN)
def genders(request: ApiRequest):
    return _cached(request, {"genders": metadata.genders(request.language)})
