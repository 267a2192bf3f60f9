"""The document locker over real HTTP on `make run`'s server (docs/document-locker.md): a citizen links
their locker account, a dose is given, the certificate reaches the simulated locker by itself (issuance ->
locker queue -> Push URI), the locker pulls it with its signed request, and a corrected dose replaces the
locker's copy."""
import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime

import pytest
import requests

from tests.e2e.helpers import login
from tests.e2e.test_certificates import vaccinate, wait_for_certificate

pytestmark = pytest.mark.e2e


def signed_pull(url: str, path: str, details: dict, partner: dict) -> requests.Response:
    """What the locker sends: DigiLocker's envelope in JSON, the HMAC of the exact bytes in the header."""
    raw = json.dumps({"ver": "1.0", "ts": datetime.now(UTC).isoformat(timespec="seconds"), "txn": str(uuid.uuid4()),
                      "orgId": partner["orgId"], "format": "both", "DocDetails": details}).encode()
    signature = base64.b64encode(hmac.new(partner["key"].encode(), raw, hashlib.sha256).digest()).decode()
    return requests.post(f"{url}{path}", data=raw, headers={partner["header"]: signature}, timeout=10)


def held(url: str, account: str) -> list[str]:
    answer = requests.get(f"{url}/_local/locker", params={"locker_id": account}, timeout=10)
    assert answer.status_code == 200, answer.text
    return [document["uri"] for document in answer.json()["documents"]]


def wait_until_held(url: str, account: str, uris: list[str]) -> None:
    deadline = time.monotonic() + 30
    while held(url, account) != uris:
        assert time.monotonic() < deadline, (held(url, account), uris)
        time.sleep(0.3)


def test_a_linked_locker_gets_the_certificate_and_a_corrected_one_replaces_it(server_url, vaccinator):
    url, account = server_url, str(uuid.uuid4())
    citizen = login(url, "9123400701")
    partner = requests.get(f"{url}/_local/locker/partner", timeout=10).json()
    ref = vaccinate(url, vaccinator, citizen, 7701)
    linked = requests.post(f"{url}/v2/locker/link", headers=citizen, timeout=10,
                           json={"beneficiary_reference_id": ref, "locker_id": account})
    assert linked.status_code == 200, linked.text
    first = wait_for_certificate(url, citizen, ref)["certificate_id"]
    document = f"in.gov.teeka-VACER-{first}"
    wait_until_held(url, account, [document])  # pushed by the locker queue's worker, nobody asking

    pulled = signed_pull(url, "/v2/locker/issuer/pullDoc", {"URI": document, "DigiLockerId": account}, partner)
    assert pulled.status_code == 200, pulled.text
    assert base64.b64decode(pulled.json()["DocDetails"]["DocContent"]).startswith(b"%PDF")
    stranger = signed_pull(url, "/v2/locker/issuer/pullDoc", {"URI": document, "DigiLockerId": str(uuid.uuid4())},
                           partner)
    assert stranger.status_code == 403 and stranger.json()["errorCode"] == "LOCKER0002"
    forged = signed_pull(url, "/v2/locker/issuer/pullDoc", {"URI": document, "DigiLockerId": account},
                         {**partner, "key": "guessed"})
    assert forged.status_code == 403 and forged.json()["errorCode"] == "LOCKER0001"

    fixed = requests.post(f"{url}/v2/vaccination/doses/correction", headers=vaccinator, timeout=10, json={
        "beneficiary_reference_id": ref, "dose": 1, "batch": "4121Z099", "reason": "wrong batch typed"})
    assert fixed.status_code == 201, fixed.text
    deadline = time.monotonic() + 30
    while (second := wait_for_certificate(url, citizen, ref)["certificate_id"]) == first:
        assert time.monotonic() < deadline, "no reissue within 30 s of the correction"
        time.sleep(0.3)
    replacement = f"in.gov.teeka-VACER-{second}"
    wait_until_held(url, account, [replacement])  # the new URI, and not the old one
    replaced = signed_pull(url, "/v2/locker/issuer/pullDoc", {"URI": document, "DigiLockerId": account}, partner)
    assert replaced.status_code == 410 and replaced.json()["replacedBy"] == replacement, replaced.text
