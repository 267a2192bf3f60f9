"""Certificates over real HTTP against `make run`'s server: the public `cowin-async` client downloads
the PDF, its QR verifies offline with only the JWKS, and racing issuers make exactly one certificate."""
import json
import os
import subprocess
import sys
import time

import requests

from chalicelib import verifier
from tests.api.test_certificates_api import qr_from_pdf
from tests.conftest import ROOT
from tests.e2e.helpers import login
from tests.e2e.test_dose_capture import register, todays_covishield_session
from tests.helpers import aadhaar


def vaccinate(url: str, vaccinator: dict, citizen: dict, seed: int) -> str:
    ref = register(url, citizen, seed)
    recorded = requests.post(f"{url}/v2/vaccination/doses", headers=vaccinator, timeout=10, json={
        "beneficiary_reference_id": ref, "session_id": todays_covishield_session(url, vaccinator),
        "vaccine": "COVISHIELD", "batch": "4121Z025", "dose": 1, "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]})
    assert recorded.status_code == 201, recorded.text
    return ref


def wait_for_certificate(url: str, citizen: dict, ref: str) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = requests.get(f"{url}/v2/registration/certificate/credential", headers=citizen, timeout=10,
                              params={"beneficiary_reference_id": ref})
        if answer.status_code == 200:
            return answer.json()
        assert answer.json()["errorCode"] == "CERTIF0001", answer.text
        time.sleep(0.3)
    raise AssertionError("no certificate within 30 s of the dose")


def test_cowin_async_downloads_the_certificate_and_its_qr_verifies_offline(server_url, vaccinator, monkeypatch,
                                                                             tmp_path):
    from cowin.api import Cowin

    url, mobile = server_url, "9123400201"
    citizen = login(url, mobile)
    ref = vaccinate(url, vaccinator, citizen, 7201)
    wait_for_certificate(url, citizen, ref)

    monkeypatch.setattr(Cowin, "base_url", property(lambda self: f"{url}/v2"))
    pdf = Cowin().get_certificate(citizen["Authorization"].removeprefix("Bearer "), ref)
    assert pdf.startswith(b"%PDF")
    qr = qr_from_pdf(pdf)
    jwks = requests.get(f"{url}/.well-known/jwks.json", timeout=10).json()
    verdict = verifier.verify(qr, jwks)
    assert verdict.status == "valid" and verdict.claims["vc"]["credentialSubject"]["refId"] == ref

    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    (tmp_path / "revoked.json").write_text(requests.get(f"{url}/v2/certificate/revoked", timeout=10).text)
    offline = subprocess.run([sys.executable, "-m", "chalicelib.verifier", "--jwks", str(tmp_path / "jwks.json"),
                              "--revoked", str(tmp_path / "revoked.json"), qr], capture_output=True, text=True,
                             cwd=ROOT)
    assert offline.returncode == 0 and json.loads(offline.stdout)["status"] == "valid", offline.stdout


def test_racing_issuers_make_exactly_one_new_certificate(server_url, embedded_aws_url, vaccinator):
    url, mobile = server_url, "9123400202"
    citizen = login(url, mobile)
    ref = vaccinate(url, vaccinator, citizen, 7202)
    first = wait_for_certificate(url, citizen, ref)

    env = {**os.environ, "AWS_ENDPOINT_URL": embedded_aws_url, "TEEKA_STAGE": "local",
           "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    race = subprocess.run([sys.executable, "-m", "tests.e2e.issue_race", mobile, ref, "8"], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    assert race.returncode == 0, race.stderr
    outcomes = json.loads(race.stdout.strip().splitlines()[-1])
    assert outcomes.count("issued") == 1 and set(outcomes) <= {"issued", "current", "lost"}, outcomes

    deadline = time.monotonic() + 30
    while (second := wait_for_certificate(url, citizen, ref))["certificate_id"] == first["certificate_id"]:
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert second["credential"]["credentialSubject"]["name"] == "Ravi K. Kumar"
    old = requests.post(f"{url}/v2/certificate/verify", json={"qr": first["qr"]}, timeout=10).json()
    assert old["status"] == "revoked" and old["superseded_by"] == second["certificate_id"]
    assert requests.post(f"{url}/v2/certificate/verify", json={"qr": second["qr"]}, timeout=10).json()[
        "status"] == "valid"
    revoked = [e["certificate_id"] for e in requests.get(f"{url}/v2/certificate/revoked", timeout=10).json()["revoked"]]
    assert first["certificate_id"] in revoked and second["certificate_id"] not in revoked
    def certificate_texts() -> list[str]:
        return [m["message"] for m in requests.get(f"{url}/_local/outbox", params={"mobile": mobile},
                                                   timeout=10).json() if "certificate for dose 1" in m["message"]]

    deadline = time.monotonic() + 30
    while len(certificate_texts()) < 2 and time.monotonic() < deadline:  # SMS go through their own queue
        time.sleep(0.3)
    time.sleep(2)  # and nothing more arrives
    assert len(certificate_texts()) == 2, certificate_texts()  # the first certificate and its one reissue
