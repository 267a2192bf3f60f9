"""The API function's cold start stays lean: importing app.py in the prod stage, tracing on as in Lambda,
loads none of the heavy libraries and none of the use cases; each is imported by what uses it, on first
use. The time itself is measured by `make bench` against `import boto3` (issue 19: at most 1.5x);
this test catches a module-level import that would undo it, without timing anything."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Each is imported on first use: by the first traced invocation (the X-Ray SDK), by the first request
# that needs it (the store, PynamoDB and boto, tokens, signing, PDF, QR, CBOR, romanisation), or by an
# event consumer's own function (Powertools' batch utilities).
NOT_AT_IMPORT = (
    "aws_xray_sdk", "boto3", "pynamodb", "jwt", "cryptography", "cbor2", "base45", "anyascii", "fpdf", "fontTools",
    "uharfbuzz", "zint", "PIL", "aws_lambda_powertools.utilities.batch", "aws_lambda_powertools.utilities.idempotency",
    "chalicelib.services", "chalicelib.store", "chalicelib.events", "chalicelib.adapters.signing",
)


def _modules_after(code: str, **env: str) -> set[str]:
    environment = {key: value for key, value in os.environ.items() if key != "POWERTOOLS_TRACE_DISABLED"}
    environment.update({"TEEKA_STAGE": "prod", "LAMBDA_TASK_ROOT": str(PROJECT_DIR), **env})
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, env=environment, capture_output=True,
                         text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if any(m == name or m.startswith(name + ".") for m in modules))


def test_importing_the_app_in_the_prod_stage_loads_no_heavy_module():
    modules = _modules_after("import app")

    assert "chalicelib.api.booking" in modules  # the routes are all registered
    assert _loaded(modules, NOT_AT_IMPORT) == []


def test_the_tracer_is_made_on_the_first_traced_invocation():
    code = """
import app
from chalicelib import observability
assert "aws_xray_sdk" not in sys.modules
traced = observability.capture_lambda_handler(lambda event, context: {"answer": 42})
assert traced({}, None) == {"answer": 42}
assert observability.tracer() is not None and not observability.tracer().disabled
# The deployed stack's service names every metric's dimension and every log line (the alarms use it).
assert observability.metrics.service == observability.logger.service == "teeka-ug-prod"
"""
    # A trace header as Lambda sets it; the subsegments go to an X-Ray daemon that is not there (UDP).
    modules = _modules_after(code, _X_AMZN_TRACE_ID="Root=1-5759e988-bd862e3fe1be46a994272793;"
                                                    "Parent=53995c3f42cd8ad8;Sampled=1",
                             POWERTOOLS_SERVICE_NAME="teeka-ug-prod")

    assert "aws_xray_sdk.core" in modules
    assert _loaded(modules, ("aws_xray_sdk.ext.requests", "aws_xray_sdk.ext.httpx")) == []  # botocore alone


def test_where_tracing_is_off_the_x_ray_sdk_is_never_imported():
    code = """
import app
from chalicelib import observability
handler = lambda event, context: "answer"
assert observability.capture_lambda_handler(handler) is handler
"""
    modules = _modules_after(code, POWERTOOLS_TRACE_DISABLED="true")

    assert _loaded(modules, ("aws_xray_sdk",)) == []
