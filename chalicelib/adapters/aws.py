"""boto3 clients, created once per container and pointed at the configured endpoint."""
from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.config import get_settings


@cache
def client(service: str) -> Any:
    import boto3  # provided by the Lambda runtime; imported on first use to keep cold start small
    from botocore.config import Config

    settings = get_settings()
    return boto3.client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url or None,
        # Regional endpoints, not account-based ones (which the embedded AWS does not serve for streams).
        config=Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3},
                      account_id_endpoint_mode="disabled"),
    )
