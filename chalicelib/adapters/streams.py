"""DynamoDB streams as event sources.

Chalice wants a stream ARN when app.py is imported, before the table exists. It gets a stable
placeholder naming the table; `infra/render.py` swaps it for the table's real `StreamArn` in the
template, and the local dispatcher resolves it to the embedded table's latest stream.
"""
from __future__ import annotations

from chalicelib.config import get_settings

PLACEHOLDER_ACCOUNT = "000000000000"


def stream_arn(table: str) -> str:
    """The stream of a table named as in its model's `table_meta` ("doses"): by name, so that importing
    app.py does not import the table models (the whole store) into every function's cold start."""
    settings = get_settings()
    return (f"arn:aws:dynamodb:{settings.region}:{PLACEHOLDER_ACCOUNT}:table/{settings.table_name(table)}"
            "/stream/latest")


def table_of(arn: str) -> str:
    """The table name in a stream ARN."""
    return arn.split(":", 5)[5].split("/")[1]
