"""CoWIN's public OpenAPI spec (a copy, beside this file), as JSON schemas to validate our answers.

Where real CoWIN responses differ from the spec, real responses win (shared/reference/cowin-api.md):
`pincode` is an integer in session results, so the spec's `string` is widened to accept it.
"""
from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import yaml
from openapi_schema_validator import OAS30Validator

SPEC = Path(__file__).with_name("cowin-public-api-v2.openapi.yaml")


@lru_cache(maxsize=1)
def _components() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))["components"]["schemas"]


def _inline(node):
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(copy.deepcopy(_components()[node["$ref"].rsplit("/", 1)[1]]))
        return {key: _inline(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item) for item in node]
    return node


def _widen_pincode(node):
    if isinstance(node, dict):
        if "pincode" in node.get("properties", {}):
            node["properties"]["pincode"] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        for value in node.values():
            _widen_pincode(value)
    elif isinstance(node, list):
        for item in node:
            _widen_pincode(item)
    return node


def schema(name: str) -> dict:
    return _widen_pincode(_inline(copy.deepcopy(_components()[name])))


def validate(instance: dict, name: str) -> None:
    OAS30Validator(schema(name)).validate(instance)
