"""`Idempotency-Key`: a phone that retries a booking request gets the first answer, not a second booking.

Powertools' idempotency utility on a DynamoDB table (store.idempotency) keyed by a hash of (mobile, operation, key): the
first request runs and its answer is stored for a day; a retry with the same key and the same body
gets that answer again without running; the same key with another body is refused (422); a retry
while the first is still running is told so (409). Costs 2 DynamoDB calls (the conditional put of
the in-progress record, then the answer) on a first request and 1 on a replay.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError
from chalicelib.store.idempotency import persistence

ANSWER_KEPT_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 128


def once(operation: str, mobile: str, key: str | None, body: Any, work: Callable[[], dict],
         lambda_context: Any = None) -> dict:
    """Run `work` (which returns a JSON-able answer) at most once per (mobile, operation, key).
    With the Lambda context, a first request that dies with its Lambda does not block retries for long."""
    if not key:
        return work()
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(errors.INVALID_INPUT, f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters")

    config = IdempotencyConfig(event_key_jmespath="[mobile, operation, key]", payload_validation_jmespath="body",
                               expires_after_seconds=ANSWER_KEPT_SECONDS, lambda_context=lambda_context)

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence(), config=config)
    def remembered(request: dict) -> dict:
        return work()

    try:
        return remembered(request={"mobile": mobile, "operation": operation, "key": key, "body": body})
    except IdempotencyValidationError:
        raise ApiError(errors.IDEMPOTENCY_KEY_REUSED) from None
    except IdempotencyAlreadyInProgressError:
        raise ApiError(errors.IDEMPOTENCY_IN_PROGRESS) from None
