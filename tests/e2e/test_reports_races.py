"""The public reports under a crowd, over real HTTP against the local server (its stream workers as in
AWS): walk-ins raced into one session, an offline batch sent three times at once, two officers (the
facility admin and the vaccinator) correcting one dose at once, and two sessions of one site cancelled
at once leave the counters exact."""
import secrets
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

from tests.e2e.helpers import login, race, receive_stock, together
from tests.e2e.test_dose_capture import todays_covishield_session
from tests.helpers import aadhaar, person

REPORTS = "/v1/reports/v2/getPublicReports"
MUMBAI = {"state_id": 21, "district_id": 395}
STATE_ADMIN, FACILITY_ADMIN = "9000000002", "9000000005"


def report(url: str, **area) -> dict:
    answer = requests.get(f"{url}{REPORTS}", params=area, timeout=10)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    body.pop("timestamp")
    return body


def settled(url: str, until=lambda report: True, quiet_seconds: float = 3.0, **area) -> dict:
    """The area's report once `until` holds of it and it has not changed for `quiet_seconds` (the stream
    workers have caught up, and count nothing more)."""
    deadline = time.monotonic() + 60
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = report(url, **area)
        if now != last or not until(now):
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_seconds:
            return now
        time.sleep(0.5)
    raise AssertionError(f"the reports never settled: {last}")


def consistent(report: dict) -> None:
    """Every block counts the same doses."""
    vaccination = report["topBlock"]["vaccination"]
    assert sum(hour["count"] for hour in report["vaccinationDoneByTime"]) == vaccination["today"]
    assert report["last7DaysVaccination"][-1]["count"] == vaccination["today"]
    assert vaccination["total_doses"] == vaccination["tot_dose_1"] + vaccination["tot_dose_2"] + vaccination["tot_pd"]


def walk_in(seed: int, mobile: str, session_id: str) -> dict:
    return {**person(seed), "mobile": mobile, "session_id": session_id, "vaccine": "COVISHIELD",
            "batch": "4121Z025", "dose": 1}


def test_raced_walk_ins_and_a_thrice_sent_offline_batch_count_each_dose_once(server_url, vaccinator):
    url = server_url
    session_id = todays_covishield_session(url, vaccinator)
    before = settled(url, **MUMBAI)
    mobiles = [f"97{secrets.randbelow(10**8):08d}" for _ in range(2)]
    answers = race(url, "/v2/vaccination/walkin", [(vaccinator, walk_in(8801 + n, mobiles[n % 2], session_id))
                                                   for n in range(8)])
    walked_in = sum(answer.status_code == 201 for answer in answers)
    assert walked_in == 8, [answer.text for answer in answers if answer.status_code != 201]
    citizen = login(url, f"97{secrets.randbelow(10**8):08d}")  # the walk-ins' mobiles hold 4 people each
    registered = [requests.post(f"{url}/v2/registration/beneficiary/new", headers=citizen, timeout=10,
                                json=person(8811 + n)).json()["beneficiary_reference_id"] for n in range(2)]
    moment = datetime.now(ZoneInfo("Asia/Kolkata")).isoformat()
    batch = {"records": [{"uuid": str(uuid.uuid4()),
                          "device_id": "tablet-9", "captured_at": moment, "vaccinator": "9000000006",
                          "beneficiary_reference_id": ref, "session_id": session_id, "vaccine": "COVISHIELD",
                          "batch": "4121Z025", "dose": 1, "photo_id_type": 1, "id_last4": aadhaar(8811 + n)[-4:]}
                         for n, ref in enumerate(registered)]}
    synced = together([batch] * 3, lambda body: requests.post(f"{url}/v2/vaccination/offline/sync", json=body,
                                                              headers=vaccinator, timeout=60))
    assert all(answer.status_code == 200 for answer in synced), [answer.text for answer in synced]
    after = settled(url, until=lambda now: now["topBlock"]["vaccination"]["total_doses"] >=
                    before["topBlock"]["vaccination"]["total_doses"] + 10, **MUMBAI)
    was, now = before["topBlock"]["vaccination"], after["topBlock"]["vaccination"]
    assert now["total_doses"] - was["total_doses"] == 10 and now["today"] - was["today"] == 10
    assert now["covishield"] - was["covishield"] == 10 and now["tot_dose_1"] - was["tot_dose_1"] == 10
    consistent(after)
    site = {row["session_site_id"]: row for row in after["getBeneficiariesGroupBy"]}
    site_before = {row["session_site_id"]: row["today"] for row in before["getBeneficiariesGroupBy"]}
    assert sum(row["today"] for row in site.values()) - sum(site_before.values()) == 10


def test_two_officers_correcting_one_dose_at_once_leave_it_counted_once(server_url, vaccinator):
    url = server_url
    session_id = todays_covishield_session(url, vaccinator)
    mobile = f"97{secrets.randbelow(10**8):08d}"
    walked = requests.post(f"{url}/v2/vaccination/walkin", headers=vaccinator, timeout=10,
                           json=walk_in(8821, mobile, session_id))
    assert walked.status_code == 201, walked.text
    ref = walked.json()["beneficiary_reference_id"]
    before = settled(url, **MUMBAI)
    midnight = datetime.now(ZoneInfo("Asia/Kolkata")).replace(hour=0, minute=10, second=0, microsecond=0)
    fixes = [(officer, {"beneficiary_reference_id": ref, "dose": 1, "reason": "Clock was wrong",
                        "given_at": midnight.replace(minute=minute).isoformat()})
             for officer, minute in ((login(url, FACILITY_ADMIN), 10), (vaccinator, 20))]
    for _ in range(3):  # each round two more corrections at the same instant
        answers = race(url, "/v2/vaccination/doses/correction", fixes)
        assert all(answer.status_code == 201 for answer in answers), [answer.text for answer in answers]
    moved = {"00:00-01:00": 1 + {h["label"]: h["count"] for h in before["vaccinationDoneByTime"]}.get(
        "00:00-01:00", 0)}
    after = settled(url, until=lambda now: {h["label"]: h["count"] for h in now["vaccinationDoneByTime"]}.get(
        "00:00-01:00") == moved["00:00-01:00"], **MUMBAI)
    assert after["topBlock"]["vaccination"] == before["topBlock"]["vaccination"]
    consistent(after)
    hours = {hour["label"]: hour["count"] for hour in after["vaccinationDoneByTime"]}
    earlier = {hour["label"]: hour["count"] for hour in before["vaccinationDoneByTime"]}
    assert hours.get("00:00-01:00", 0) == earlier.get("00:00-01:00", 0) + 1  # moved there, once


def test_two_sessions_of_one_site_cancelled_at_once_leave_neither_session_nor_site(server_url):
    url = server_url
    admin = login(url, STATE_ADMIN)
    before = settled(url, **MUMBAI)["topBlock"]
    centre = requests.post(f"{url}/v2/admin/centers", headers=admin, timeout=10, json={
        "name": "Race Count Clinic", "address": "Dadar", "block_name": "G North", "district_id": 395,
        "pincode": "400014", "lat": 19.02, "long": 72.84})
    assert centre.status_code == 201, centre.text
    today = datetime.now(ZoneInfo("Asia/Kolkata")).strftime("%d-%m-%Y")
    sessions = []
    for vaccine in ("COVISHIELD", "COVAXIN"):
        receive_stock(url, admin, centre.json()["center_id"], vaccine)  # sessions are planned within the stock
        planned = requests.post(f"{url}/v2/admin/sessions", headers=admin, timeout=10, json={
            "center_id": centre.json()["center_id"], "date": today, "vaccine": vaccine, "capacity_dose1": 10,
            "capacity_dose2": 0, "min_age_limit": 45, "slots": ["09:00AM-11:00AM"]})
        assert planned.status_code == 201, planned.text
        sessions.append(planned.json()["session_id"])
    opened = settled(url, until=lambda now: now["topBlock"]["sessions"]["govt"] >= before["sessions"]["govt"] + 2,
                     **MUMBAI)["topBlock"]
    assert (opened["sessions"]["govt"], opened["sites"]["govt"]) == (before["sessions"]["govt"] + 2,
                                                                     before["sites"]["govt"] + 1)
    cancelled = together(sessions, lambda session_id: requests.post(
        f"{url}/v2/admin/sessions/{session_id}/cancel", json={"reason": "No vaccine"}, headers=admin, timeout=60))
    assert all(answer.status_code == 200 for answer in cancelled), [answer.text for answer in cancelled]
    closed = settled(url, until=lambda now: now["topBlock"]["sessions"] == before["sessions"], **MUMBAI)["topBlock"]
    assert (closed["sessions"], closed["sites"]) == (before["sessions"], before["sites"])
