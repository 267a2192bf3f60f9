"""A junk corpus thrown at every route (tests/api/every_route.py): each field of every POST body, the
body as a whole, every query parameter and every path parameter. Every answer must be deliberate
(no 5xx) and in CoWIN's error shape, and the books must still balance afterwards."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import boto3
import pytest

from chalicelib.domain.roles import Role
from tests.api.every_route import CALLERS, ROWS, every_route_world
from tests.ledger import Ledger

DEEP = 5000
JUNK_VALUES = [
    None, True, False, 0, -1, 2 ** 31, 10 ** 40, 1.5, -0.0, 1e20, -62135596800, 1e308, float("nan"), float("inf"),
    -float("inf"), "", " ", "\t\n", "x" * 5000, "\u0000",
    "nul\u0000in", "\u202eevil", "zero\u200bwidth", "\ud800", "\udfff\ud800", "١٢٣", "NaN", "Infinity", "1e999",
    "31-12-9999", "00-00-0000", "9999-12-31T23:59:59", "0001-01-01", "'; DROP TABLE x; --", "<script>",
    "../../etc/passwd", "%00", "🙂" * 50, [], [None], [[[[["deep"]]]]], {}, {"$gt": ""}, {"S": "x"},
]
RAW_BODIES = [
    b"", b"{", b"[]", b"null", b"1", b'"text"', b"\xff\xfe\x00", "[" * DEEP + "]" * DEEP,
    '{"a":' * DEEP + "1" + "}" * DEEP, b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}', b'{"a": 1e999}',
    b'{"a": "\\ud800"}', b'{"a": 123456789012345678901234567890123456789012}', b'{"a": "x"} trailing',
]
JUNK_TEXTS = [
    "", " ", "x" * 300, "%00", "%0A", "NaN", "inf", "-1", "0", "1e999", "9" * 45, "31-12-9999", "01-01-0001",
    "00-13-2021", "٣", "%E2%80%AE", "%ED%A0%80", "%FF", "'", "<>", "[]", "..", "%2e%2e%2f",
]
ORDER = ("owner", "vaccinator here", "verifier here", "national admin", "operator here")


@pytest.fixture(scope="module")
def world():
    with every_route_world() as built:
        yield built


def caller_for(roles) -> str:
    """Someone the route's role check lets through, so the junk reaches the route's own parsing."""
    if not roles:  # public, or a status checker's route: the row's call carries its API key
        return "anonymous"
    for name in ORDER:
        held = {Role.CITIZEN} | ({Role(CALLERS[name][1])} if CALLERS[name][1] else set())
        if held & roles:
            return name
    raise AssertionError(f"no caller holds {roles}")


def headers_of(world, name: str, extra: dict | None = None) -> dict:
    return {**(extra or {}), **(world.tokens[name] if CALLERS[name][0] else {})}


def deliberate(answer, what) -> None:
    """Not a server error, and every refusal in its documented shape."""
    body = answer.body.decode("utf-8", "replace")
    assert answer.status_code < 500, (what, answer.status_code, body[:300])
    if answer.status_code == 401:
        assert body == "Unauthenticated access!", what
    elif answer.status_code >= 400:
        error = json.loads(body)
        assert isinstance(error.get("errorCode"), str) and isinstance(error.get("error"), str), (what, body[:300])


def post_raw(world, path: str, body, headers: dict, method: str = "POST"):
    payload = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    send = getattr(world.client.http, method.lower())
    return send(path, headers={"Content-Type": "application/json", **headers}, body=payload)


def roles_of(route):
    from chalicelib.api.http import ROUTE_ACCESS

    method, path = route
    return ROUTE_ACCESS[(path, method)]


POSTS = sorted(route for route in ROWS if route[0] in ("POST", "PUT"))  # the routes that read a body
GETS = sorted(route for route in ROWS if route[0] == "GET")


@pytest.mark.parametrize("route", POSTS, ids=lambda route: route[1])
def test_junk_in_every_field_and_as_the_whole_body(world, route):
    row, name = ROWS[route], caller_for(roles_of(route))
    call = row.build(world)
    headers = headers_of(world, name, call.headers)
    path = call.path.split("?")[0]
    for field in _fields(call.body or {}):
        for junk in JUNK_VALUES:
            body = json.dumps(_with(call.body, field, junk))
            deliberate(post_raw(world, path, body, _signed(call, headers, body), route[0]), (field, repr(junk)[:40]))
    for raw in RAW_BODIES:
        deliberate(post_raw(world, path, raw, _signed(call, headers, raw), route[0]), repr(raw)[:40])


def _fields(body: dict, within: tuple = ()):
    """Every field of a body, those of its nested objects too (the locker's DocDetails), as paths."""
    for name, value in body.items():
        yield (*within, name)
        if isinstance(value, dict):
            yield from _fields(value, (*within, name))


def _with(body: dict, path: tuple, junk) -> dict:
    if len(path) == 1:
        return {**body, path[0]: junk}
    return {**body, path[0]: _with(body[path[0]], path[1:], junk)}


def _signed(call, headers: dict, body) -> dict:
    """The locker's requests (every_route.Call.signed) signed again over the junk, so it reaches the parsing."""
    if not call.signed:
        return headers
    from tests.helpers import locker_hmac

    raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    return {**headers, **locker_hmac(raw)}


@pytest.mark.parametrize("route", sorted(ROWS), ids=lambda route: f"{route[0]} {route[1]}")
def test_junk_in_every_query_and_path_parameter(world, route):
    row, name = ROWS[route], caller_for(roles_of(route))
    call = row.build(world)
    headers = headers_of(world, name, call.headers)
    split = urlsplit(call.path)
    query = dict(parse_qsl(split.query))
    segments = split.path.split("/")
    # The values the route's own path template holds as parameters.
    template = route[1].split("/")
    variable = [i for i, part in enumerate(template) if part.startswith("{")]
    for junk in JUNK_TEXTS:
        raw = junk if "%" in junk else quote(junk, safe="")
        for parameter in query:
            target = split.path + "?" + "&".join(f"{k}={raw if k == parameter else quote(v, safe='')}"
                                                  for k, v in query.items())
            deliberate(_send(world, route[0], target, headers), (parameter, junk))
        for index in variable:
            target = "/".join(raw if i == index else part for i, part in enumerate(segments))
            answer = _send(world, route[0], target + (f"?{urlencode(query)}" if query else ""), headers)
            if answer.status_code in (403, 404, 405) and b"errorCode" not in answer.body:
                continue  # the junk made the path another (unknown) route: API Gateway's own answer
            deliberate(answer, (template[index], junk))
    if query:  # every parameter missing, and each twice
        deliberate(_send(world, route[0], split.path, headers), "no parameters")
        doubled = split.path + "?" + urlencode(list(query.items()) * 2)
        deliberate(_send(world, route[0], doubled, headers), "each parameter twice")


def _send(world, method: str, target: str, headers: dict):
    if method in ("GET", "DELETE"):
        return getattr(world.client.http, method.lower())(target, headers=headers)
    return post_raw(world, target, b"{}", headers, method)


def test_the_books_still_balance(world):
    """After all of it, nothing the junk reached was half-written."""
    from chalicelib.config import get_settings

    Ledger(boto3.client("dynamodb", region_name=get_settings().region)).assert_books_balance(world.session_here)
