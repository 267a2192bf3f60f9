"""Dose capture over real HTTP against `make run`'s server: the whole journey, and offline batches
replayed concurrently by real threads."""
import re
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

from tests.e2e.helpers import login, race
from tests.helpers import aadhaar, person

VACCINATOR, VERIFIER, FACILITY_ADMIN = "9000000006", "9000000007", "9000000005"
SLOT = "09:00AM-11:00AM"


def todays_covishield_session(url: str, headers: dict) -> str:
    sessions = requests.get(f"{url}/v2/vaccination/sessions/today", headers=headers, timeout=10).json()["sessions"]
    return next(s["session_id"] for s in sessions if s["vaccine"] == "COVISHIELD")


def register(url: str, headers: dict, seed: int) -> str:
    response = requests.post(f"{url}/v2/registration/beneficiary/new", json=person(seed), headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["beneficiary_reference_id"]


def security_code(url: str, mobile: str, appointment_id: str) -> str:
    """From the booking SMS, as the citizen reads it (queued, so it may take a moment)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for sms in requests.get(f"{url}/_local/outbox", params={"mobile": mobile}, timeout=10).json():
            if appointment_id in sms["message"] and "Security code" in sms["message"]:
                return re.search(r"Security code: (\d{4})", sms["message"]).group(1)
        time.sleep(0.2)
    raise AssertionError("no booking SMS")


def test_otp_register_book_verify_vaccinate_partially_vaccinated(server_url, vaccinator):
    url, mobile = server_url, "9123400001"
    citizen = login(url, mobile)
    ref = register(url, citizen, 7001)
    session_id = todays_covishield_session(url, vaccinator)
    booked = requests.post(f"{url}/v2/appointment/schedule", headers=citizen, timeout=10, json={
        "dose": 1, "session_id": session_id, "slot": SLOT, "beneficiaries": [ref]})
    assert booked.status_code == 200, booked.text
    appointment_id = booked.json()["appointment_id"]
    verified = requests.post(f"{url}/v2/vaccination/verify", headers=login(url, VERIFIER), timeout=10, json={
        "appointment_id": appointment_id, "beneficiary_reference_id": ref, "session_id": session_id,
        "photo_id_type": 1, "id_last4": aadhaar(7001)[-4:],
        "security_code": security_code(url, mobile, appointment_id)})
    assert verified.status_code == 200, verified.text
    recorded = requests.post(f"{url}/v2/vaccination/doses", headers=vaccinator, timeout=10, json={
        "beneficiary_reference_id": ref, "session_id": session_id, "vaccine": "COVISHIELD", "batch": "4121Z025",
        "dose": 1})
    assert recorded.status_code == 201, recorded.text
    [beneficiary] = requests.get(f"{url}/v2/appointment/beneficiaries", headers=citizen, timeout=10).json()[
        "beneficiaries"]
    assert beneficiary["vaccination_status"] == "Partially Vaccinated" and beneficiary["vaccine"] == "COVISHIELD"


def test_one_offline_batch_replayed_three_times_at_once_records_each_dose_once(server_url, vaccinator):
    url = server_url
    refs = []
    for family in range(3):
        citizen = login(url, f"91234100{family:02d}")
        refs += [(register(url, citizen, 7100 + family * 4 + member), 7100 + family * 4 + member)
                 for member in range(4)]
    session_id = todays_covishield_session(url, vaccinator)
    now = datetime.now(ZoneInfo("Asia/Kolkata")).isoformat(timespec="seconds")
    records = [{"uuid": str(uuid.uuid4()), "device_id": "tablet-e2e", "captured_at": now, "vaccinator": VACCINATOR,
                "beneficiary_reference_id": ref, "session_id": session_id, "vaccine": "COVISHIELD",
                "batch": "4121Z025", "dose": 1, "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]}
               for ref, seed in refs]
    answers = race(url, "/v2/vaccination/offline/sync", [(vaccinator, {"records": records})] * 3)
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    for index in range(len(records)):
        statuses = sorted(a.json()["records"][index]["status"] for a in answers)
        assert statuses == ["accepted", "duplicate", "duplicate"], (index, statuses)
    for ref, _ in refs:
        doses = requests.get(f"{url}/v2/vaccination/doses", params={"beneficiary_reference_id": ref},
                             headers=vaccinator, timeout=10).json()["doses"]
        assert len(doses) == 1 and doses[0]["source"] == "offline"
    again = requests.post(f"{url}/v2/vaccination/offline/sync", json={"records": records}, headers=vaccinator,
                          timeout=30).json()
    assert again["duplicate"] == len(records) and again["accepted"] == 0
