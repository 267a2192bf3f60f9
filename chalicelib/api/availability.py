"""CoWIN's availability routes: public (CDN-cacheable) and protected (with a `vaccine` filter)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, cacheable_response, endpoint
from chalicelib.domain import inputs
from chalicelib.domain.roles import ANYONE_LOGGED_IN

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)
BASE = "/v2/appointment/sessions"
# A search's answer too large for Lambda keeps whole centres and says so in these two headers: how many
# centres it leaves out, and their pincodes, lowest first (calendarByPin and calendarByCenter reach them).
OMITTED_CENTRES_HEADER = "X-Centers-Omitted"
OMITTED_PINCODES_HEADER = "X-Omitted-Pincodes"


def _answer(request: ApiRequest, body: dict):
    return cacheable_response(request, body, request.settings.availability_max_age_seconds)


def _vaccine(request: ApiRequest) -> str | None:
    return (request.query.get("vaccine") or "").strip().upper() or None


def _search(answer_key: str, place_parameter: str, search: str):
    """A handler for one of CoWIN's searches by a place (district or pincode) from a date: `search` names
    the use case in services/availability.py."""
    def handler(request: ApiRequest):
        from chalicelib.services import availability

        day = inputs.cowin_date(request.query.get("date"))
        found = getattr(availability, search)(request.profile, inputs.text(request.query, place_parameter), day,
                                              request.language, _vaccine(request))
        response = _answer(request, {answer_key: found.entries})
        if found.partial:  # kept under Lambda's response limit (domain/availability.within_budget)
            response.headers[OMITTED_CENTRES_HEADER] = str(found.omitted_centres)
            response.headers[OMITTED_PINCODES_HEADER] = ",".join(map(str, found.omitted_pincodes))
        return response

    return handler


def _calendar_by_center(request: ApiRequest):
    from chalicelib.services import availability

    day = inputs.cowin_date(request.query.get("date"))
    centre = availability.calendar_by_center(request.profile, inputs.text(request.query, "center_id"), day,
                                             request.language, _vaccine(request))
    return _answer(request, {"centers": centre} if centre else {})


# CoWIN has public and protected spellings of four searches, and only a public calendarByCenter.
for suffix, handler in (
        ("findByPin", _search("sessions", "pincode", "find_by_pin")),
        ("findByDistrict", _search("sessions", "district_id", "find_by_district")),
        ("calendarByPin", _search("centers", "pincode", "calendar_by_pin")),
        ("calendarByDistrict", _search("centers", "district_id", "calendar_by_district"))):
    handler.__name__ = f"search_{suffix}"  # Chalice names a Lambda handler after its view function
    endpoint(bp, f"{BASE}/public/{suffix}")(handler)
    endpoint(bp, f"{BASE}/{suffix}", roles=ANYONE_LOGGED_IN)(handler)
endpoint(bp, f"{BASE}/public/calendarByCenter")(_calendar_by_center)


def find_by_lat_long(request: ApiRequest):
    from chalicelib.services import availability

    return _answer(request, {"centers": availability.find_by_lat_long(
        request.profile, inputs.field(request.query, "lat"), inputs.field(request.query, "long"))})


# Public, and protected as the protected CoWIN client calls it.
endpoint(bp, "/v2/appointment/centers/public/findByLatLong")(find_by_lat_long)
endpoint(bp, "/v2/appointment/centers/findByLatLong", roles=ANYONE_LOGGED_IN)(find_by_lat_long)
