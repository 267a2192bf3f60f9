"""One real local server for the end-to-end tests: `python -m local.run`, as `make run` starts it."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
import requests

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


@contextmanager
def local_server(log_path, **settings: str):
    """`python -m local.run` on free ports with extra environment `settings`; yields (API url, AWS url).
    A port found free can be taken by another worker's server before this one binds it: then this one
    exits ("Cannot serve"), and it starts again on other ports."""
    for _ in range(3):
        process, url, aws_url, log = _start(log_path, settings)
        if process is not None:
            break
    else:
        log.seek(0)
        raise RuntimeError(f"local server exited:\n{log.read()}")
    try:
        yield url, aws_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _start(log_path, settings: dict[str, str]):
    """The server's process, API url, AWS url and log; the process is None if it could not bind its ports."""
    port, moto_port = free_port(), free_port()
    log = log_path.open("w+")
    env = {key: value for key, value in os.environ.items() if key != "AWS_ENDPOINT_URL"}
    env.update(settings, PORT=str(port), MOTO_PORT=str(moto_port))
    process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        log.seek(0)
        said = log.read()
        if process.poll() is not None:
            if "Cannot serve" in said or "Address already in use" in said or port == moto_port:
                log.close()
                return None, url, "", log_path.open("r")
            raise RuntimeError(f"local server exited:\n{said}")
        if f"Teeka is running at {url}" in said:  # this server bound its port, not another that holds it
            try:
                if requests.get(f"{url}/v2/admin/location/states", timeout=5).status_code == 200:
                    return process, url, f"http://127.0.0.1:{moto_port}", log
            except (requests.ConnectionError, requests.Timeout):
                pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("local server did not start within 60 s")
        time.sleep(0.2)


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
