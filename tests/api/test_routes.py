"""Every route goes through the one mechanism, and local-only routes exist only locally."""
import json
import os
import subprocess
import sys

import pytest

from app import app
from chalicelib.api.http import ROUTE_ACCESS
from tests.conftest import ROOT

PUBLIC_ROUTES = {
    ("/v2/admin/location/states", "GET"),
    ("/v2/admin/location/districts/{state_id}", "GET"),
    ("/v2/auth/public/generateOTP", "POST"),
    ("/v2/auth/public/confirmOTP", "POST"),
    ("/v2/auth/generateOTP", "POST"),
    ("/v2/auth/confirmOTP", "POST"),
    ("/v2/auth/generateMobileOTP", "POST"),
    ("/v2/auth/validateMobileOtp", "POST"),
    ("/_local/outbox", "GET"),
    ("/_local/locker", "GET"),
    ("/_local/locker/partner", "GET"),
    ("/v2/locker/issuer/pullUri", "POST"),  # the document locker's: signed with its key, not a token
    ("/v2/locker/issuer/pullDoc", "POST"),
    ("/v2/appointment/sessions/public/findByPin", "GET"),
    ("/v2/appointment/sessions/public/findByDistrict", "GET"),
    ("/v2/appointment/sessions/public/calendarByPin", "GET"),
    ("/v2/appointment/sessions/public/calendarByDistrict", "GET"),
    ("/v2/appointment/sessions/public/calendarByCenter", "GET"),
    ("/v2/appointment/centers/public/findByLatLong", "GET"),
    ("/.well-known/jwks.json", "GET"),
    ("/v2/certificate/verify", "POST"),
    ("/v2/certificate/revoked", "GET"),
    ("/.well-known/crl/{file_name}", "GET"),
    ("/v2/certificate/dcc/trust-list", "GET"),
    ("/v2/certificate/dcc/revoked", "GET"),
    ("/v1/reports/v2/getPublicReports", "GET"),
    ("/v1/reports/v2/openData.csv", "GET"),
    ("/v2/web/texts", "GET"),
}


def app_routes():
    return {(path, method) for path, methods in app.routes.items() for method in methods}


def test_every_route_is_registered_through_endpoint():
    assert app_routes() <= set(ROUTE_ACCESS)


def test_only_the_intended_routes_are_public():
    public = {route for route in app_routes() if ROUTE_ACCESS[route] is None}
    assert public == PUBLIC_ROUTES


def test_only_the_status_checkers_routes_take_an_api_key():
    from chalicelib.api.http import API_KEY_ROUTES

    assert API_KEY_ROUTES == {("/v2/kycvs/request", "POST"), ("/v2/kycvs/answer", "POST")}
    assert all(ROUTE_ACCESS[route] == frozenset() for route in API_KEY_ROUTES)  # no token is enough


def routes_in_stage(stage: str) -> set[str]:
    code = "import json, app; print(json.dumps(sorted(app.app.routes)))"
    env = {**os.environ, "TEEKA_STAGE": stage}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_local_outbox_does_not_exist_in_deployed_stages(stage):
    routes = routes_in_stage(stage)
    assert not {route for route in routes if route.startswith("/_local/")}  # the outbox, the simulated locker
    assert "/v2/auth/public/generateOTP" in routes


def test_local_outbox_exists_locally():
    assert {"/_local/outbox", "/_local/locker", "/_local/locker/partner"} <= routes_in_stage("local")


def test_unknown_route_is_not_a_500(api):
    response = api.http.get("/v2/no/such/route")
    assert response.status_code in (403, 404)
