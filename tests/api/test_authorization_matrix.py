"""Who may call what, on whose things, where: every route of the app, tried by every kind of caller
(tests/api/every_route.py).

What each caller gets follows from the route's roles (read from the app: no token is 401, a token
without the role is 403 USRAUT0020) and from the route's row: who else, beyond the role, is allowed
(the owner, the staff here), and what everybody else with the role gets. A route without a row
fails the test. Each row builds its request against fresh things of its own; the callers who must be
refused go first, then the first allowed caller uses the same things, so a refusal that changed
anything shows.
"""
from __future__ import annotations

import json

import pytest

from tests.api.every_route import CALLERS, KEY_HOLDERS, ROWS, Call, Row, World, every_route_world
from tests.helpers import post


@pytest.fixture(scope="module")
def world():
    with every_route_world() as built:
        yield built


def routes() -> list[tuple[str, str]]:
    from app import app

    return sorted((method, path) for path, methods in app.routes.items() for method in methods)


def test_every_route_has_a_row():
    assert set(routes()) == set(ROWS), "a route needs a row in the authorization matrix (or a row lost its route)"


def expected(name: str, roles, row: Row) -> tuple[int, str | None]:
    """What this caller gets: from the route's roles first, then from its row. A status checker's route takes
    an API key, which no caller with a token sends: a token is no key (CoWIN's 401)."""
    from chalicelib.domain.roles import Role

    mobile, role = CALLERS[name]
    if roles == frozenset():
        return 401, None
    if roles is None:
        return row.ok, None
    if mobile is None:
        return 401, None
    if not {Role.CITIZEN, *([Role(role)] if role else [])} & roles:
        return 403, "USRAUT0020"
    if row.allowed is None or name in row.allowed:
        return row.ok, None
    return row.refused


@pytest.mark.parametrize("route", sorted(ROWS), ids=lambda route: f"{route[0]} {route[1]}")
def test_who_may_call_it(world, route):
    from chalicelib.api.http import ROUTE_ACCESS

    method, path = route
    row = ROWS[route]
    outcomes = {name: expected(name, ROUTE_ACCESS[(path, method)], row) for name in CALLERS}
    refused = [name for name, outcome in outcomes.items() if outcome != (row.ok, None)]
    allowed = [name for name in CALLERS if name not in refused]
    shared = row.build(world)
    for order, name in enumerate(refused + allowed):
        call = shared if order <= len(refused) else row.build(world)
        answer = _send(world, call, name)
        status, code = outcomes[name]
        assert answer.status_code == status, (name, answer.status_code, answer.body[:300])
        assert answer.headers.get("X-Request-Id"), (name, "answered without its request id")
        if code is not None:
            assert code in answer.body.decode(), (name, answer.body[:300])
        if name in refused and call.secret:
            assert call.secret not in answer.body.decode(), (name, "sees what is not theirs")


API_KEY_ROWS = sorted(route for route in ROWS if route[1].startswith("/v2/kycvs/") and route[0] == "POST")


def test_the_api_key_rows_are_the_api_key_routes():
    from chalicelib.api.http import API_KEY_ROUTES

    assert {(method, path) for path, method in API_KEY_ROUTES} == set(API_KEY_ROWS)


def expected_with_key(name: str, row: Row) -> tuple[int, str | None]:
    """What a key holder gets: a revoked checker's or a forged key, CoWIN's 401; the others, as the row says."""
    if name in ("revoked verifier", "forged key"):
        return 401, None
    return (row.ok, None) if row.allowed is None or name in row.allowed else row.refused


@pytest.mark.parametrize("route", API_KEY_ROWS, ids=lambda route: f"{route[0]} {route[1]}")
def test_who_may_call_it_with_an_api_key(world, route):
    """Each key holder, the refused first on the row's things, then the first allowed on the same things (a
    refusal that spent or revealed anything shows)."""
    row = ROWS[route]
    outcomes = {name: expected_with_key(name, row) for name in KEY_HOLDERS}
    refused = [name for name, outcome in outcomes.items() if outcome != (row.ok, None)]
    allowed = [name for name in KEY_HOLDERS if name not in refused]
    assert refused and allowed
    shared = row.build(world)
    for order, name in enumerate(refused + allowed):
        call = shared if order <= len(refused) else row.build(world)
        answer = post(world.client, call.path, call.body, {**call.headers, **world.keys[name]})
        status, code = outcomes[name]
        assert answer.status_code == status, (name, answer.status_code, answer.body[:300])
        if status == 401:
            assert answer.body == b"Unauthenticated access!", name
        if code is not None:
            assert code in answer.body.decode(), (name, answer.body[:300])
        if name in refused and call.secret:
            assert call.secret not in answer.body.decode(), (name, "sees what is not theirs")


def _send(world: World, call: Call, name: str):
    mobile = CALLERS[name][0]
    headers = {**{header: value for header, value in call.headers.items() if header != "X-Api-Key"},
               **call.headers_of.get(name, {}), **(world.tokens[name] if mobile else {})}
    body = call.body
    if body and "records" in body:  # an offline record names the vaccinator who captured it: the caller
        body = {"records": [{**record, "vaccinator": mobile or "9000000006"} for record in body["records"]]}
    if call.method == "GET":
        return world.client.http.get(call.path, headers=headers)
    if call.method == "DELETE":
        return world.client.http.delete(call.path, headers=headers)
    if call.method == "PUT":
        return world.client.http.put(call.path, headers={"Content-Type": "application/json", **headers},
                                     body=json.dumps(body or {}))
    return post(world.client, call.path, body if body is not None else {}, headers)
