"""Powertools Logger, Metrics and Tracer, created once and shared by every function.

Configured by the standard POWERTOOLS_* environment variables (see .chalice/config.json).
Nothing personal is logged in clear: callers log `mask_mobile(...)`, never OTPs or tokens.

The Tracer is made on the first traced invocation, not at import: making one imports the X-Ray SDK and
botocore and patches botocore (the only library making outbound calls), which would put a few hundred
ms into every function's import; where
tracing is off (locally, in tests) nothing needs it at all, and outside Lambda the SDK's recorder would
even build two botocore clients for its sampler (~300 ms). Lambda's active tracing records each
invocation without the SDK; the Tracer adds the handler's subsegment (annotated ColdStart and Service)
and the subsegment of each AWS call, from the first invocation on, as before.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

# A deployed function's service is its stack's `teeka-<country>-<stage>` (infra/functions.py): the
# dimension of every metric, which the alarms and the dashboard name, and a field of every log line.
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "teeka")
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Teeka"), service=SERVICE)


@functools.cache
def tracer() -> Tracer | None:
    """The Tracer, made on first use; None where Powertools would disable tracing (the same test:
    POWERTOOLS_TRACE_DISABLED, or not in Lambda, or under `chalice local` or SAM local)."""
    if Tracer._is_tracer_disabled():
        return None
    # Only botocore (PynamoDB's and boto3's calls) is patched: the package makes no other outbound calls.
    return Tracer(service=SERVICE, patch_modules=["botocore"])


def capture_lambda_handler(handler: Callable[..., Any]) -> Callable[..., Any]:
    """`Tracer.capture_lambda_handler`, for ConvertToMiddleware (which wraps each invocation anew)."""
    traced = tracer()
    return handler if traced is None else traced.capture_lambda_handler(handler)
