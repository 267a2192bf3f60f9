"""CoWIN's availability routes: public (CDN-cacheable) and protected (with a `vaccine` filter)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, cacheable_response, endpoint
from chalicelib.domain import inputs
from chalicelib.domain.roles import ANYONE_LOGGED_IN
from chalicelib.services import availability

bp = Blueprint(__name__)
BASE = "/v2/appointment/sessions"


def _answer(request: ApiRequest, body: dict):
    return cacheable_response(request, body, request.settings.availability_max_age_seconds)


def _vaccine(request: ApiRequest) -> str | None:
    return (request.query.get("vaccine") or "").strip().upper() or None


def _search(answer_key: str, place_parameter: str, search):
    """A handler for one of CoWIN's searches by a place (district or pincode) from a date."""
    def handler(request: ApiRequest):
        day = inputs.cowin_date(request.query.get("date"))
        found = search(request.profile, inputs.text(request.query, place_parameter), day, request.language,
                       _vaccine(request))
        return _answer(request, {answer_key: found})

    return handler


def _calendar_by_center(request: ApiRequest):
    day = inputs.cowin_date(request.query.get("date"))
    centre = availability.calendar_by_center(request.profile, inputs.text(request.query, "center_id"), day,
                                             request.language, _vaccine(request))
    return _answer(request, {"centers": centre} if centre else {})


# CoWIN has public and protected spellings of four searches, and only a public calendarByCenter.
for suffix, handler in (
        ("findByPin", _search("sessions", "pincode", availability.find_by_pin)),
        ("findByDistrict", _search("sessions", "district_id", availability.find_by_district)),
        ("calendarByPin", _search("centers", "pincode", availability.calendar_by_pin)),
        ("calendarByDistrict", _search("centers", "district_id", availability.calendar_by_district))):
    handler.__name__ = f"search_{suffix}"  # Chalice names a Lambda handler after its view function
    endpoint(bp, f"{BASE}/public/{suffix}")(handler)
    endpoint(bp, f"{BASE}/{suffix}", roles=ANYONE_LOGGED_IN)(handler)
endpoint(bp, f"{BASE}/public/calendarByCenter")(_calendar_by_center)


def find_by_lat_long(request: ApiRequest):
    return _answer(request, {"centers": availability.find_by_lat_long(
        request.profile, inputs.field(request.query, "lat"), inputs.field(request.query, "long"))})


# Public, and protected as the protected CoWIN client calls it.
endpoint(bp, "/v2/appointment/centers/public/findByLatLong")(find_by_lat_long)
endpoint(bp, "/v2/appointment/centers/findByLatLong", roles=ANYONE_LOGGED_IN)(find_by_lat_long)
