"""Test environment: the local stage on an in-process moto (`mock_aws`), fresh for every test.

The environment is set before anything imports `chalicelib`, because settings are read once.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.pop("AWS_ENDPOINT_URL", None)  # in-process moto intercepts botocore; no endpoint override
os.environ.update({
    "TEEKA_STAGE": "local",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "ap-south-1",
    "AWS_REGION": "ap-south-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
})

import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402


# The tables as provisioned, and as seeded with the demo data: built once per process (per day of the
# campaign's calendar, which the demo sessions follow) and copied into each test's fresh moto.
_tables: dict[str, tuple[object, object]] = {}


def _dynamodb():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_REGION"]]


def _tables_as(name: str, build) -> object:
    """Make the test's DynamoDB hold the tables `build` leaves (a copy of the first build of this
    process and day); returns what `build` returned."""
    import copy

    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date

    key = f"{name} {local_date(get_settings().country, int(time.time()))}"
    if key not in _tables:
        built = build()
        _tables[key] = (copy.deepcopy(_dynamodb()), built)
    else:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_REGION"]] = copy.deepcopy(_tables[key][0])
    return _tables[key][1]


@pytest.fixture
def aws():
    """A fresh embedded AWS with every table and the stage's secrets, as `make run` provisions it."""
    from chalicelib.adapters import secrets
    from local import carrier as local_carrier
    from chalicelib.services import surge
    from chalicelib.store import tables
    from local import dispatcher, dynamodb_semantics, embedded_aws

    # Cached boto3/PynamoDB clients stay valid: moto intercepts any client while a mock is active.
    with mock_aws():
        dynamodb_semantics.install()
        _tables_as("provisioned", tables.create_all)
        embedded_aws.provision_services()
        local_carrier.clear()
        dispatcher.forget()
        yield
        secrets.clear_cache()
        surge.forget_switch()


@pytest.fixture
def api(aws):
    """The Chalice app through `chalice.test.Client`, stage `local`."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="local", project_dir=str(ROOT)) as client:
        yield client


@pytest.fixture
def seeded(aws):
    """The demo data of `make run`; returns today's date in the country, as CoWIN writes it."""
    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date
    from local import seed

    def build() -> str:
        now = int(time.time())
        seed.seed(now=now)
        return local_date(get_settings().country, now).strftime("%d-%m-%Y")

    return _tables_as("seeded", build)


@pytest.fixture
def as_(api, seeded):
    """`as_(mobile)`: the Authorization header of that mobile (citizen or demo staff), logged in once per test."""
    from tests.helpers import bearer, login

    tokens = {}

    def headers(mobile: str) -> dict:
        if mobile not in tokens:
            tokens[mobile] = bearer(login(api, mobile))
        return tokens[mobile]
    return headers
