"""The stage's AWS resources besides the Lambda functions and API that `chalice package` emits.

Everything is derived from the code's own definitions (table models), so the tables the app uses
locally on moto and the ones CloudFormation creates are the same by construction.
"""
from __future__ import annotations

from typing import Any


def resources() -> dict[str, Any]:
    from chalicelib.adapters import queues
    from chalicelib.store import tables

    return {**tables.cloudformation_resources(), **queues.cloudformation_resources()}


def template() -> dict[str, Any]:
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources()}
