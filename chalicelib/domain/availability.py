"""CoWIN's availability shapes, built from session records: pure functions, no I/O.

A record is a plain dict of a session with its centre's fields (see store.planning.SessionItem).
`names` supplies the state and district names (and their `*_l` forms) for the record's ids; `language`
is the pack's other language the client asked for (`CountryProfile.local_language`), or empty.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from chalicelib.domain.calendar import format_cowin_date

Names = Callable[[int, int, str], dict[str, str]]  # (state_id, district_id, language) -> name fields


def _localised(record: Mapping, language: str) -> dict[str, str]:
    """`*_l` fields appear only when a language is asked for: the centre's words in it as its planner
    gave them; where none were given, the pack's own text stands in (CoWIN's spec requires them non-empty)."""
    if not language:
        return {}
    local = (record.get("local_names") or {}).get(language) or {}
    return {f"{name}_l": local.get(name) or record[name] for name in ("name", "address", "block_name")}


def _centre_fields(record: Mapping, names: Names, language: str) -> dict:
    return {
        "center_id": int(record["center_id"]),
        "name": record["name"],
        "address": record["address"],
        **names(int(record["state_id"]), int(record["district_id"]), language),
        "block_name": record["block_name"],
        "pincode": int(record["pincode"]),
        "lat": float(record["lat"]),
        "long": float(record["long"]),
        "from": record["opens"],
        "to": record["closes"],
        "fee_type": record["fee_type"],
        **_localised(record, language),
    }


def _capacity(record: Mapping) -> dict:
    dose1 = max(int(record["capacity_dose1"]) - int(record["booked_dose1"]), 0)
    dose2 = max(int(record["capacity_dose2"]) - int(record["booked_dose2"]), 0)
    return {"available_capacity": dose1 + dose2, "available_capacity_dose1": dose1,
            "available_capacity_dose2": dose2}


def _session_fields(record: Mapping) -> dict:
    fields = {
        "session_id": record["session_id"],
        "date": format_cowin_date(record["date"]),
        **_capacity(record),
        "min_age_limit": int(record["min_age_limit"]),
        "allow_all_age": bool(record["allow_all_age"]),
        "vaccine": record["vaccine"],
        "slots": [slot["name"] for slot in record["slots"]],
    }
    if record.get("max_age_limit") is not None:
        fields["max_age_limit"] = int(record["max_age_limit"])
    return fields


def _listed(records: Iterable[Mapping], vaccine: str | None) -> list[Mapping]:
    """Active sessions, optionally of one vaccine, in a stable order: by centre, date, vaccine."""
    kept = [r for r in records if r["status"] == "ACTIVE" and (vaccine is None or r["vaccine"] == vaccine)]
    return sorted(kept, key=lambda r: (int(r["center_id"]), r["date"], r["vaccine"], r["session_id"]))


def flat_sessions(records: Iterable[Mapping], names: Names, language: str = "", vaccine: str | None = None) -> list:
    """SESSION_FLAT rows (findByPin, findByDistrict)."""
    return [{**_centre_fields(r, names, language), "fee": r["fee"], **_session_fields(r)}
            for r in _listed(records, vaccine)]


def calendar(records: Iterable[Mapping], names: Names, language: str = "", vaccine: str | None = None) -> list:
    """CENTER_WITH_SESSIONS entries (calendarBy*): one per centre, its sessions by date."""
    centres: dict[int, dict] = {}
    for record in _listed(records, vaccine):
        centre = centres.get(int(record["center_id"]))
        if centre is None:
            centre = _centre_fields(record, names, language)
            if record["fee_type"] == "Paid":
                centre["vaccine_fees"] = [{"vaccine": v, "fee": f} for v, f in sorted(record["vaccine_fees"].items())]
            centre["sessions"] = []
            centres[int(record["center_id"])] = centre
        # CoWIN's spec also wants the fee and opening hours on each calendar session.
        centre["sessions"].append({**_session_fields(record), "fee": record["fee"], "fee_type": record["fee_type"],
                                   "from": record["opens"], "to": record["closes"]})
    return list(centres.values())


def nearby_centre(record: Mapping, names: Names) -> dict:
    """findByLatLong's shape: here pincode, lat and long are strings, as CoWIN sends them."""
    place = names(int(record["state_id"]), int(record["district_id"]), "")
    return {
        "center_id": int(record["center_id"]), "name": record["name"],
        "district_name": place["district_name"], "state_name": place["state_name"],
        "location": record["address"], "pincode": str(int(record["pincode"])), "block_name": record["block_name"],
        "lat": f"{float(record['lat']):g}", "long": f"{float(record['long']):g}",
    }
