"""Which of the API's routes the edge and API Gateway treat apart: the public reads (cached at the edge,
keyed on what they read, throttled at their origin) and the OTP routes (limited per address and as a
whole). Read from docs/openapi.yaml, which tests/api/test_openapi_document.py holds equal to the app's
routes, so rendering a template never imports the app."""
from __future__ import annotations

from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
# The paths whose answers are the same for everyone who asks the same question.
PUBLIC_READ_PATHS = (
    "/v2/appointment/sessions/public/*",
    "/v2/appointment/centers/public/*",
    "/v2/admin/location/*",
    "/.well-known/*",  # the certificate signing keys, the SMART Health Card revocation lists
    "/v2/certificate/revoked",
    "/v2/certificate/dcc/*",  # the EU DCC trust list and revocation list
    "/v1/reports/*",  # the public dashboard's reports and open data
    "/v2/web/*",  # the web pages' texts
)


@cache
def _paths() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(OPENAPI.read_text())["paths"]


def is_public_read(path: str) -> bool:
    return any(fnmatch(path, pattern) for pattern in PUBLIC_READ_PATHS)


def read_parameters() -> dict[str, list[str]]:
    """Each public read route (its template) -> the query parameters it reads."""
    routes = {}
    for path, item in _paths().items():
        if "get" in item and is_public_read(path):
            parameters = item["get"].get("parameters", []) + item.get("parameters", [])
            routes[path] = sorted(parameter["name"] for parameter in parameters if parameter.get("in") == "query")
    return routes


def public_read_paths() -> list[str]:
    return sorted(read_parameters())


def otp_paths() -> list[tuple[str, str]]:
    return sorted((path, method.upper()) for path, item in _paths().items() if "otp" in path.lower()
                  for method in item if method in ("get", "post", "put", "patch", "delete"))
