"""The document locker (in India, DigiLocker): where Teeka pushes a certificate's URI when it is issued.

`DocumentLocker` is the interface the services use; `SimulatedLocker` is what every stage runs until a
real locker integration (DigiLocker's Push URI API, with the issuer's API key) is configured.

What the simulator simulates, exactly (docs/document-locker.md):
- Push URI: each account holds the documents pushed to it, keyed by URI, as DigiLocker's "Issued
  documents" are; action `A` adds (or replaces) a document, `D` takes one out. Pushing to an account
  id it has never seen creates the account: every well-formed id is an account.
- It keeps what DigiLocker's Push URI carries: URI, doc type, doc id, description, issue date. Never the
  PDF: a locker fetches it through Teeka's Pull Doc API when its user opens the document.
- Its state is in the stage's certificate bucket, under `locker-simulator/<account>/`: S3 is strongly
  consistent, so a push made by the certificates worker is read at once by the API (`make run` serves
  both from one process, AWS from separate Lambdas), and it never touches a table of Teeka's own.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Protocol

from chalicelib.adapters import documents
from chalicelib.adapters.aws import client

PREFIX = "locker-simulator"


@dataclass(frozen=True)
class LockerDocument:
    """Push URI's details of a document."""

    uri: str
    doc_type: str
    doc_id: str
    description: str
    issued_on: str  # DD-MM-YYYY, as DigiLocker writes dates


class DocumentLocker(Protocol):
    def push(self, locker_id: str, document: LockerDocument, action: str) -> None:
        """Push URI: add (`A`) the document to the account, or take it out (`D`). Idempotent: adding what
        is there, or taking out what is not, changes nothing. Raises if the locker did not take it."""


class SimulatedLocker:
    def _key(self, locker_id: str, uri: str) -> str:
        return f"{PREFIX}/{locker_id}/{uri}.json"

    def push(self, locker_id: str, document: LockerDocument, action: str) -> None:
        s3 = client("s3")
        key = self._key(locker_id, document.uri)
        if action == "D":
            s3.delete_object(Bucket=documents.bucket(), Key=key)
        elif action == "A":
            s3.put_object(Bucket=documents.bucket(), Key=key, Body=json.dumps(asdict(document)).encode(),
                          ContentType="application/json", ServerSideEncryption="aws:kms")
        else:
            raise ValueError(f"Push URI action must be A or D, not {action!r}")

    def documents(self, locker_id: str) -> list[dict]:
        """What the account holds, by URI (the simulator's own window, for the local stage and tests). A
        document taken out between the listing and its reading (a push replacing it) is not held."""
        s3 = client("s3")
        listed = s3.list_objects_v2(Bucket=documents.bucket(), Prefix=f"{PREFIX}/{locker_id}/").get("Contents", [])
        held = []
        for item in listed:
            try:
                held.append(json.loads(s3.get_object(Bucket=documents.bucket(), Key=item["Key"])["Body"].read()))
            except s3.exceptions.NoSuchKey:
                continue
        return sorted(held, key=lambda document: document["uri"])


_simulator = SimulatedLocker()


def get_locker() -> DocumentLocker:
    """The stage's locker: the simulator, until a real integration is configured."""
    return _simulator


def simulator() -> SimulatedLocker:
    """The simulator itself, to read an account's documents (the local stage's route, tests)."""
    return _simulator
