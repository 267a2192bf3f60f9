"""Counts DynamoDB calls, by operation, made through PynamoDB: for tests and benchmarks."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.connection.base import Connection

_local = threading.local()
_original_call = Connection._make_api_call


def _counted_call(self, operation_name, operation_kwargs):
    stack = getattr(_local, "stack", None)
    if stack:
        stack[-1][operation_name] += 1
    return _original_call(self, operation_name, operation_kwargs)


@contextmanager
def count_dynamodb_calls() -> Iterator[Counter]:
    """Counts this thread's DynamoDB operations within the block: `{"GetItem": 1, ...}`.

    Blocks nest; a call is counted by the innermost block only.
    """
    setattr(Connection, "_make_api_call", _counted_call)  # noqa: B010 - a deliberate patch of PynamoDB
    if not hasattr(_local, "stack"):
        _local.stack = []
    counts: Counter = Counter()
    _local.stack.append(counts)
    try:
        yield counts
    finally:
        _local.stack.pop()
