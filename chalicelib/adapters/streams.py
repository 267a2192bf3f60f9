"""DynamoDB streams as event sources.

Chalice wants a stream ARN when app.py is imported, before the table exists. It gets a stable
placeholder naming the table; `infra/render.py` swaps it for the table's real `StreamArn` in the
template, and the local dispatcher resolves it to the embedded table's latest stream.
"""
from __future__ import annotations

from pynamodb.models import Model

from chalicelib.config import get_settings

PLACEHOLDER_ACCOUNT = "000000000000"


def stream_arn(model: type[Model]) -> str:
    return (f"arn:aws:dynamodb:{get_settings().region}:{PLACEHOLDER_ACCOUNT}:table/{model.Meta.table_name}"
            "/stream/latest")


def table_of(arn: str) -> str:
    """The table name in a stream ARN."""
    return arn.split(":", 5)[5].split("/")[1]
