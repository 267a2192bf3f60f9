"""Slot alerts over real HTTP against the local server: a subscriber is texted when a district admin
plans a matching session (the stream worker and the SMS queue as they run in AWS); the per-mobile
limit holds under a burst of parallel subscriptions; nobody else can see or remove them."""
import secrets
import time
from datetime import date, timedelta

import requests

from tests.e2e.helpers import login, race, receive_stock

MUMBAI, MAHARASHTRA_ADMIN = 395, "9000000002"  # (test_local_server logs the Mumbai admin in itself)


def outbox(url: str, mobile: str) -> list[str]:
    return [m["message"] for m in requests.get(f"{url}/_local/outbox", params={"mobile": mobile}, timeout=10).json()]


def wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    return predicate()


def test_a_subscriber_is_texted_when_a_matching_session_is_planned_and_only_then(server_url):
    mobile = f"98{secrets.randbelow(10**8):08d}"
    citizen = login(server_url, mobile)
    admin = login(server_url, MAHARASHTRA_ADMIN)
    pincode = f"4000{secrets.randbelow(90) + 10}"
    centre = requests.post(f"{server_url}/v2/admin/centers", headers=admin, timeout=10, json={
        "name": "Alert Test Clinic", "address": "Dadar", "block_name": "G North", "district_id": MUMBAI,
        "pincode": pincode, "lat": 19.02, "long": 72.84})
    assert centre.status_code == 201, centre.text
    center_id = centre.json()["center_id"]
    receive_stock(server_url, admin, center_id, "COVISHIELD")  # sessions are planned within the stock
    subscribed = requests.post(f"{server_url}/v2/alerts/subscriptions", headers=citizen, timeout=10,
                               json={"pincode": pincode, "min_age_limit": 18, "dose": 1})
    assert subscribed.status_code == 201, subscribed.text

    def alerts() -> list[str]:
        return [text for text in outbox(server_url, mobile) if "free seat" in text]

    def plan(days: int, **overrides):
        body = {"center_id": center_id, "date": (date.today() + timedelta(days=days)).strftime("%d-%m-%Y"),
                "vaccine": "COVISHIELD", "min_age_limit": 18, "capacity_dose1": 7, "capacity_dose2": 0,
                "slots": ["09:00AM-11:00AM"], **overrides}
        created = requests.post(f"{server_url}/v2/admin/sessions", headers=admin, json=body, timeout=10)
        assert created.status_code == 201, created.text

    plan(3, min_age_limit=45)  # a 45+ session: not for this wish
    plan(4)
    [text] = wait_for(alerts)
    assert "7 free seats for dose 1 of COVISHIELD at Alert Test Clinic" in text
    time.sleep(1.0)  # the 45+ session's record went through the same worker before the match
    assert len(alerts()) == 1


def test_a_burst_of_subscriptions_keeps_the_limit_and_others_cannot_touch_them(server_url):
    mobile = f"97{secrets.randbelow(10**8):08d}"
    mine, theirs = login(server_url, mobile), login(server_url, f"96{secrets.randbelow(10**8):08d}")
    wishes = [(mine, {"district_id": MUMBAI, "min_age_limit": 18 + n, "dose": 1}) for n in range(12)]
    answers = race(server_url, "/v2/alerts/subscriptions", wishes)
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] * 5 + [409] * 7, [a.text for a in answers]
    listed = requests.get(f"{server_url}/v2/alerts/subscriptions", headers=mine, timeout=10).json()["subscriptions"]
    assert sorted(s["subscription_id"] for s in listed) == sorted(a.json()["subscription_id"] for a in answers
                                                                  if a.status_code == 201)
    assert requests.get(f"{server_url}/v2/alerts/subscriptions", headers=theirs, timeout=10).json() == {
        "subscriptions": []}
    target = f"{server_url}/v2/alerts/subscriptions/{listed[0]['subscription_id']}"
    assert requests.delete(target, headers=theirs, timeout=10).status_code == 404
    assert requests.delete(target, headers=mine, timeout=10).status_code == 204


def test_the_last_seat_given_back_texts_the_waiting_and_a_removed_wait_hears_nothing(server_url):
    admin = login(server_url, MAHARASHTRA_ADMIN)
    waiting, booker = f"95{secrets.randbelow(10**8):08d}", f"94{secrets.randbelow(10**8):08d}"
    mine, theirs = login(server_url, waiting), login(server_url, booker)
    pincode = f"4000{secrets.randbelow(90) + 10}"
    center_id = requests.post(f"{server_url}/v2/admin/centers", headers=admin, timeout=10, json={
        "name": "Last Seat Clinic", "address": "Worli", "block_name": "G South", "district_id": MUMBAI,
        "pincode": pincode, "lat": 19.01, "long": 72.82}).json()["center_id"]
    receive_stock(server_url, admin, center_id, "COVAXIN")
    day = (date.today() + timedelta(days=5)).strftime("%d-%m-%Y")
    session = requests.post(f"{server_url}/v2/admin/sessions", headers=admin, timeout=10, json={
        "center_id": center_id, "date": day, "vaccine": "COVAXIN", "min_age_limit": 18, "capacity_dose1": 1,
        "capacity_dose2": 0, "slots": ["09:00AM-11:00AM"]}).json()["session_id"]
    person = requests.post(f"{server_url}/v2/registration/beneficiary/new", headers=theirs, timeout=10, json={
        "name": "Seat Holder", "birth_year": "1990", "gender_id": 1, "photo_id_type": 4,
        "photo_id_number": f"A{secrets.randbelow(10**7):07d}"}).json()["beneficiary_reference_id"]
    booked = requests.post(f"{server_url}/v2/appointment/schedule", headers=theirs, timeout=10, json={
        "dose": 1, "session_id": session, "slot": "09:00AM-11:00AM", "beneficiaries": [person]})
    assert booked.status_code == 200, booked.text
    time.sleep(1.0)  # the full session's record has gone by
    wish = requests.post(f"{server_url}/v2/alerts/subscriptions", headers=mine, timeout=10,
                         json={"pincode": pincode, "min_age_limit": 30, "dose": 1}).json()
    cancel = {"appointment_id": booked.json()["appointment_id"], "beneficiariesToCancel": [person]}
    assert requests.post(f"{server_url}/v2/appointment/cancel", headers=theirs, json=cancel,
                         timeout=10).status_code == 204

    def alerts() -> list[str]:
        return [text for text in outbox(server_url, waiting) if "free seat" in text]

    [text] = wait_for(alerts)
    assert "1 free seat for dose 1 of COVAXIN at Last Seat Clinic" in text
    assert requests.delete(f"{server_url}/v2/alerts/subscriptions/{wish['subscription_id']}", headers=mine,
                           timeout=10).status_code == 204
    more = {"capacity_dose1": 4, "capacity_dose2": 0, "slots": [{"name": "09:00AM-11:00AM", "capacity": 4}]}
    assert requests.post(f"{server_url}/v2/admin/sessions/{session}/capacity", headers=admin, json=more,
                         timeout=10).status_code == 200
    time.sleep(1.5)
    assert len(alerts()) == 1
