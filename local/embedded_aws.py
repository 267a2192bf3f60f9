"""The embedded AWS: moto in server mode on loopback, in this process, with every resource created.

Import this module before anything from `chalicelib`: settings are read once, and they must see the
moto endpoint.
"""
from __future__ import annotations

import logging
import os

LOCAL_ENV = {
    "TEEKA_STAGE": "local",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "ap-south-1",
    "AWS_REGION": "ap-south-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def start(port: int = 0):
    """Start moto on 127.0.0.1 (`port=0` picks a free one) and point every AWS client at it."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call drowns the app's logs
    for name, value in LOCAL_ENV.items():
        os.environ.setdefault(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound_port = server.get_host_and_port()
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{bound_port}"
    return server


def provision() -> None:
    """Create every table, queue, topic, key and bucket the app uses, and the stage's secrets."""
    from chalicelib.adapters import local_carrier, secrets
    from chalicelib.store import tables

    local_carrier.install()
    tables.create_all()
    secrets.put_secrets()
