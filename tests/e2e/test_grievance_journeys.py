"""Grievances end to end over real HTTP on the local server (docs/grievances.md), with its queues and
workers: a dose recorded for the wrong member moves to the one who received it (her certificate issued,
the other's revoked and in the public revocation list), and passport details added by an officer
reissue the certificate. (Dose dates: the README's walkthrough; merges, whose doses fall on different
days, the API tests.)"""
from __future__ import annotations

import itertools
import time

import pytest
import requests

from tests.e2e.helpers import login, wait_until_revoked
from tests.e2e.test_dose_capture import todays_covishield_session
from tests.helpers import person

pytestmark = pytest.mark.e2e
MUMBAI_ADMIN, MUMBAI = "9000000003", 395
SEEDS = itertools.count(96_000)  # Aadhaar seeds no other test of the local server registers


def credential(url: str, citizen: dict, ref: str, seconds: float = 30) -> dict:
    """The person's latest certificate's credential, once issued (issuance runs on a queue)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = requests.get(f"{url}/v2/registration/certificate/credential", headers=citizen, timeout=10,
                              params={"beneficiary_reference_id": ref})
        if answer.status_code == 200:
            return answer.json()
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.3)


def resolve(url: str, ticket_id: str) -> dict:
    officer = login(url, MUMBAI_ADMIN)
    path = f"{url}/v2/admin/grievances/{ticket_id}"
    assert requests.post(f"{path}/review", json={}, headers=officer, timeout=10).status_code == 200
    answer = requests.post(f"{path}/resolve", json={"reason": "Checked"}, headers=officer, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_dose_recorded_for_the_wrong_member_moves_to_her_and_the_certificates_follow(server_url, vaccinator):
    mobile = f"9{next(SEEDS) + 123_000_000}"
    citizen = login(server_url, mobile)
    mother = person(next(SEEDS), name="Sunita Patil", birth_year=1984)
    walked = requests.post(f"{server_url}/v2/vaccination/walkin", headers=vaccinator, timeout=30, json={
        **mother, "mobile": mobile, "session_id": todays_covishield_session(server_url, vaccinator),
        "vaccine": "COVISHIELD", "batch": "4121Z025", "dose": 1})
    assert walked.status_code == 201, walked.text
    mothers = walked.json()["beneficiary_reference_id"]
    daughter = requests.post(f"{server_url}/v2/registration/beneficiary/new", headers=citizen, timeout=10,
                             json=person(next(SEEDS), name="Pooja Patil", birth_year=2004)).json()[
        "beneficiary_reference_id"]
    wrong_certificate = credential(server_url, citizen, mothers)["certificate_id"]

    opened = requests.post(f"{server_url}/v2/grievances", headers=citizen, timeout=10, json={
        "type": "wrong_person", "beneficiary_reference_id": mothers, "dose": 1, "recipient_reference_id": daughter,
        "description": "My daughter took this dose; the vaccinator picked my name"})
    assert opened.status_code == 201, opened.text
    assert opened.json()["district_id"] == MUMBAI  # where the dose was given
    assert resolve(server_url, opened.json()["ticket_id"])["status"] == "resolved"

    assert wait_until_revoked(server_url, wrong_certificate)["reason"] == "withdrawn"
    assert credential(server_url, citizen, daughter)["credential"]["credentialSubject"]["name"] == "Pooja Patil"
    members = {m["beneficiary_reference_id"]: m for m in requests.get(
        f"{server_url}/v2/appointment/beneficiaries", headers=citizen, timeout=10).json()["beneficiaries"]}
    assert members[mothers]["vaccination_status"] == "Not Vaccinated"
    assert members[daughter]["vaccination_status"] == "Partially Vaccinated"


def test_passport_details_added_through_a_grievance_reissue_the_certificate(server_url, vaccinator):
    mobile = f"9{next(SEEDS) + 124_000_000}"
    citizen = login(server_url, mobile)
    walked = requests.post(f"{server_url}/v2/vaccination/walkin", headers=vaccinator, timeout=30, json={
        **person(next(SEEDS), name="Imran Khan", birth_year=1985), "mobile": mobile,
        "session_id": todays_covishield_session(server_url, vaccinator), "vaccine": "COVISHIELD",
        "batch": "4121Z025", "dose": 1})
    assert walked.status_code == 201, walked.text
    ref = walked.json()["beneficiary_reference_id"]
    before = credential(server_url, citizen, ref)["certificate_id"]
    opened = requests.post(f"{server_url}/v2/grievances", headers=citizen, timeout=10, json={
        "type": "passport", "beneficiary_reference_id": ref, "passport_number": f"P{next(SEEDS):07d}",
        "birth_date": "1985-07-01"})
    assert opened.status_code == 201, opened.text
    resolve(server_url, opened.json()["ticket_id"])
    assert wait_until_revoked(server_url, before)["reason"] == "superseded"
    dcc = requests.get(f"{server_url}/v2/registration/certificate/international/dcc", headers=citizen, timeout=10,
                       params={"beneficiary_reference_id": ref})
    assert dcc.status_code == 200 and dcc.json()["qr"].startswith("HC1:"), dcc.text
