"""Reference data from the country pack: its states and districts (locations.json), ID types and genders,
in CoWIN's shapes."""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from chalicelib.config import CountryProfile, read_locations
from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError


@lru_cache(maxsize=4)
def _locations(path: Path) -> tuple[list[dict], dict[int, list[dict]]]:
    """A pack's states and districts: CoWIN's fields, and each one's names in the pack's other languages."""
    data = read_locations(path)
    states = [{"state_id": s["state_id"], "state_name": s["state_name"], "names": s.get("names", {})}
              for s in data["states"]]
    districts: dict[int, list[dict]] = {s["state_id"]: [] for s in states}
    for district in data["districts"]:
        districts[district["state_id"]].append({"district_id": district["district_id"],
                                                "district_name": district["district_name"],
                                                "names": district.get("names", {})})
    return states, districts


def _rows(rows: list[dict], kind: str, profile: CountryProfile, language: str) -> list[dict]:
    local = profile.local_language(language)
    return [{f"{kind}_id": row[f"{kind}_id"], f"{kind}_name": row[f"{kind}_name"],
             **({f"{kind}_name_l": row["names"].get(local, "")} if local else {})} for row in rows]


def states(profile: CountryProfile, language: str = "") -> list[dict]:
    return _rows(_locations(profile.locations_file)[0], "state", profile, language)


def districts(profile: CountryProfile, state_id: int, language: str = "") -> list[dict]:
    rows = _locations(profile.locations_file)[1].get(state_id)
    if rows is None:
        raise ApiError(errors.INVALID_STATE)
    return _rows(rows, "district", profile, language)


@lru_cache(maxsize=4)
def _district_states(path: Path) -> dict[int, int]:
    return {d["district_id"]: state_id for state_id, rows in _locations(path)[1].items() for d in rows}


def district_states(profile: CountryProfile) -> dict[int, int]:
    """district_id -> state_id, for validating places."""
    return _district_states(profile.locations_file)


def _local_name(profile: CountryProfile, language: str, name: str) -> str:
    """A name in the asked-for other language, from the pack's catalogue; empty (as CoWIN answers) without one."""
    local = profile.local_language(language)
    return profile.words(local).gettext(name) if local else ""


def id_types(profile: CountryProfile, language: str = "") -> list[dict]:
    return [{"type": t.type, "type_l": _local_name(profile, language, t.type), "id": t.id} for t in profile.id_types]


def genders(profile: CountryProfile, language: str = "") -> list[dict]:
    return [{"gender": g.gender, "gender_l": _local_name(profile, language, g.gender), "id": g.id}
            for g in profile.genders]


@cache
def _place(path: Path, state_id: int, district_id: int) -> tuple[dict, dict]:
    states, districts = _locations(path)
    state = next((s for s in states if s["state_id"] == state_id), {"state_name": "", "names": {}})
    district = next((d for d in districts.get(state_id, []) if d["district_id"] == district_id),
                    {"district_name": "", "names": {}})
    return state, district


def place_names(profile: CountryProfile, state_id: int, district_id: int, language: str = "") -> dict[str, str]:
    """State and district names for availability rows; `*_l` forms with a language (English stands in
    where no translation exists, as CoWIN's spec wants them non-empty)."""
    state, district = _place(profile.locations_file, state_id, district_id)
    names = {"state_name": state["state_name"], "district_name": district["district_name"]}
    local = profile.local_language(language)
    if local:
        names.update(state_name_l=state["names"].get(local) or state["state_name"],
                     district_name_l=district["names"].get(local) or district["district_name"])
    return names


WEB_CONTEXT = "web"  # the catalogues' context of the web pages' texts (web/*.js, t("..."))
LANGUAGE_NAME = "This language's name"  # each catalogue's own name for its language, in that language


def web_texts(profile: CountryProfile, requested: str) -> dict:
    """The web pages' texts in the language asked for (or the pack's own): every translated text of the
    catalogue's "web" context, and the pack's languages named in themselves for a language picker."""
    language = profile.language(requested)

    def catalogue(code: str) -> dict[str, str]:
        # gettext keeps a context's texts as "<context>\x04<text>"; it has no public way to list them.
        entries = getattr(profile.words(code), "_catalog", {})
        prefix = f"{WEB_CONTEXT}\x04"
        return {key[len(prefix):]: value for key, value in entries.items()
                if isinstance(key, str) and key.startswith(prefix) and value}

    texts = catalogue(language)
    return {"language": language, "texts": texts,
            "languages": [{"code": code, "name": catalogue(code).get(LANGUAGE_NAME, "English")}
                          for code in profile.languages]}
