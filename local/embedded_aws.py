"""The embedded AWS: moto, in this process, with every resource created.

This process (the app, the dispatcher) calls moto in-process: its AWS clients' requests are answered
by moto's backends directly, without an HTTP round trip each. The same backends are also served over
HTTP on loopback, for everything outside the process (a test acting on a queue, a script). Import this
module before anything from `chalicelib`: settings are read once.
"""
from __future__ import annotations

import logging
import os
import threading

from local import dynamodb_semantics

LOCAL_ENV = {
    "TEEKA_STAGE": "local",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "ap-south-1",
    "AWS_REGION": "ap-south-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


class EmbeddedAws:
    """moto for this process's clients (in-process) and, on a loopback port, for everyone else."""

    def __init__(self, port: int):
        from moto import mock_aws
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        self.mock = mock_aws()
        self.mock.start()
        app = DomainDispatcherApplication(create_backend_app)
        self.server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="embedded-aws", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.mock.stop()
        self.server.shutdown()
        self.thread.join()


def start(port: int = 0) -> EmbeddedAws:
    """Start moto: in-process for this process's AWS clients, and on 127.0.0.1 (`port=0` picks a free
    one) for everyone else."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call drowns the app's logs
    for name, value in LOCAL_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.pop("AWS_ENDPOINT_URL", None)  # this process's clients go to the in-process moto
    aws = EmbeddedAws(port)
    dynamodb_semantics.install()
    return aws


def provision() -> None:
    """Create every table, queue, topic, key and bucket the app uses, and the stage's secrets."""
    from chalicelib.store import tables

    dynamodb_semantics.install()
    tables.create_all()
    provision_services()


def provision_services() -> None:
    """Everything `provision` makes but the tables: queues, secrets, the signing key, the bucket (and
    moto taught DynamoDB's semantics and the local SMS carrier)."""
    from chalicelib.adapters import documents, queues, secrets, signing
    from local import carrier as local_carrier

    dynamodb_semantics.install()
    local_carrier.install()
    queues.create_all()
    secrets.put_secrets()
    signing.rotate()  # the stage's first certificate signing key
    documents.create_bucket()
