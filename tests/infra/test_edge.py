"""The CDN's cache key for public reads, run as CloudFront would run it (the function's JavaScript, in Node):
a request rewritten by it gets, from the API, exactly the answer of the request as sent; and junk
parameters, their order and an unsupported language no longer make a new cache entry."""
import itertools
import json
import shutil
import subprocess
from urllib.parse import parse_qsl, urlencode

import pytest

from chalicelib.config import load_pack
from infra import edge

NODE = shutil.which("node")
PUBLIC = "/v2/appointment/sessions/public"


def normalise(requests: list[tuple[str, list[tuple[str, str]], str | None]], languages) -> list[dict]:
    """Each (path, query pairs, Accept-Language) as CloudFront hands it to the function; its rewrite."""
    events = []
    for path, pairs, language in requests:
        query: dict = {}
        for name, value in pairs:  # CloudFront's shape: repeated names get `multiValue`
            if name in query:
                query[name].setdefault("multiValue", [dict(query[name])]).append({"value": value})
            else:
                query[name] = {"value": value}
        headers = {"accept-language": {"value": language}} if language is not None else {}
        events.append({"request": {"method": "GET", "uri": path, "querystring": query, "headers": headers}})
    script = edge.normaliser_code(languages) + """
const events = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(events.map(handler)));
"""
    assert NODE, "node is needed (make test installs the npm tools with it)"
    done = subprocess.run([NODE, "-e", script], input=json.dumps(events), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def as_url(request: dict) -> tuple[str, dict]:
    query = urlencode([(name, given["value"]) for name, given in request["querystring"].items()])
    headers = {"Accept-Language": request["headers"]["accept-language"]["value"]} \
        if "accept-language" in request["headers"] else {}
    return request["uri"] + (f"?{query}" if query else ""), headers


LANGUAGE_TAGS = ["hi", "HI-in", "en", "en-GB", "mr", "mr_IN", "ta", "es", "ES-do", "lg", "fr", "*", "", " ",
                 "zh-Hant-TW", "hi;q=0.1", "x-klingon", "en_US;q=0.8", ";q=1"]


def test_the_language_kept_is_the_one_the_api_would_choose():
    """Every header of up to three of these tags (6,859 of them), for each pack."""
    headers = [", ".join(tags) for tags in itertools.product(LANGUAGE_TAGS, repeat=3)] + LANGUAGE_TAGS + [",", ""]
    for country in ("in", "ug", "do"):
        profile = load_pack(country)
        rewritten = normalise([("/v2/web/texts", [], header) for header in headers], profile.languages)
        for header, request in zip(headers, rewritten, strict=True):
            kept = request["headers"].get("accept-language", {}).get("value")
            assert profile.language(kept) == profile.language(header), (country, header, kept)
            assert kept is None or kept in profile.languages[1:]  # one key per language, none for the default


def test_junk_order_and_repeats_collapse_to_one_key():
    profile = load_pack("in")
    path = f"{PUBLIC}/calendarByDistrict"
    asked = [
        [("district_id", "294"), ("date", "01-12-2026")],
        [("date", "01-12-2026"), ("district_id", "294")],
        [("date", "01-12-2026"), ("cachebust", "8d1e"), ("district_id", "294"), ("_", "1")],
        [("district_id", "1"), ("date", "01-12-2026"), ("district_id", "294")],  # Chalice reads the last
    ]
    rewritten = normalise([(path, pairs, "fr-FR, de") for pairs in asked], profile.languages)
    assert len({json.dumps(request, sort_keys=False) for request in rewritten}) == 1
    assert list(rewritten[0]["querystring"]) == ["date", "district_id"] and rewritten[0]["headers"] == {}


def test_every_public_read_route_has_its_parameters_from_the_api_document():
    from infra.routes import read_parameters

    routes = read_parameters()
    assert routes[f"{PUBLIC}/calendarByDistrict"] == ["date", "district_id", "vaccine"]
    assert routes["/v2/certificate/revoked"] == ["next", "since"]
    assert routes["/.well-known/jwks.json"] == []


@pytest.mark.parametrize("lang", ["hi-IN,en;q=0.5", None, "de, mr"])
def test_the_api_answers_a_rewritten_request_as_the_original(api, seeded, lang):
    from local.seed import BBMP, MUMBAI

    sent = [
        (f"{PUBLIC}/calendarByDistrict", [("district_id", str(BBMP)), ("x", "1"), ("date", seeded)]),
        (f"{PUBLIC}/findByDistrict", [("date", seeded), ("district_id", str(MUMBAI)), ("vaccine", "COVISHIELD")]),
        (f"{PUBLIC}/calendarByPin", [("pincode", "400008"), ("date", seeded), ("pincode", "400001")]),
        (f"{PUBLIC}/findByPin", [("pincode", "400008"), ("date", seeded), ("utm_source", "sms")]),
        (f"{PUBLIC}/calendarByCenter", [("center_id", "200002"), ("date", seeded), ("vaccine", "")]),
        ("/v2/appointment/centers/public/findByLatLong", [("long", "72.83"), ("lat", "18.97"), ("r", "9")]),
        ("/v2/admin/location/states", [("z", "1")]),
        ("/v2/admin/location/districts/21", []),
        ("/v1/reports/v2/getPublicReports", [("state_id", "21"), ("date", seeded), ("district_id", "")]),
        ("/v1/reports/v2/openData.csv", [("date", seeded), ("q", "1")]),
        ("/v2/web/texts", [("lang", "hi"), ("lang", "mr")]),
        ("/v2/certificate/revoked", [("since", "0"), ("junk", "1")]),
        ("/.well-known/jwks.json", [("v", "2")]),
        ("/v2/certificate/dcc/trust-list", []),
    ]
    profile = load_pack("in")
    rewritten = normalise([(path, pairs, lang) for path, pairs in sent], profile.languages)
    for (path, pairs), request in zip(sent, rewritten, strict=True):
        original = api.http.get(path + "?" + urlencode(pairs) if pairs else path,
                                headers={"Accept-Language": lang} if lang else {})
        url, headers = as_url(request)
        assert set(parse_qsl(url.partition("?")[2])) <= set(pairs)
        again = api.http.get(url, headers=headers)
        assert (again.status_code, again.body) == (original.status_code, original.body), (path, pairs, url)
