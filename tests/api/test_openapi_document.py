"""docs/openapi.yaml is a valid OpenAPI document and lists exactly the app's routes."""
import yaml
from openapi_spec_validator import validate

from app import app
from tests.conftest import ROOT

DOCUMENT = ROOT / "docs" / "openapi.yaml"


def load():
    return yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))


def test_document_is_valid_openapi():
    validate(load())


def test_document_and_routes_agree():
    documented = {(path, method.upper()) for path, item in load()["paths"].items() for method in item}
    routed = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert documented == routed


def test_public_routes_are_documented_as_public():
    from chalicelib.api.http import ROUTE_ACCESS

    for path, item in load()["paths"].items():
        for method, operation in item.items():
            is_public = ROUTE_ACCESS[(path, method.upper())] is None
            assert (operation.get("security") == []) == is_public, (path, method)
