"""Test environment: the local stage on an in-process moto (`mock_aws`), fresh for every test.

The environment is set before anything imports `chalicelib`, because settings are read once.
"""
from __future__ import annotations

import gc
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.pop("AWS_ENDPOINT_URL", None)  # in-process moto intercepts botocore; no endpoint override
# The country's profile as `make run` has it (India's pack, with whatever the environment overrides): the
# end-to-end tests' local servers run with it (tests/e2e/conftest.py). Kept aside in the environment,
# because pytest-xdist's workers inherit the environment this module leaves in the controller.
MAKE_RUN_PROFILE = os.environ.setdefault("TEEKA_TESTS_MAKE_RUN_PROFILE", os.environ.get("TEEKA_COUNTRY_PROFILE", ""))
# Most tests record doses with whatever batch numbers they like, at centres without stock: they run with
# stock tracking off (docs/stock.md), and the stock's own tests turn it on (tests/api/test_stock_api.py).
os.environ["TEEKA_COUNTRY_PROFILE"] = json.dumps({**json.loads(MAKE_RUN_PROFILE or "{}"), "stock_tracking": False})
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

# What a test starts from, built once per process (the tables, per day of the campaign's calendar,
# which the demo sessions follow) and copied into each test's fresh moto: moto's backends for each
# service as the first build left them. Copying is ~100x cheaper than building.
_built: dict[str, tuple[dict[str, object], object]] = {}
SERVICES = ("sqs", "ssm", "kms", "s3", "sns")  # what `embedded_aws.provision_services` makes


def _backends(service: str):
    """(the account's backends of `service`, the region key its state lives under)."""
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    region = "aws" if service == "s3" else os.environ["AWS_REGION"]  # S3 keeps its state per partition
    return get_backend(service)[DEFAULT_ACCOUNT_ID], region


def _copyable_moto() -> None:
    """Teach deepcopy the few moto parts it cannot copy by itself: locks (a copy gets its own) and
    SSM's parameter dict (whose constructor takes arguments)."""
    import copyreg
    import threading

    from moto.ssm.models import ParameterDict

    def parameters(account_id, region_name, items, state):
        rebuilt = ParameterDict(account_id, region_name)
        rebuilt.update(items)
        rebuilt.__dict__.update(state)
        return rebuilt

    copyreg.pickle(threading.Condition, lambda _: (threading.Condition, ()))
    copyreg.pickle(type(threading.Lock()), lambda _: (threading.Lock, ()))
    copyreg.pickle(type(threading.RLock()), lambda _: (threading.RLock, ()))
    copyreg.pickle(ParameterDict, lambda d: (parameters, (d.account_id, d.region_name, dict(d), vars(d))))


def _as_built(name: str, services: tuple[str, ...], build, daily: bool = False) -> object:
    """Make this test's moto hold, for `services`, what `build` leaves (a copy of the first build of
    this process, or of this day with `daily`); returns what `build` returned."""
    import copy

    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date

    key = f"{name} {local_date(get_settings().country, int(time.time()))}" if daily else name
    if key not in _built:
        _copyable_moto()  # once: copyreg's table is global
        built = build()
        _built[key] = ({service: copy.deepcopy(_backends(service)[0][_backends(service)[1]]) for service in services},
                       built)
        gc.freeze()  # the snapshot lives as long as the process: keep it out of every collection
    for service, snapshot in _built[key][0].items():
        backends, region = _backends(service)
        backends[region] = _tables_of(key, snapshot) if service == "dynamodb" else copy.deepcopy(snapshot)
    return _built[key][1]


# DynamoDB copies are kept from test to test, and only the tables a test wrote are copied again: a
# whole copy of the seeded tables costs more than most tests.
_live_tables: dict[str, object] = {}
_written: dict[int, set[str]] = {}  # id(backend) -> the tables written in it since its last repair


def _tables_of(key: str, snapshot):
    """The live DynamoDB of snapshot `key`, with every table written since its last use copied afresh."""
    import copy

    live = _live_tables.get(key)
    if live is None:
        live = _live_tables[key] = copy.deepcopy(snapshot)
    for table in _written.pop(id(live), set()):
        if table in snapshot.tables:
            live.tables[table] = copy.deepcopy(snapshot.tables[table])
        else:
            live.tables.pop(table, None)
    return live


def _record_writes() -> None:
    """Wrap every moto DynamoDB call that changes a table, to note which table it changed (once)."""
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend.put_item, "records_writes", False):
        return
    def recording(original):
        def recorded(backend, *args, **kwargs):
            table = args[0] if args else kwargs.get("name", kwargs.get("table_name"))
            _written.setdefault(id(backend), set()).add(table)
            return original(backend, *args, **kwargs)

        recorded.records_writes = True
        return recorded

    for method in ("put_item", "update_item", "delete_item", "create_table", "delete_table", "update_table",
                   "update_time_to_live"):
        setattr(DynamoDBBackend, method, recording(getattr(DynamoDBBackend, method)))


def _leave_tables() -> None:
    """Take the live tables out of moto before it resets every backend in place at the test's end."""
    backends, region = _backends("dynamodb")
    backends.pop(region, None)


@contextmanager
def fresh_aws():
    """A fresh embedded AWS with every table, queue, secret, key and bucket, as `make run` provisions it."""
    from chalicelib.adapters import secrets, signing
    from chalicelib.config import get_settings
    from chalicelib.services import surge
    from chalicelib.store import tables
    from local import carrier as local_carrier
    from local import dispatcher, dynamodb_semantics, embedded_aws

    _record_writes()
    # Cached boto3/PynamoDB clients stay valid: moto intercepts any client while a mock is active.
    with mock_aws():
        dynamodb_semantics.install()
        local_carrier.install()
        _as_built("provisioned", ("dynamodb",), tables.create_all, daily=True)
        # Queues, secrets, key and bucket are named by country and stage: one snapshot per country.
        _as_built(f"services {get_settings().resource_prefix}", SERVICES, embedded_aws.provision_services)
        secrets.clear_cache()
        signing.clear_cache()  # a test may have rotated the key its copy does not hold
        local_carrier.clear()
        # The reports' counters read the history from the oldest record, as deployed: the demo's 384
        # sessions, seconds of moto's time in every test that lets its streams run. Only the reports'
        # tests count (tests/api/test_reports_api.py begins them itself).
        dispatcher.forget(from_now=("count_doses", "count_sessions"))
        yield
        _leave_tables()
        secrets.clear_cache()
        surge.forget_switch()


@pytest.fixture
def aws():
    with fresh_aws():
        yield


def pytest_collection_modifyitems(items):
    """The end-to-end tests first, the README's walkthrough (the longest) leading: each runs for
    seconds against a local server, and the quick tests then fill in around them, so both workers
    finish together. The tests on the shared local server (`server`) go to one worker together, so
    one server is started and seeded for them, not one per worker."""
    items.sort(key=lambda item: ("/e2e/" not in item.nodeid and not item.nodeid.startswith("e2e/"),
                                 "test_readme" not in item.nodeid))
    for item in items:
        if "server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("shared-local-server"))


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

    return _as_built("seeded", ("dynamodb",), build, daily=True)


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
