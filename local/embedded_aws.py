"""The embedded AWS: moto in server mode on loopback, in this process, with every resource created.

Import this module before anything from `chalicelib`: settings are read once, and they must see the
moto endpoint.
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
    """moto's server on a loopback port, in a background thread of this process."""

    def __init__(self, port: int):
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        app = dynamodb_semantics.AtomicDynamoDB(DomainDispatcherApplication(create_backend_app))
        self.server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="embedded-aws", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join()


def start(port: int = 0) -> EmbeddedAws:
    """Start moto on 127.0.0.1 (`port=0` picks a free one) and point every AWS client at it."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call drowns the app's logs
    for name, value in LOCAL_ENV.items():
        os.environ.setdefault(name, value)
    aws = EmbeddedAws(port)
    os.environ["AWS_ENDPOINT_URL"] = aws.url
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
