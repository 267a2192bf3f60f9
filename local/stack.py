"""The whole local stack in a process of its own: `python -m local.run`, as `make run` starts it, on free
ports. The end-to-end tests and the load test (load/run.py) run against it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_stack(log_path: Path, **settings: str) -> Iterator[tuple[str, str]]:
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


def _start(log_path: Path, settings: dict[str, str]):
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
