"""The public reports' counting rules: which counters a dose, a correction or a session moves, and
CoWIN's dashboard answer (getPublicReports) read back from them.

Counters live in items per area (the country, a state, a district) and period (a day, or "all" for the
campaign so far); each item holds cells, one number each:
- `c|<vaccine>|<dose>|<age band>|<gender id>`: doses, the full cube (day x area x vaccine x dose x age
  band x gender), in day and all-time items;
- `a|<child>|<what>`: the area's children (the country's states, a state's districts, a district's
  sites) for the by-area table without reading the children's items, three cells each: `1` first
  doses (people), `f` doses completing a primary series, `d` all doses. A district's sites are kept
  in slices of their own (`slice_of`): DynamoDB bills an update by the item's size, and an item may
  not pass 400 KB (see docs/dashboard.md);
- `h|<hour>|<dose>`: doses by local hour, in day items;
- `s|<fee>`: active sessions; `t|<fee>` sites holding one that day (day items), `T|<fee>` sites holding
  one on any day (all-time items); fee is "govt" (free) or "pvt" (paid), as CoWIN splits them.
People are counted by their first dose (CoWIN's `vaccination.total`, by gender and by age).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile

ALL = "all"  # the period of the campaign so far
SITE_SLICES = 16
COUNTRY = "country"
LAST_DAYS = 7  # CoWIN's last7DaysVaccination
SESSION_FEES = {"Free": "govt", "Paid": "pvt"}

Cells = Mapping[str, int]
Deltas = dict[tuple[str, str], Counter]  # (area, period) -> cell -> change


def state_area(state_id: int) -> str:
    return f"state#{state_id}"


def district_area(district_id: int) -> str:
    return f"district#{district_id}"


def center_area(center_id: int) -> str:
    """A site's own guard items (how many sessions it holds a day, and ever): not a report area."""
    return f"center#{center_id}"


@dataclass(frozen=True)
class DoseFact:
    """What the reports count of one dose: when, where, what and who (as gender and age band)."""

    day: str  # ISO date in the country
    hour: int  # local hour it was given
    state_id: int
    district_id: int
    center_id: int
    vaccine: str
    dose: int
    band: str
    gender_id: int
    completes: bool = False  # the vaccine's last primary dose: the person is fully vaccinated


def age_band(age: int, profile: CountryProfile) -> str:
    """The pack's band of an age (years at the dose); younger than every band: `below_<youngest>`."""
    bands = [band for band in profile.report_age_bands if band.from_age <= age]
    return bands[-1].key if bands else f"below_{profile.report_age_bands[0].from_age}"


def dose_fact(dose: Mapping[str, Any], site: Mapping[str, Any], profile: CountryProfile) -> DoseFact:
    """A dose (or a correction, with its dose's `site` record) as the reports count it. Records made
    before doses carried the person's gender and birth year count as "others" and the youngest band."""
    given = datetime.fromtimestamp(int(dose["given_at"]), ZoneInfo(profile.time_zone))
    # A correction may move the dose's day or vaccine too (docs/grievances.md); older ones copy them.
    day, name = str(dose.get("given_on") or site["given_on"]), str(dose.get("vaccine") or site["vaccine"])
    birth_year = dose.get("birth_year")
    band = age_band(int(day[:4]) - int(birth_year), profile) if birth_year is not None \
        else profile.report_age_bands[0].key
    gender = dose.get("gender_id")
    vaccine = profile.vaccine(name)
    return DoseFact(day=day, hour=given.hour, state_id=int(site["state_id"]),
                    district_id=int(site["district_id"]), center_id=int(site["center_id"]),
                    vaccine=name, dose=int(site["dose"]), band=band,
                    gender_id=int(gender) if gender is not None else 0,
                    completes=vaccine is not None and int(site["dose"]) == vaccine.total_doses)


def _areas(state_id: int, district_id: int, center_id: int) -> list[tuple[str, int]]:
    """Each area a place belongs to, with its child there."""
    return [(COUNTRY, state_id), (state_area(state_id), district_id), (district_area(district_id), center_id)]


def slice_of(period: str, area: str, child: int) -> str:
    """Where an area's cells of a child live: with its own cells, except a district's sites, which
    live in SITE_SLICES items by site id (`<period>~<slice>`), so that no item grows with the number of
    sites (a district may have 2,000) and a dose writes a small slice, not all its district's sites."""
    return f"{period}~{child % SITE_SLICES}" if area.startswith("district#") else period


def period_of(key: str) -> str:
    """A stored period without its slice."""
    return key.split("~", 1)[0]


def dose_deltas(fact: DoseFact, sign: int = 1) -> Deltas:
    deltas: Deltas = {}
    for area, child in _areas(fact.state_id, fact.district_id, fact.center_id):
        for period in (fact.day, ALL):
            deltas.setdefault((area, period), Counter())[
                f"c|{fact.vaccine}|{fact.dose}|{fact.band}|{fact.gender_id}"] += sign
            children = deltas.setdefault((area, slice_of(period, area, child)), Counter())
            children[f"a|{child}|d"] += sign
            if fact.dose == 1:
                children[f"a|{child}|1"] += sign
            if fact.completes:
                children[f"a|{child}|f"] += sign
        deltas[(area, fact.day)][f"h|{fact.hour:02d}|{fact.dose}"] += sign
    return deltas


def merged(*parts: Deltas) -> Deltas:
    """The sum of several changes, without the cells that cancel out (a correction that moved nothing)."""
    total: Deltas = {}
    for part in parts:
        for key, cells in part.items():
            total.setdefault(key, Counter()).update(cells)
    return {key: Counter({cell: n for cell, n in cells.items() if n}) for key, cells in total.items()
            if any(cells.values())}


def correction_deltas(before: DoseFact, after: DoseFact | None) -> Deltas:
    """A correction moves its dose from what was counted to what now stands (nothing, if it voids it:
    the dose is counted again where it moved, as its new record)."""
    return merged(dose_deltas(before, -1), dose_deltas(after)) if after is not None else dose_deltas(before, -1)


@dataclass(frozen=True)
class SessionChange:
    """A session opened (+1) or cancelled (-1) at a site on a day."""

    day: str
    state_id: int
    district_id: int
    center_id: int
    fee: str  # govt | pvt
    change: int


def _counted_as(image: Mapping[str, Any] | None) -> tuple[str, int, int, int, str] | None:
    if image is None or image.get("status") != "ACTIVE":
        return None
    return (str(image["date"]), int(image["state_id"]), int(image["district_id"]), int(image["center_id"]),
            SESSION_FEES.get(str(image.get("fee_type")), "govt"))


def session_changes(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[SessionChange]:
    """What a sessions-table change means to the reports: a session that became active counts, one that
    stopped being active (cancelled, removed) no longer does, and one whose centre moved it to another
    place or fee moves with it; a change of its seats means nothing here."""
    was, now = _counted_as(old), _counted_as(new)
    if was == now:
        return []
    return ([SessionChange(*was, change=-1)] if was else []) + ([SessionChange(*now, change=1)] if now else [])


def site_guard(change: SessionChange) -> str:
    """The items that hold how many active sessions of this fee a site holds in this district, that day
    and on any day: a site counts there as free (govt) or paid (pvt) while it holds such a session (a
    centre moved to another district takes its sessions, one by one, and so its count, with it)."""
    return f"{center_area(change.center_id)}#{change.district_id}#{change.fee}"


def session_deltas(change: SessionChange, sessions_that_day: int, sessions_ever: int) -> Deltas:
    """The cells a session change moves, given how many active sessions of its fee its site held that day
    and ever before it: a site counts while it holds at least one."""
    deltas: Deltas = {}
    opens_day = (change.change > 0 and sessions_that_day == 0) or (change.change < 0 and sessions_that_day == 1)
    opens_ever = (change.change > 0 and sessions_ever == 0) or (change.change < 0 and sessions_ever == 1)
    for area, _ in _areas(change.state_id, change.district_id, change.center_id):
        day = deltas.setdefault((area, change.day), Counter())
        every = deltas.setdefault((area, ALL), Counter())
        day[f"s|{change.fee}"] += change.change
        every[f"s|{change.fee}"] += change.change
        if opens_day:
            day[f"t|{change.fee}"] += change.change
        if opens_ever:
            every[f"T|{change.fee}"] += change.change
    return deltas


# --- reading the counters back ------------------------------------------------------------------------

@dataclass(frozen=True)
class Child:
    """A row of the by-area table: a state, a district or a site, with its names."""

    id: int
    name: str
    name_l: str | None = None


class Counts:
    """An area's counters as of a date: the campaign so far, and each day."""

    def __init__(self, rows: Iterable[tuple[str, Cells]], as_of: str):
        self.now: Counter = Counter()
        self.days: dict[str, Counter] = {}
        for key, cells in rows:
            period = period_of(key)
            (self.now if period == ALL else self.days.setdefault(period, Counter())).update(cells)
        self.as_of: Counter = Counter(self.now)
        for day, cells in self.days.items():
            if day > as_of:  # counted since the date asked for
                self.as_of.subtract(cells)

    def day(self, day: str) -> Counter:
        return self.days.get(day, Counter())


def _doses(cells: Counter, prefix: str = "c") -> list[tuple[list[str], int]]:
    return [(cell.split("|")[1:], n) for cell, n in cells.items() if cell.startswith(prefix + "|") and n]


def vaccine_key(vaccine: str) -> str:
    """CoWIN names a vaccine's total by the lower-cased name ("covishield"); spaces become "_"."""
    return re.sub(r"[^a-z0-9]+", "_", vaccine.lower()).strip("_")


def _dose_kind(dose: str) -> str:
    """Dose 1, 2 and later ones (precaution) in CoWIN's names."""
    return {"1": "one", "2": "two"}.get(dose, "pd")


def _by_dose(cells: Counter, prefix: str = "c") -> dict[str, int]:
    """Doses by kind, from the cube's cells (`c|<vaccine>|<dose>|...`) or the hours' (`h|<hour>|<dose>`)."""
    totals = {"one": 0, "two": 0, "pd": 0}
    for parts, n in _doses(cells, prefix):
        totals[_dose_kind(parts[1])] += n
    return totals


def _genders(cells: Counter, profile: CountryProfile, first_only: bool) -> dict[str, int]:
    report_as = {gender.id: gender.report_as for gender in profile.genders}
    totals = {"male": 0, "female": 0, "others": 0}
    for (_, dose, _, gender), n in _doses(cells):
        if not first_only or dose == "1":
            totals[report_as.get(int(gender), "others")] += n
    return totals


def _vaccination(counts: Counts, date_: str, profile: CountryProfile) -> dict[str, Any]:
    total, today = counts.as_of, counts.day(date_)
    doses, today_doses = _by_dose(total), _by_dose(today)
    block: dict[str, Any] = {"total": doses["one"], **_genders(total, profile, first_only=True)}
    for vaccine in profile.vaccines:
        block[vaccine_key(vaccine.name)] = sum(n for (name, *_), n in _doses(total) if name == vaccine.name)
    today_genders = _genders(today, profile, first_only=False)
    block.update(
        today=sum(today_doses.values()), tot_dose_1=doses["one"], tot_dose_2=doses["two"], tot_pd=doses["pd"],
        total_doses=sum(doses.values()), today_dose_one=today_doses["one"], today_dose_two=today_doses["two"],
        today_pd=today_doses["pd"], today_male=today_genders["male"], today_female=today_genders["female"],
        today_others=today_genders["others"], aefi=None, today_aefi=None)
    return block


def _fees(cells: Counter, prefix: str) -> dict[str, int]:
    govt, pvt = cells.get(f"{prefix}|govt", 0), cells.get(f"{prefix}|pvt", 0)
    return {"total": govt + pvt, "govt": govt, "pvt": pvt}


def _by_time(counts: Counts, date_: str, profile: CountryProfile) -> list[dict[str, Any]]:
    cells = counts.day(date_)
    zone, day = ZoneInfo(profile.time_zone), date.fromisoformat(date_)
    answer = []
    for hour in sorted({int(parts[0]) for parts, _ in _doses(cells, "h")}):
        doses = _by_dose(Counter({cell: n for cell, n in cells.items() if cell.startswith(f"h|{hour:02d}|")}), "h")
        start = datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(UTC)
        answer.append({"ts": f"{date_} {hour:02d}", "timestamps": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                       "label": f"{hour:02d}:00-{(hour + 1) % 24:02d}:00", "count": sum(doses.values()),
                       "dose_one": doses["one"], "dose_two": doses["two"], "dose_pd": doses["pd"]})
    return answer


def _last_days(counts: Counts, date_: str, profile: CountryProfile) -> list[dict[str, Any]]:
    end, answer = date.fromisoformat(date_), []
    for back in range(LAST_DAYS - 1, -1, -1):
        day = (end - timedelta(days=back)).isoformat()
        cells = counts.day(day)
        doses = _by_dose(cells)
        row: dict[str, Any] = {"vaccine_date": day, "count": sum(doses.values()), "dose_one": doses["one"],
                               "dose_two": doses["two"], "dose_pd": doses["pd"]}
        for vaccine in profile.vaccines:
            row[vaccine_key(vaccine.name)] = sum(n for (name, *_), n in _doses(cells) if name == vaccine.name)
        answer.append(row)
    return answer


def first_day(date_: str) -> str:
    """The oldest day a report on `date_` reads."""
    return (date.fromisoformat(date_) - timedelta(days=LAST_DAYS - 1)).isoformat()


def children_with_doses(counts: Counts) -> set[int]:
    return {int(cell.split("|")[1]) for cell, n in counts.now.items() if cell.startswith("a|") and n}


def _by_area(counts: Counts, date_: str, children: Sequence[Child], level: str) -> list[dict[str, Any]]:
    """One row per child: people with a first dose, fully vaccinated (the vaccine's last primary dose),
    partially (the rest, never below 0: a second dose may be given in another area), doses that day."""
    total: Counter = Counter()
    fully: Counter = Counter()
    today: Counter = Counter()
    for (child_id, what), n in _doses(counts.as_of, "a"):
        (total if what == "1" else fully if what == "f" else Counter())[int(child_id)] += n
    for (child_id, what), n in _doses(counts.day(date_), "a"):
        if what == "d":
            today[int(child_id)] += n
    id_field, name_field = {"state": ("state_id", "state_name"), "district": ("district_id", "district_name"),
                            "site": ("session_site_id", "session_site_name")}[level]
    rows = []
    for child in children:
        people, done = total[child.id], fully[child.id]
        row: dict[str, Any] = {id_field: child.id, name_field: child.name, "title": child.name, "id": str(child.id),
                               "total": people, "partial_vaccinated": max(people - done, 0),
                               "totally_vaccinated": done, "today": today[child.id]}
        if child.name_l is not None:
            row["title_l"] = child.name_l
        rows.append(row)
    return rows


def _by_age(counts: Counts, profile: CountryProfile) -> dict[str, int]:
    bands = {band.key: 0 for band in profile.report_age_bands}
    for (_, dose, band, _), n in _doses(counts.as_of):
        if dose == "1":
            bands[band] = bands.get(band, 0) + n
    return {"total": sum(bands.values()), **bands}


def public_report(counts: Counts, date_: str, children: Sequence[Child], level: str, report_for: str,
                  profile: CountryProfile, now: int) -> dict[str, Any]:
    """CoWIN's getPublicReports answer for one area and date, from its counters."""
    day = counts.day(date_)
    sessions, sites = _fees(counts.as_of, "s"), _fees(counts.now, "T")
    local_now = datetime.fromtimestamp(now, ZoneInfo(profile.time_zone))
    return {
        "topBlock": {
            "sites": {**sites, "today": _fees(day, "t")["total"]},
            "sessions": {**sessions, "today": _fees(day, "s")["total"]},
            "registration": {"total": None, "male": None, "female": None, "others": None, "today": None},
            "vaccination": _vaccination(counts, date_, profile),
        },
        "vaccinationDoneByTime": _by_time(counts, date_, profile),
        "last7DaysVaccination": _last_days(counts, date_, profile),
        "getBeneficiariesGroupBy": _by_area(counts, date_, children, level),
        "vaccinationByAge": _by_age(counts, profile),
        "reportFor": report_for,
        "timestamp": local_now.strftime("%Y-%m-%d %H:%M:%S"),
    }


CSV_COLUMNS = ("date", "state_id", "district_id", "vaccine", "dose", "age_band", "gender", "doses")


def open_data_rows(counts: Counts, date_: str, state_id: int | None, district_id: int | None,
                   profile: CountryProfile) -> list[tuple[Any, ...]]:
    """The day's doses in the area, one row per vaccine x dose x age band x gender (CSV_COLUMNS)."""
    report_as = {gender.id: gender.report_as for gender in profile.genders}
    rows = [(date_, state_id or "", district_id or "", vaccine, int(dose), band,
             report_as.get(int(gender), "others"), n) for (vaccine, dose, band, gender), n in _doses(counts.day(date_))]
    merged_rows: Counter = Counter()
    for *key, n in rows:
        merged_rows[tuple(key)] += n
    return [(*key, n) for key, n in sorted(merged_rows.items(), key=lambda item: tuple(map(str, item[0])))]
