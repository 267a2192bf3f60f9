"""The stage's AWS resources besides the Lambda functions and API that `chalice package` emits.

Everything is derived from the code's own definitions (table models, queues), so the tables the app
uses locally on moto and the ones CloudFormation creates are the same by construction.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CHALICE_CONFIG = Path(__file__).resolve().parent.parent / ".chalice" / "config.json"


def resources() -> dict[str, Any]:
    from chalicelib.adapters import documents, queues
    from chalicelib.config import get_settings
    from chalicelib.store import tables
    from infra import cdn, signing_keys

    api_stage = json.loads(CHALICE_CONFIG.read_text())["api_gateway_stage"]
    found = {**tables.cloudformation_resources(), **queues.cloudformation_resources(),
             **signing_keys.cloudformation_resources(), **documents.cloudformation_resources(),
             **cdn.cloudformation_resources(get_settings().resource_prefix, api_stage)}
    keep_the_records(found, get_settings().stage)
    return found


# What must outlive its stack: the people's records, their certificates and the keys that signed them.
RECORDS = ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::KMS::Key")


def keep_the_records(found: dict[str, Any], stage: str) -> None:
    """Deleting or replacing the stack never deletes a record; a first create that fails and rolls
    back leaves nothing behind to block the next try (RetainExceptOnCreate)."""
    for name, resource in found.items():
        if resource["Type"] in RECORDS and name != "PagesBucket":  # the pages are published again
            resource.update(DeletionPolicy="RetainExceptOnCreate", UpdateReplacePolicy="Retain")
        if resource["Type"] == "AWS::DynamoDB::Table" and stage == "prod":
            resource["Properties"]["DeletionProtectionEnabled"] = True


def parameters() -> dict[str, Any]:
    from infra import cdn

    return cdn.parameters()


def conditions() -> dict[str, Any]:
    from infra import cdn

    return cdn.conditions()


def outputs() -> dict[str, Any]:
    from infra import cdn

    return cdn.outputs()
