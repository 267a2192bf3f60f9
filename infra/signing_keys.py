"""The certificate signing keys of each deployed stage, as CloudFormation resources.

A deployed stage's keys are its template's: `infra/signing_keys.json` lists each stage's key
generations, oldest first, and the template declares one KMS key per generation, each with its
published alias (`.../certificates/<generation>`: the JWKS and the trust lists publish every one, so
certificates signed before a rotation still verify), and points the signing alias at the newest.
`python -m infra.rotate_key` adds a generation; the next deploy creates the key and moves the alias,
CloudFormation doing both, so no later deploy undoes a rotation.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

GENERATIONS_FILE = Path(__file__).with_name("signing_keys.json")
FIRST = "initial"


def generations(prefix: str | None = None) -> list[str]:
    """The stage's key generations, oldest first (a stage never rotated has only the first)."""
    if prefix is None:
        from chalicelib.config import get_settings

        prefix = get_settings().resource_prefix
    listed = json.loads(GENERATIONS_FILE.read_text()) if GENERATIONS_FILE.exists() else {}
    return listed.get(prefix, [FIRST])


def add_generation(prefix: str, generation: str) -> list[str]:
    if not re.fullmatch(r"[0-9A-Za-z]+", generation):
        raise ValueError(f"a key generation is letters and digits, not {generation!r}")
    listed = json.loads(GENERATIONS_FILE.read_text()) if GENERATIONS_FILE.exists() else {}
    current = listed.get(prefix, [FIRST])
    if generation in current:
        raise ValueError(f"{prefix} already has a key generation {generation}")
    listed[prefix] = [*current, generation]
    GENERATIONS_FILE.write_text(json.dumps(listed, indent=2, sort_keys=True) + "\n")
    return listed[prefix]


def key_id(generation: str) -> str:
    """The key's logical id; the first keeps the name it was deployed with."""
    return "CertificateSigningKey" if generation == FIRST else f"CertificateSigningKey{generation}"


def key_ids() -> list[str]:
    return [key_id(generation) for generation in generations()]


def cloudformation_resources() -> dict[str, Any]:
    from chalicelib.adapters import signing

    resources: dict[str, Any] = {}
    listed = generations()
    for generation in listed:
        resources[key_id(generation)] = signing.key_resource()
        resources[f"{key_id(generation)}Published"] = {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": f"{signing.signing_alias()}/{generation}",
                           "TargetKeyId": {"Ref": key_id(generation)}},
        }
    resources["CertificateSigningAlias"] = {
        "Type": "AWS::KMS::Alias",
        "Properties": {"AliasName": signing.signing_alias(), "TargetKeyId": {"Ref": key_id(listed[-1])}},
    }
    return resources
