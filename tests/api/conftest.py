"""Fixtures the API tests of several files share."""
import time
from types import SimpleNamespace

import pytest

from local import dispatcher
from tests.api.test_vaccination_api import BASE, CITIZEN, VACCINATOR, VERIFIER, book, door, dose, register, session_at
from tests.helpers import post, stock_tracked


def drain():
    from app import app

    dispatcher.drain(app)


@pytest.fixture
def vaccinated(api, seeded, as_):
    """A beneficiary given dose 1 of COVISHIELD at centre 100001 today, its certificate issued."""
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1, name="Asha Rao")
    session_id = session_at(seeded)
    appointment_id, code = book(api, citizen, session_id, [ref])
    assert post(api, f"{BASE}/verify", door(appointment_id, ref, session_id, code), as_(VERIFIER)).status_code == 200
    assert post(api, f"{BASE}/doses", dose(ref, session_id), as_(VACCINATOR)).status_code == 201
    drain()  # dose stream -> certificates queue -> issuance -> SMS queue
    return {"ref": ref, "citizen": citizen, "session_id": session_id}


@pytest.fixture
def tracked(monkeypatch):
    """Stock tracked, as in India's pack (docs/stock.md), for one test."""
    from chalicelib.config import get_settings

    stock_tracked(monkeypatch)
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def staff(api, seeded, as_, tracked):
    """Seven Hills' facility admin and vaccinator, and Mumbai's district admin, with stock tracked."""
    return {"admin": as_("9000000005"), "vaccinator": as_(VACCINATOR), "district": as_("9000000003")}


@pytest.fixture
def clock(monkeypatch):
    """The API's clock, which a test moves on (past a resend interval, an expiry, midnight)."""
    state = {"now": int(time.time())}
    monkeypatch.setattr("chalicelib.api.http.time", SimpleNamespace(time=lambda: state["now"]))

    class Clock:
        @property
        def now(self) -> int:
            return state["now"]

        def advance(self, seconds: int) -> None:
            state["now"] += seconds

    return Clock()
