"""Fuzzing from the OpenAPI document: schemathesis generates requests for every operation of
docs/openapi.yaml (valid ones and, as its default generation does, invalid ones too) and sends each
to a local server of its own three times: anonymous, as a citizen, and as staff whose role the
operation takes. No answer may be a server error, and every answer must match the document's
schema for its status. Bounded by FUZZ_EXAMPLES per operation, so that it fits CI."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import ROOT
from tests.e2e.helpers import login

pytestmark = pytest.mark.e2e
FUZZ_EXAMPLES = int(os.environ.get("TEEKA_FUZZ_EXAMPLES", "12"))
CITIZEN = "9123460001"
# Staff for each role an operation may need: the national admin holds every admin route.
STAFF = {"vaccinator": "9000000006", "verifier": "9000000007", "national_admin": "9000000001",
         "operator": "9000000020"}

schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.yaml")
sent = {"requests": 0}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    """A server of its own: the fuzzer cancels sessions, switches surge mode, deletes people."""
    from tests.e2e.conftest import local_server

    with local_server(tmp_path_factory.mktemp("fuzz") / "server.log") as (url, _):
        yield url, {"citizen": login(url, CITIZEN), **{role: login(url, mobile) for role, mobile in STAFF.items()}}


def staff_for(method: str, path: str, identities: dict) -> dict:
    from chalicelib.api.http import ROUTE_ACCESS

    roles = ROUTE_ACCESS.get((path, method.upper())) or frozenset()
    if any(r.value == "operator" for r in roles):
        return identities["operator"]
    for role in ("vaccinator", "verifier"):
        if roles and all(r.value in (role, "citizen") or r.value.endswith("admin") for r in roles) \
                and not any(r.value.endswith("admin") for r in roles) and any(r.value == role for r in roles):
            return identities[role]
    return identities["national_admin"]


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_as_documented(case, fuzz_server):
    url, identities = fuzz_server
    staff = staff_for(case.method, case.path, identities)
    for auth in ({}, identities["citizen"], staff):
        case.call_and_validate(base_url=url, headers=auth, timeout=30,
                               checks=[not_a_server_error, response_schema_conformance])
        sent["requests"] += 1
