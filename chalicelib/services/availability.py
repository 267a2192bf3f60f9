"""Availability search, CoWIN's way: by district, pincode, centre (one day or a 7-day calendar), or nearby.

DynamoDB calls: every search by district, pincode or centre is one Query on an index of the sessions
table, keyed (place, date range); a page holds up to 1 MB, so a 7-day calendar of a very large
district takes a few pages (the benchmark reports how many). findByLatLong queries the centres'
grid cell and its 8 neighbours: 9 Queries.

The four list searches answer a `domain.availability.Bounded`: the list, kept under Lambda's response
limit by `within_budget` (whole centres; what was left out is counted and its pincodes named).
calendarByCenter (one centre's 7 days: a few kB) and findByLatLong (NEARBY_LIMIT centres) are small by
construction.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import date, timedelta
from functools import partial

from chalicelib.config import CountryProfile
from chalicelib.domain import availability as shapes
from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError
from chalicelib.domain.planning import is_postal_code
from chalicelib.domain.records import SessionRecord, SlotRecord
from chalicelib.services.metadata import district_states, place_names
from chalicelib.store import planning as store

CALENDAR_DAYS = 7
NEARBY_LIMIT = 50


_SESSION_FIELDS = tuple(field.name for field in fields(SessionRecord))
_SLOT_FIELDS = tuple(field.name for field in fields(SlotRecord))


def record(session: SessionRecord) -> dict:
    """A session as a plain dict for the pure shaping functions, field by field: `asdict`, which copies
    recursively, took 6 s for a 2,000-centre district's 14,000 sessions; this takes under half a second."""
    return {**{name: getattr(session, name) for name in _SESSION_FIELDS},
            "slots": [{name: getattr(slot, name) for name in _SLOT_FIELDS} for slot in session.slots],
            "vaccine_fees": dict(session.vaccine_fees), "local_names": dict(session.local_names)}


def _records(items: Iterable[SessionRecord]) -> list[dict]:
    return [record(item) for item in items]


def _district(profile: CountryProfile, district_id: str | int) -> int:
    try:
        value = int(district_id)
    except (TypeError, ValueError):
        raise ApiError(errors.INVALID_DISTRICT) from None
    if value not in district_states(profile):
        raise ApiError(errors.INVALID_DISTRICT)
    return value


def _pincode(profile: CountryProfile, pincode: str | int) -> int:
    if not is_postal_code(str(pincode).strip(), profile):
        raise ApiError(errors.INVALID_PINCODE)
    return int(pincode)


def _center(center_id: str | int) -> int:
    try:
        return int(center_id)
    except (TypeError, ValueError):
        raise ApiError(errors.INVALID_CENTER) from None


def _window(day: date, days: int) -> tuple[str, str]:
    return day.isoformat(), (day + timedelta(days=days - 1)).isoformat()


def _flat(profile: CountryProfile, rows: Iterable[SessionRecord], language: str, vaccine: str | None) -> list[dict]:
    return shapes.flat_sessions(_records(rows), partial(place_names, profile),
                                profile.local_language(language) or "", vaccine)


def _calendar(profile: CountryProfile, rows: Iterable[SessionRecord], language: str,
              vaccine: str | None) -> list[dict]:
    return shapes.calendar(_records(rows), partial(place_names, profile),
                           profile.local_language(language) or "", vaccine)


def find_by_district(profile: CountryProfile, district_id, day: date, language: str = "",
                     vaccine: str | None = None) -> shapes.Bounded:
    rows = store.sessions_by_district(_district(profile, district_id), *_window(day, 1))
    return shapes.within_budget(_flat(profile, rows, language, vaccine))


def find_by_pin(profile: CountryProfile, pincode, day: date, language: str = "",
                vaccine: str | None = None) -> shapes.Bounded:
    rows = store.sessions_by_pincode(_pincode(profile, pincode), *_window(day, 1))
    return shapes.within_budget(_flat(profile, rows, language, vaccine))


def calendar_by_district(profile: CountryProfile, district_id, day: date, language: str = "",
                         vaccine: str | None = None) -> shapes.Bounded:
    rows = store.sessions_by_district(_district(profile, district_id), *_window(day, CALENDAR_DAYS))
    return shapes.within_budget(_calendar(profile, rows, language, vaccine))


def calendar_by_pin(profile: CountryProfile, pincode, day: date, language: str = "",
                    vaccine: str | None = None) -> shapes.Bounded:
    rows = store.sessions_by_pincode(_pincode(profile, pincode), *_window(day, CALENDAR_DAYS))
    return shapes.within_budget(_calendar(profile, rows, language, vaccine))


def calendar_by_center(profile: CountryProfile, center_id, day: date, language: str = "",
                       vaccine: str | None = None) -> dict:
    rows = store.sessions_by_center(_center(center_id), *_window(day, CALENDAR_DAYS))
    centres = _calendar(profile, rows, language, vaccine)
    return centres[0] if centres else {}


def find_by_lat_long(profile: CountryProfile, lat, long) -> list[dict]:
    try:
        latitude, longitude = float(lat), float(long)
    except (TypeError, ValueError):
        raise ApiError(errors.INVALID_COORDINATES) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ApiError(errors.INVALID_COORDINATES)
    centres = [centre for cell in store.neighbouring_cells(latitude, longitude)
               for centre in store.centres_in_cell(cell) if centre.active]
    # Nearest first; at these distances a flat-earth measure orders centres correctly.
    scale = max(abs(math.cos(math.radians(latitude))), 1e-6)
    centres.sort(key=lambda c: ((c.lat - latitude) ** 2 + ((c.long - longitude) * scale) ** 2, c.center_id))
    return [shapes.nearby_centre(asdict(centre), partial(place_names, profile)) for centre in centres[:NEARBY_LIMIT]]
