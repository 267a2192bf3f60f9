"""What every table shares: stage-prefixed name, region, endpoint and on-demand billing."""
from __future__ import annotations

from pynamodb.models import Model

from chalicelib.config import get_settings


def table_meta(name: str) -> type:
    """A PynamoDB `Meta` for the table `teeka-<stage>-<name>`."""
    settings = get_settings()

    class Meta:
        table_name = settings.table_name(name)
        region = settings.region
        host = settings.aws_endpoint_url or None
        billing_mode = "PAY_PER_REQUEST"
        # Lambda containers are reused: keep connections warm, fail fast rather than pile up. The
        # embedded AWS of the local stage serialises every call, so a burst there waits its turn.
        connect_timeout_seconds = 2
        read_timeout_seconds = 60 if settings.is_local else 5
        max_retry_attempts = 3

    Meta.logical_name = name
    return Meta


class TeekaModel(Model):
    """Base class so the table registry can find every table model."""

    class Meta:
        abstract = True
