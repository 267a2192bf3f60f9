"""Booking under real concurrency: threads, over HTTP, against the moto server."""
import time

import pytest
import requests

from tests.e2e.helpers import login, race
from tests.helpers import person

pytestmark = pytest.mark.e2e
SEATS, PEOPLE = 25, 40


def test_forty_people_racing_for_twenty_five_seats(server_url):
    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date

    day = local_date(get_settings().country, int(time.time()) + 3 * 86400).strftime("%d-%m-%Y")
    officer = login(server_url, "9000000002")  # the state admin of Maharashtra
    session = requests.post(f"{server_url}/v2/admin/sessions", headers=officer, timeout=10, json={
        "center_id": 100005, "date": day, "vaccine": "SPUTNIK V", "min_age_limit": 18, "capacity_dose1": SEATS,
        "capacity_dose2": 0, "slots": ["09:00AM-01:00PM"]})
    assert session.status_code == 201, session.text
    session_id = session.json()["session_id"]

    attempts = []
    for family in range(PEOPLE // 4):
        headers = login(server_url, f"83000000{family:02d}")
        for member in range(4):
            registered = requests.post(f"{server_url}/v2/registration/beneficiary/new", headers=headers, timeout=10,
                                       json=person(700 + family * 4 + member))
            attempts.append((headers, {"dose": 1, "session_id": session_id, "slot": "09:00AM-01:00PM",
                                       "beneficiaries": [registered.json()["beneficiary_reference_id"]]}))
    responses = race(server_url, "/v2/appointment/schedule", attempts)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * SEATS + [409] * (PEOPLE - SEATS), [r.text for r in responses if r.status_code >= 500]
    assert {r.json()["errorCode"] for r in responses if r.status_code == 409} == {"APPOIN0040"}
    sessions = requests.get(f"{server_url}/v2/appointment/sessions/public/findByPin", timeout=10,
                            params={"pincode": 400063, "date": day}).json()["sessions"]
    [listed] = [s for s in sessions if s["session_id"] == session_id]
    assert listed["available_capacity"] == 0
    booked = {r.json()["appointment_id"] for r in responses if r.status_code == 200}
    assert len(booked) == SEATS
