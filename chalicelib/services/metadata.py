"""Reference data: CoWIN's real states and districts, and the country's ID types and genders."""
from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

from chalicelib.config import CountryProfile
from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LOCATIONS_FILE = DATA_DIR / "india-locations.json"
HINDI_STATE_NAMES_FILE = DATA_DIR / "state-names-hi.json"
HINDI = "hi_IN"


@lru_cache(maxsize=1)
def _locations() -> tuple[list[dict], dict[int, list[dict]]]:
    data = json.loads(LOCATIONS_FILE.read_text(encoding="utf-8"))
    hindi = json.loads(HINDI_STATE_NAMES_FILE.read_text(encoding="utf-8"))["names"]
    states = [{"state_id": s["state_id"], "state_name": s["state_name"],
               "state_name_l": hindi.get(str(s["state_id"]), "")} for s in data["states"]]
    districts: dict[int, list[dict]] = {s["state_id"]: [] for s in states}
    for district in data["districts"]:
        districts[district["state_id"]].append(
            {"district_id": district["district_id"], "district_name": district["district_name"],
             "district_name_l": ""})
    return states, districts


def _localise(rows: list[dict], language: str) -> list[dict]:
    """CoWIN adds `*_l` fields only when the client asks for a language."""
    if language == HINDI:
        return rows
    return [{k: v for k, v in row.items() if not k.endswith("_l")} for row in rows]


def states(language: str = "") -> list[dict]:
    return _localise(_locations()[0], language)


def districts(state_id: int, language: str = "") -> list[dict]:
    rows = _locations()[1].get(state_id)
    if rows is None:
        raise ApiError(errors.INVALID_STATE)
    return _localise(rows, language)


@lru_cache(maxsize=1)
def district_states() -> dict[int, int]:
    """district_id -> state_id, for validating places."""
    return {d["district_id"]: state_id for state_id, rows in _locations()[1].items() for d in rows}


def id_types(profile: CountryProfile, language: str = "") -> list[dict]:
    return [{"type": t.type, "type_l": t.type_l if language == HINDI else "", "id": t.id} for t in profile.id_types]


def genders(profile: CountryProfile, language: str = "") -> list[dict]:
    return [{"gender": g.gender, "gender_l": g.gender_l if language == HINDI else "", "id": g.id}
            for g in profile.genders]


@cache
def _place(state_id: int, district_id: int) -> tuple[str, str, str]:
    states, districts = _locations()
    state = next((s for s in states if s["state_id"] == state_id), None)
    district = next((d for d in districts.get(state_id, []) if d["district_id"] == district_id), None)
    return (state["state_name"] if state else "", state["state_name_l"] if state else "",
            district["district_name"] if district else "")


def place_names(state_id: int, district_id: int, language: str = "") -> dict[str, str]:
    """State and district names for availability rows; `*_l` forms with a language (English stands in
    where no translation exists, as CoWIN's spec wants them non-empty)."""
    state_name, state_name_hi, district_name = _place(state_id, district_id)
    names = {"state_name": state_name, "district_name": district_name}
    if language == HINDI:
        names.update(state_name_l=state_name_hi or state_name, district_name_l=district_name)
    return names
