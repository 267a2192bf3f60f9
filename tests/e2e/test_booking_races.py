"""Booking under real concurrency: threads, over HTTP, against the moto server."""
import json
import time

import pytest
import requests

from tests.e2e.helpers import login, race
from tests.helpers import person

pytestmark = pytest.mark.e2e
SEATS, PEOPLE = 25, 40


def a_crowd_for_a_small_session(url: str, planner: dict, center_id: int, days_ahead: int, mobile_prefix: str,
                                 seed: int):
    """A fresh SEATS-seat session, and PEOPLE registered people (4 per mobile) each about to book it.
    Returns (day, session id, [(headers, schedule body)], [mobile of each])."""
    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date

    day = local_date(get_settings().country, int(time.time()) + days_ahead * 86400).strftime("%d-%m-%Y")
    created = requests.post(f"{url}/v2/admin/sessions", headers=planner, timeout=10, json={
        "center_id": center_id, "date": day, "vaccine": "SPUTNIK V", "min_age_limit": 18, "capacity_dose1": SEATS,
        "capacity_dose2": 0, "slots": ["09:00AM-01:00PM"]})
    assert created.status_code == 201, created.text
    session_id = created.json()["session_id"]
    attempts, mobiles = [], []
    for family in range(PEOPLE // 4):
        mobile = f"{mobile_prefix}{family:02d}"
        headers = login(url, mobile)
        for member in range(4):
            registered = requests.post(f"{url}/v2/registration/beneficiary/new", headers=headers, timeout=10,
                                       json=person(seed + family * 4 + member))
            attempts.append((headers, {"dose": 1, "session_id": session_id, "slot": "09:00AM-01:00PM",
                                       "beneficiaries": [registered.json()["beneficiary_reference_id"]]}))
            mobiles.append(mobile)
    return day, session_id, attempts, mobiles


def available(url: str, pincode: int, day: str, session_id: str) -> int:
    sessions = requests.get(f"{url}/v2/appointment/sessions/public/findByPin", timeout=10,
                            params={"pincode": pincode, "date": day}).json()["sessions"]
    [listed] = [s for s in sessions if s["session_id"] == session_id]
    return listed["available_capacity"]


def test_forty_people_racing_for_twenty_five_seats(server_url):
    # Seven Hills' neighbour NESCO Goregaon (100005, 400063), planned by the state admin of Maharashtra.
    planner = login(server_url, "9000000002")
    day, session_id, attempts, _ = a_crowd_for_a_small_session(server_url, planner, 100005, 3, "83000000", 700)
    responses = race(server_url, "/v2/appointment/schedule", attempts)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * SEATS + [409] * (PEOPLE - SEATS), [r.text for r in responses if r.status_code >= 500]
    assert {r.json()["errorCode"] for r in responses if r.status_code == 409} == {"APPOIN0040"}
    assert available(server_url, 400063, day, session_id) == 0
    assert len({r.json()["appointment_id"] for r in responses if r.status_code == 200}) == SEATS


def test_the_same_race_through_the_surge_queue_with_duplicated_messages(server_url, embedded_aws_url):
    import boto3

    from chalicelib.adapters.queues import BOOKINGS, queue_name
    from chalicelib.config import get_settings

    # Cooper Hospital (100007, 400056), planned and switched to surge mode by the national admin.
    national = login(server_url, "9000000001")
    day, session_id, attempts, mobiles = a_crowd_for_a_small_session(server_url, national, 100007, 4,
                                                                     "84000000", 800)
    assert requests.post(f"{server_url}/v2/admin/surge", headers=national, json={"on": True}, timeout=10).ok
    try:
        responses = race(server_url, "/v2/appointment/schedule", attempts)
        assert sorted(r.status_code for r in responses) == [202] * PEOPLE
        # Every request is delivered twice more, as SQS may do.
        sqs = boto3.client("sqs", endpoint_url=embedded_aws_url, region_name=get_settings().region)
        url = sqs.get_queue_url(QueueName=queue_name(BOOKINGS))["QueueUrl"]
        for (_, body), mobile, response in zip(attempts, mobiles, responses):
            message = {"appointment_id": response.json()["appointment_id"], "mobile": mobile, "request": body}
            for _ in range(2):
                sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message))

        def settled():
            answers = [requests.get(f"{server_url}/v2/appointment/status/{r.json()['appointment_id']}",
                                    headers=h, timeout=10).json() for (h, _), r in zip(attempts, responses)]
            return answers if all(a["status"] != "PENDING" for a in answers) else None

        def drained():  # the duplicates handled too: nothing waiting, nothing in flight
            counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            return not any(int(count) for count in counts.values())

        deadline = time.monotonic() + 90
        while settled() is None or not drained():
            assert time.monotonic() < deadline, "the worker did not settle every request in 90 s"
            time.sleep(0.5)
    finally:
        requests.post(f"{server_url}/v2/admin/surge", headers=national, json={"on": False}, timeout=10)
    answers = settled()
    assert sorted(a["status"] for a in answers) == ["CONFIRMED"] * SEATS + ["REJECTED"] * (PEOPLE - SEATS)
    assert {a["errorCode"] for a in answers if a["status"] == "REJECTED"} == {"APPOIN0040"}
    assert available(server_url, 400056, day, session_id) == 0
