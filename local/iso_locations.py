"""Write a country pack's locations.json from ISO 3166-2 (pycountry, a development dependency only):

    .venv/bin/python -m local.iso_locations UG > chalicelib/countries/ug/locations.json

ISO's top level (regions) become CoWIN's states and the level below (districts, provinces, cities)
its districts. Ids are taken from the ISO codes, so they stay stable as long as ISO's do: a numeric
code is its own id (UG-101 is district 101, DO-40 is state 40); a lettered one (UG-C) is numbered by
the codes' order. The names are ISO's, in the country's own language.
"""
from __future__ import annotations

import json
import sys


def locations(country_code: str) -> dict:
    import pycountry

    subdivisions = list(pycountry.subdivisions.get(country_code=country_code))
    tops = sorted((s for s in subdivisions if not s.parent_code), key=lambda s: s.code)
    state_ids = {s.code: _id(s.code, n) for n, s in enumerate(tops, 1)}
    below = sorted((s for s in subdivisions if s.parent_code in state_ids), key=lambda s: s.code)
    return {
        "source": f"ISO 3166-2:{country_code} (pycountry {pycountry.__version__}): "
                  f"{', '.join(sorted({s.type for s in tops}))} as states, "
                  f"{', '.join(sorted({s.type for s in below}))} as districts",
        "states": [{"state_id": state_ids[s.code], "state_name": s.name, "iso_code": s.code, "names": {}}
                   for s in tops],
        "districts": [{"district_id": _id(s.code, n), "state_id": state_ids[s.parent_code],
                       "district_name": s.name, "iso_code": s.code, "names": {}} for n, s in enumerate(below, 1)],
    }


def _id(code: str, position: int) -> int:
    local = code.split("-", 1)[1]
    return int(local) if local.isdigit() else position


if __name__ == "__main__":
    print(json.dumps(locations(sys.argv[1].upper()), ensure_ascii=False, indent=1))
