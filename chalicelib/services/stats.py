"""The public reports: counting doses and sessions from the tables' streams, and CoWIN's dashboard
answer (getPublicReports) and the open-data CSV read from the counters.

Writes per dose: the stream worker adds a batch's doses in one transaction per up to ~100 items: each
dose's marker, and the country's, its state's and its district's day and all-time items (one shard of
each area, a partition of its own), shared by the batch's doses (see store/stats.py). Reads per view: 1
Query per shard, 8 (the area's items from the last 7 days on, the days sessions are planned for, and the
campaign so far); a district's view adds 1 Query for its sites' names. Open data of a day: 1 BatchGetItem
(the area's 8 items of that day).
"""
from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import errors
from chalicelib.domain import stats as rules
from chalicelib.domain.calendar import local_date
from chalicelib.domain.errors import ApiError
from chalicelib.observability import metrics
from chalicelib.services import metadata
from chalicelib.store import planning as planning_store
from chalicelib.store import stats as store
from chalicelib.store import vaccination as dose_store
from chalicelib.store.vaccination import CORRECTION, DOSE

OPEN_DATA_DAYS = 5 * 366  # a day's CSV reads that day's items alone: any day of a campaign

# -- counting -----------------------------------------------------------------------------------------


def _correction_counting(image: Mapping[str, Any], profile: CountryProfile) -> store.Counting:
    """A correction moves its dose from the state it supersedes (the entry before it) to its own."""
    entries = dose_store.history(str(image["beneficiary_reference_id"]), int(image["dose"]))
    record = next(entry for entry in entries
                  if entry.kind == DOSE and str(image["entry"]).startswith(f"{entry.entry}#fix#"))
    position = next(i for i, entry in enumerate(entries) if entry.record_id == image["record_id"])
    if any(entry.voided for entry in entries[:position] if entry.entry.startswith(f"{record.entry}#fix#")):
        return store.Counting(str(image["record_id"]), {})  # a voided dose counts no more, however corrected
    site = asdict(record)
    before = rules.dose_fact(asdict(entries[position - 1]), site, profile)
    after = None if image.get("voided") else rules.dose_fact(image, site, profile)
    return store.Counting(str(image["record_id"]), rules.correction_deltas(before, after))


def count_doses(images: Iterable[Mapping[str, Any]], profile: CountryProfile, now: int) -> int:
    """Count new dose records and corrections (the doses table's stream), each exactly once; returns
    how many were counted now (a redelivered record counts nothing)."""
    countings = []
    for image in images:
        if image["kind"] == DOSE:
            countings.append(store.Counting(str(image["record_id"]),
                                            rules.dose_deltas(rules.dose_fact(image, image, profile))))
        elif image["kind"] == CORRECTION:
            countings.append(_correction_counting(image, profile))
    added = store.apply(countings, now)
    if added:
        metrics.add_metric(name="DosesCounted", unit="Count", value=added)
    return added


def _site_deltas(change: rules.SessionChange, held: list[int]) -> rules.Deltas:
    """A session change's cells, given how many sessions its site held that day and ever (the guards)."""
    return rules.session_deltas(change, held[0], held[1])


def count_sessions(changes: Iterable[tuple[str, Mapping[str, Any] | None, Mapping[str, Any] | None]],
                   now: int) -> int:
    """Count sessions that opened or closed (the sessions table's stream: event id, old and new image),
    and their sites while they hold one, each stream record exactly once; returns how many counted now."""
    countings = []
    for event_id, old, new in changes:
        for change in rules.session_changes(old, new):
            countings.append(store.Counting(
                f"{event_id}#{'in' if change.change > 0 else 'out'}", guard_area=rules.site_guard(change),
                guard_periods=(change.day, rules.ALL), guard_change=change.change,
                guarded=functools.partial(_site_deltas, change)))
    return store.apply(countings, now)


# -- reading ----------------------------------------------------------------------------------------

def _positive_id(query: Mapping[str, str], name: str) -> int | None:
    value = (query.get(name) or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"[1-9][0-9]{0,8}", value):  # ASCII digits only, one spelling per id (no ٣, ３, 021)
        raise ApiError(errors.INVALID_REPORT_AREA, f"Invalid {name}: {value[:20]!r}")
    return int(value)


def _area_of(query: Mapping[str, str], profile: CountryProfile) -> tuple[int | None, int | None]:
    state_id, district_id = _positive_id(query, "state_id"), _positive_id(query, "district_id")
    if district_id is not None:
        in_state = metadata.district_states(profile).get(district_id)
        if in_state is None or (state_id is not None and state_id != in_state):
            raise ApiError(errors.INVALID_REPORT_AREA, f"Invalid district_id {district_id} for this state")
        state_id = in_state
    elif state_id is not None and state_id not in {s["state_id"] for s in metadata.states(profile)}:
        raise ApiError(errors.INVALID_REPORT_AREA, f"Invalid state_id {state_id}")
    return state_id, district_id


def _date_of(query: Mapping[str, str], profile: CountryProfile, now: int, days_back: int) -> str:
    """The date asked for (default today in the country), at most `days_back` days ago."""
    today = local_date(profile, now)
    value = (query.get("date") or "").strip()
    if not value:
        return today.isoformat()
    try:
        day = date.fromisoformat(value) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) else None
    except ValueError:
        day = None
    first = today - timedelta(days=days_back)
    if day is None or not first <= day <= today:
        raise ApiError(errors.INVALID_REPORT_DATE, f"Invalid date {value[:20]!r}: expected YYYY-MM-DD from "
                                                   f"{first.isoformat()} to {today.isoformat()}")
    return day.isoformat()


def _children(state_id: int | None, district_id: int | None, counts: rules.Counts, profile: CountryProfile,
              language: str) -> tuple[str, list[rules.Child]]:
    local = profile.local_language(language)
    if state_id is None:
        return "state", [rules.Child(s["state_id"], s["state_name"], s.get("state_name_l") or None)
                         for s in metadata.states(profile, language)]
    if district_id is None:
        return "district", [rules.Child(d["district_id"], d["district_name"], d.get("district_name_l") or None)
                            for d in metadata.districts(profile, state_id, language)]
    with_doses = rules.children_with_doses(counts)
    sites = [centre for centre in planning_store.centres_in_district(district_id) if centre.center_id in with_doses]
    return "site", [rules.Child(int(c.center_id), c.name,
                                (c.local_names.get(local) or {}).get("name") if local else None)
                    for c in sorted(sites, key=lambda centre: centre.name)]


def _area_key(state_id: int | None, district_id: int | None) -> str:
    if district_id is not None:
        return rules.district_area(district_id)
    return rules.state_area(state_id) if state_id is not None else rules.COUNTRY


def _counts(state_id: int | None, district_id: int | None, day: str, today: str) -> rules.Counts:
    """The area's counters as of `day`: its last 7 days (from `day`'s, back) and the days since, and all time."""
    return rules.Counts(store.rows(_area_key(state_id, district_id), rules.first_day(min(day, today))), day)


def public_report(query: Mapping[str, str], profile: CountryProfile, now: int, language: str = "") -> dict:
    """`GET /v1/reports/v2/getPublicReports?state_id=&district_id=&date=`: CoWIN's dashboard answer;
    the country when no id is given; a date of the last 7 days (the totals as of an older one would read
    every day since: the open data has each day)."""
    state_id, district_id = _area_of(query, profile)
    day = _date_of(query, profile, now, rules.LAST_DAYS - 1)
    counts = _counts(state_id, district_id, day, local_date(profile, now).isoformat())
    level, children = _children(state_id, district_id, counts, profile, language)
    report_for = ("Country" if state_id is None else f"State : {state_id}" +
                  (f" & District: {district_id}" if district_id is not None else "")) + f" | {day}"
    return rules.public_report(counts, day, children, level, report_for, profile, now)


def open_data(query: Mapping[str, str], profile: CountryProfile, now: int) -> str:
    """The day's doses in an area as CSV (rules.CSV_COLUMNS): one row per vaccine, dose, age band and gender."""
    state_id, district_id = _area_of(query, profile)
    day = _date_of(query, profile, now, OPEN_DATA_DAYS)
    counts = rules.Counts(store.day_rows(_area_key(state_id, district_id), day), day)  # the cube: no site slices
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rules.CSV_COLUMNS)
    writer.writerows(rules.open_data_rows(counts, day, state_id, district_id, profile))
    return out.getvalue()
