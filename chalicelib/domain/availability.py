"""CoWIN's availability shapes, built from session records: pure functions, no I/O.

A record is a plain dict of a session with its centre's fields (see store.planning.SessionItem).
`names` supplies the state and district names (and their `*_l` forms) for the record's ids; `language`
is the pack's other language the client asked for (`CountryProfile.local_language`), or empty.

`within_budget` is the one rule that keeps a search's answer small enough for Lambda to return it.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from chalicelib.domain.calendar import format_cowin_date

Names = Callable[[int, int, str], dict[str, str]]  # (state_id, district_id, language) -> name fields


def _remembered(names: Names) -> Names:
    """`names`, asked once per (state, district, language) within one answer: a district's centres share them."""
    known: dict[tuple[int, int, str], dict[str, str]] = {}

    def lookup(state_id: int, district_id: int, language: str) -> dict[str, str]:
        key = (state_id, district_id, language)
        if key not in known:
            known[key] = names(state_id, district_id, language)
        return known[key]

    return lookup


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
    """CoWIN's per-dose capacities, and the precaution dose's as CoWIN's 2022 answers named it: whether
    the session gives precaution doses (`precaution_dose`, 1 or 0) and the seats left for them."""
    dose1 = max(int(record["capacity_dose1"]) - int(record["booked_dose1"]), 0)
    dose2 = max(int(record["capacity_dose2"]) - int(record["booked_dose2"]), 0)
    planned = int(record.get("capacity_precaution") or 0)
    precaution = max(planned - int(record.get("booked_precaution") or 0), 0)
    return {"available_capacity": dose1 + dose2 + precaution, "available_capacity_dose1": dose1,
            "available_capacity_dose2": dose2, "precaution_dose": 1 if planned else 0,
            "precaution_online_dose_one_available": precaution}


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
    """Active sessions not closed yet, optionally of one vaccine, in a stable order: by centre, date, vaccine."""
    kept = [r for r in records if r["status"] == "ACTIVE" and r.get("closed_at") is None
            and (vaccine is None or r["vaccine"] == vaccine)]
    return sorted(kept, key=lambda r: (int(r["center_id"]), r["date"], r["vaccine"], r["session_id"]))


def flat_sessions(records: Iterable[Mapping], names: Names, language: str = "", vaccine: str | None = None) -> list:
    """SESSION_FLAT rows (findByPin, findByDistrict)."""
    names = _remembered(names)
    return [{**_centre_fields(r, names, language), "fee": r["fee"], **_session_fields(r)}
            for r in _listed(records, vaccine)]


def calendar(records: Iterable[Mapping], names: Names, language: str = "", vaccine: str | None = None) -> list:
    """CENTER_WITH_SESSIONS entries (calendarBy*): one per centre, its sessions by date."""
    names = _remembered(names)
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


# The bound on a search's answer (issue 19) ------------------------------------------------------------

LAMBDA_RESPONSE_LIMIT = 6_291_556
"""Bytes: the most a synchronous Lambda invocation may return (6 MiB + 100), the whole response envelope
(status, headers, body) included. It applies to what the function returns, before API Gateway and CloudFront
compress anything: a larger answer is a 502 for every client, gzip or not."""

ANSWER_BUDGET = 5_000_000
"""Bytes: the most a search's list (findBy*, calendarByDistrict, calendarByPin) may take in the Lambda
response, as `lambda_bytes` counts them. The 1,291,556 bytes left under `LAMBDA_RESPONSE_LIMIT` are headroom
for the envelope, the headers and the answer's own braces (a few kB, measured in
tests/api/test_large_district.py); 5 MB is also under 6 MB counted in decimal megabytes."""

OMITTED_PINCODES_LISTED = 100
"""At most this many pincodes are named in a partial answer's `X-Omitted-Pincodes` header (7 bytes each),
so the header stays under a kilobyte whatever the district."""


def json_text(value: object) -> str:
    """`value` as the API writes an answer body: compact JSON, non-ASCII kept as UTF-8
    (`api.http.cacheable_response` and `json_response` write it exactly so)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def lambda_bytes(value: object) -> int:
    """The bytes `value` takes inside Lambda's response envelope once written as an answer body: the runtime
    embeds the body as a JSON string, so every quote and backslash gains a backslash and, in Python 3.11's
    runtime, every non-ASCII character becomes a 6-byte escape, `\\u` and four hex digits (12 bytes for one
    outside the BMP). The python3.12 runtime Teeka deploys on writes UTF-8, never more bytes: counting as
    3.11 is kept as the upper bound whatever a runtime does (a Hindi answer keeps fewer centres than it
    could, never too many).
    `lambda_bytes(value) >= len(json_text(value).encode())` always."""
    return len(json.dumps(json_text(value))) - 2


@dataclass(frozen=True)
class Bounded:
    """A search's list kept within `ANSWER_BUDGET` (`within_budget`), and what was left out of it."""

    entries: list[dict]
    omitted_centres: int = 0  # centres with sessions in the answer's window that the answer leaves out
    omitted_pincodes: tuple[int, ...] = ()  # their pincodes, lowest first, at most OMITTED_PINCODES_LISTED

    @property
    def partial(self) -> bool:
        return self.omitted_centres > 0


def _has_seats(entry: Mapping) -> bool:
    """Whether a calendar centre (any of its sessions) or a flat session row has a seat open."""
    return any(int(session["available_capacity"]) > 0 for session in entry.get("sessions", (entry,)))


def within_budget(entries: Sequence[dict], budget: int | None = None) -> Bounded:
    """The rule that keeps a search's answer under Lambda's response limit, and its only place.

    `entries` are an answer's list in its own order (by centre, as `calendar` and `flat_sessions` give it):
    a calendar has one entry per centre, a flat search one per session. A centre is kept or left out whole,
    never cut. Each entry costs `lambda_bytes(entry)` plus one for the comma that follows it. `budget` is
    `ANSWER_BUDGET` unless given.

    - If every centre fits in `budget`, all are kept: the usual case, and then the answer is unchanged.
    - Otherwise centres are taken in this order: those with a seat open first (a seat is what a client
      searches for), then the fully booked; each group by `center_id`. They are kept until the next one
      would not fit; it and every centre after it in that order are left out, counted, and their pincodes
      named, so a client can ask calendarByPin (or calendarByCenter) for them.

    The kept entries stay in the answer's own order, and the same sessions always give the same answer (so
    the same ETag, and CloudFront's cache holds).
    """
    budget = ANSWER_BUDGET if budget is None else budget
    centres: dict[int, list[dict]] = {}
    for entry in entries:
        centres.setdefault(int(entry["center_id"]), []).append(entry)
    cost = {center_id: sum(lambda_bytes(entry) + 1 for entry in rows) for center_id, rows in centres.items()}
    if sum(cost.values()) <= budget:
        return Bounded(list(entries))
    order = sorted(centres, key=lambda center_id: (not any(map(_has_seats, centres[center_id])), center_id))
    kept: set[int] = set()
    spent = 0
    for center_id in order:
        if spent + cost[center_id] > budget:
            break
        spent += cost[center_id]
        kept.add(center_id)
    left_out = [center_id for center_id in order if center_id not in kept]
    pincodes = sorted({int(centres[center_id][0]["pincode"]) for center_id in left_out})
    return Bounded([entry for entry in entries if int(entry["center_id"]) in kept], len(left_out),
                   tuple(pincodes[:OMITTED_PINCODES_LISTED]))
