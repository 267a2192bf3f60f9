"""What every table shares: a name prefixed by country and stage, region, endpoint and on-demand billing."""
from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

import botocore.loaders
import botocore.session
import pynamodb.connection.base
from pynamodb.attributes import MapAttribute
from pynamodb.models import Model

from chalicelib.config import get_settings

R = TypeVar("R")
M = TypeVar("M", bound=Model)
_SERVICE_MODELS = botocore.loaders.create_loader()


def _session_sharing_service_models() -> botocore.session.Session:
    """PynamoDB gives every table its own botocore session, and each session parses DynamoDB's service
    model anew: 0.1-0.4 s per table on every cold start. Sessions sharing one loader parse it once."""
    session = botocore.session.get_session()
    session.register_component("data_loader", _SERVICE_MODELS)
    return session


pynamodb.connection.base.get_session = _session_sharing_service_models  # the one session factory it calls


def table_meta(name: str) -> Any:
    """A PynamoDB `Meta` for the table `teeka-<country>-<stage>-<name>`."""
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
        logical_name = name  # `teeka-<country>-<stage>-` left off: the table's name in templates and docs

    return Meta


class TeekaModel(Model):
    """Base class so the table registry can find every table model."""

    class Meta:
        abstract = True
        table_name = ""  # every table's Meta comes from `table_meta`
        logical_name = ""


def record_of(item: Model, kind: type[R], **values: Any) -> R:
    """The item as its domain record (`values` given where a field needs more than a copy): maps come
    back as dicts, lists as tuples, so nothing above the store holds a PynamoDB object."""
    return kind(**{name: values[name] if name in values else _plain(getattr(item, name))
                   for name in (f.name for f in fields(kind))})  # type: ignore[arg-type]


def item_of(record: Any, model: type[M], **values: Any) -> M:
    """The record as its model's item, ready to be written."""
    return model(**{f.name: values.get(f.name, getattr(record, f.name)) for f in fields(record)})


def _plain(value: Any) -> Any:
    if isinstance(value, MapAttribute):
        return value.as_dict()
    if isinstance(value, list):
        return tuple(_plain(element) for element in value)
    return value
