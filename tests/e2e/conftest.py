"""One real local server for the end-to-end tests: `python -m local.run`, as `make run` starts it."""
from __future__ import annotations

import json
import os

import pytest

from local.stack import local_stack
from tests.conftest import MAKE_RUN_PROFILE, ROOT


def local_server(log_path, **settings: str):
    """`local.stack.local_stack` with the profile `make run` has (stock tracked, as in India's pack), not
    the one the in-process tests run with (tests/conftest.py); `settings` may override it."""
    return local_stack(log_path, **{"TEEKA_COUNTRY_PROFILE": MAKE_RUN_PROFILE, **settings})


@pytest.fixture(scope="session")
def embedded_aws_url(server):
    """The local server's embedded AWS (moto), for tests that act on a queue directly."""
    return server[1]


@pytest.fixture(scope="session")
def server_url(server):
    return server[0]


@pytest.fixture(scope="session")
def vaccinator(server_url):
    """The demo vaccinator's Authorization header: a mobile logs in once per server (the OTP resend throttle)."""
    from tests.e2e.helpers import login

    return login(server_url, "9000000006")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    with local_server(tmp_path_factory.mktemp("server") / "server.log") as urls:
        yield urls


@pytest.fixture(scope="session")
def world(server):
    """Fresh sessions and people on the local server, for the races (see tests/e2e/world.py)."""
    from tests.e2e.world import World

    return World(*server, mobile_prefix="850000", first_seed=30_000, first_day=12)


@pytest.fixture(scope="session")
def captcha_server(tmp_path_factory):
    """A second local server, for a country that requires the booking captcha."""
    with local_server(tmp_path_factory.mktemp("captcha") / "server.log",
                      TEEKA_COUNTRY_PROFILE=json.dumps({"captcha_required": True})) as urls:
        yield urls




CHROMIUM = os.environ.get("TEEKA_CHROMIUM", "/usr/bin/chromium")  # Debian's package, installed by .ci/run
SCREENSHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium driven by Playwright's Python package (its own browsers are never downloaded)."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does it) or set TEEKA_CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser profile (no cache, no service worker) with a phone-sized window."""
    context = chromium.new_context(viewport={"width": 412, "height": 915}, device_scale_factor=1)
    yield context.new_page()
    context.close()


def screenshot(page, name: str) -> None:
    """Saved for a person to look at: build/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
