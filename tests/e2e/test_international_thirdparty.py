"""The international certificates of `make run`'s server, checked by code nobody on this project wrote:
the SMART Health Card by PathCheck's shc-sdk and panva's jose with the SMART rules (tests/thirdparty,
fetching the keys and the revocation list from the server as any verifier would), the EU DCC by PathCheck's
dcc-sdk with the EU schema, value sets and UVCI check character, and again by PyPI's pycose. Both QR codes
are read back from the international PDF's pixels. A correction revokes the old card in each standard's
list, and the tools then refuse it."""
import base64
import hashlib
import json
import subprocess
import time
import zlib
from pathlib import Path

import pytest
import requests

from tests.e2e.helpers import login
from tests.e2e.test_certificates import vaccinate, wait_for_certificate
from tests.unit.test_thirdparty_harness import node_tools  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "thirdparty"
DCC_FIXTURES = ROOT / "tests" / "fixtures" / "dcc"
MOBILE, SEED, PASSPORT = "9123400411", 7411, "K7411007"
INTERNATIONAL = "/v2/registration/certificate/international"

pytestmark = pytest.mark.usefixtures("node_tools")  # fails, never skips, without the verifiers


def node(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", script, *args], cwd=HARNESS, capture_output=True, text=True, timeout=120)


def international(url: str, citizen: dict, ref: str, what: str) -> requests.Response:
    deadline = time.monotonic() + 30
    while True:  # the passport's reissue goes through the certificates queue
        answer = requests.get(f"{url}{INTERNATIONAL}/{what}", params={"beneficiary_reference_id": ref},
                              headers=citizen, timeout=10)
        if answer.status_code == 200 or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


def shc_qr(jws: str) -> str:
    return "shc:/" + "".join(f"{ord(char) - 45:02d}" for char in jws)


def check_shc(qr: str) -> subprocess.CompletedProcess[str]:
    # No --jwks: the tool fetches <iss>/.well-known/jwks.json and the key's CRL from the server itself
    # (plain http is allowed for a loopback issuer only, and reported).
    return node("verify-shc.mjs", "--qr", qr, "--allow-http")


def check_dcc(qr: str, dsc: str) -> subprocess.CompletedProcess[str]:
    return node("verify-dcc.mjs", "--qr", qr, "--dsc", dsc, "--strict", "--uvci-checksum",
                "--schema", str(DCC_FIXTURES / "DCC.combined-schema.json"),
                "--valuesets", str(DCC_FIXTURES / "valuesets"))


def verified_by_pycose(hc1: str, dsc: str) -> dict:
    import base45
    import cbor2
    from cryptography import x509
    from pycose.keys import EC2Key
    from pycose.messages import Sign1Message

    tagged = cbor2.loads(zlib.decompress(base45.b45decode(hc1.removeprefix("HC1:"))))
    assert tagged.tag == 18
    protected, unprotected, payload, signature = tagged.value
    message = Sign1Message.from_cose_obj([protected, dict(unprotected), payload, signature], True)
    numbers = x509.load_der_x509_certificate(base64.b64decode(dsc)).public_key().public_numbers()
    message.key = EC2Key(crv="P_256", x=numbers.x.to_bytes(32, "big"), y=numbers.y.to_bytes(32, "big"))
    assert message.verify_signature()
    return cbor2.loads(message.payload)[-260][1]


def test_independent_verifiers_accept_the_servers_shc_and_eu_dcc_and_refuse_them_once_revoked(server_url,
                                                                                               vaccinator):
    url = server_url
    citizen = login(url, MOBILE)
    ref = vaccinate(url, vaccinator, citizen, SEED)
    wait_for_certificate(url, citizen, ref)
    added = requests.post(f"{url}/v2/registration/beneficiary/passport", headers=citizen, timeout=10, json={
        "beneficiary_reference_id": ref, "passport_number": PASSPORT, "birth_date": "1990-04-12"})
    assert added.status_code == 200, added.text

    [card] = international(url, citizen, ref, "shc").json()["verifiableCredential"]
    shc = check_shc(shc_qr(card))
    assert shc.returncode == 0, shc.stderr
    checked = json.loads(shc.stdout)
    bundle = checked["payload"]["vc"]["credentialSubject"]["fhirBundle"] if "payload" in checked else \
        checked["vc"]["credentialSubject"]["fhirBundle"]
    assert bundle["entry"][0]["resource"]["birthDate"] == "1990-04-12"

    dcc = international(url, citizen, ref, "dcc").json()
    [signer] = requests.get(f"{url}/v2/certificate/dcc/trust-list", timeout=10).json()
    eu = check_dcc(dcc["qr"], signer["rawData"])
    assert eu.returncode == 0, eu.stderr
    assert verified_by_pycose(dcc["qr"], signer["rawData"])["v"][0]["ci"] == dcc["uvci"]

    from tests.api.test_international_api import qrs_from_pdf

    pdf = requests.get(f"{url}{INTERNATIONAL}/download", params={"beneficiary_reference_id": ref}, headers={
        **citizen, "Accept": "application/pdf"}, timeout=10)
    assert pdf.headers["Content-Type"] == "application/pdf" and qrs_from_pdf(pdf.content) == {shc_qr(card), dcc["qr"]}

    fixed = requests.post(f"{url}/v2/vaccination/doses/correction", headers=vaccinator, timeout=10, json={
        "beneficiary_reference_id": ref, "dose": 1, "batch": "4121Z099", "reason": "wrong batch typed"})
    assert fixed.status_code == 201, fixed.text
    deadline = time.monotonic() + 30
    while international(url, citizen, ref, "dcc").json()["uvci"] == dcc["uvci"]:
        assert time.monotonic() < deadline, "no reissue within 30 s of the correction"
        time.sleep(0.3)

    refused = check_shc(shc_qr(card))
    assert refused.returncode == 1 and "revoked: rid" in refused.stderr, refused.stderr
    [new_card] = international(url, citizen, ref, "shc").json()["verifiableCredential"]
    assert check_shc(shc_qr(new_card)).returncode == 0
    listed = {entry["hash"] for batch in requests.get(f"{url}/v2/certificate/dcc/revoked", timeout=10).json()
              for entry in batch["entries"]}
    assert base64.b64encode(hashlib.sha256(dcc["uvci"].encode()).digest()[:16]).decode() in listed
