"""Slot alerts through the API: subscribe, list, remove; and the fan-out from the sessions table's
stream (local dispatcher) to the subscribers' phones."""
import json
from datetime import datetime, timedelta

import pytest

from chalicelib.config import get_settings
from chalicelib.services import alerts
from local import carrier, dispatcher
from local.seed import BBMP, MUMBAI
from tests.api.test_booking_api import register
from tests.helpers import bearer, login, post

CITIZEN, OTHER, MUMBAI_ADMIN = "9876543210", "9876543211", "9000000003"
ALERTS = "/v2/alerts/subscriptions"
LATER = 10


@pytest.fixture
def app_streams(api, seeded):
    """The alert worker, running from now on (as the deployed stream mapping starts at LATEST)."""
    from app import app

    dispatcher.begin_streams(app)
    return app


def day(seeded: str, ahead: int) -> str:
    return (datetime.strptime(seeded, "%d-%m-%Y") + timedelta(days=ahead)).strftime("%d-%m-%Y")


def subscribe(api, who: dict, **wish):
    return post(api, ALERTS, {"district_id": MUMBAI, "min_age_limit": 18, "dose": 1, **wish}, who)


def plan(api, as_, seeded: str, ahead: int = 3, center_id: int = 100001, **overrides):
    """A session `ahead` days after the demo data's week."""
    body = {"center_id": center_id, "date": day(seeded, LATER + ahead), "vaccine": "COVAXIN", "min_age_limit": 18,
            "capacity_dose1": 5, "capacity_dose2": 0, "slots": ["09:00AM-11:00AM"], **overrides}
    created = post(api, "/v2/admin/sessions", body, as_(MUMBAI_ADMIN))
    assert created.status_code == 201, created.body
    return created.json_body["session_id"]


def alerts_to(mobile: str) -> list[str]:
    return [m["message"] for m in carrier.messages_for(mobile) if "free seat" in m["message"]]


def test_a_citizen_subscribes_lists_and_removes_only_their_own(api, seeded):
    mine, theirs = bearer(login(api, CITIZEN)), bearer(login(api, OTHER))
    created = subscribe(api, mine, vaccine="covaxin", fee_type="free")
    assert created.status_code == 201, created.body
    body = created.json_body
    assert {k: body[k] for k in ("district_id", "min_age_limit", "dose", "vaccine", "fee_type")} == {
        "district_id": MUMBAI, "min_age_limit": 18, "dose": 1, "vaccine": "COVAXIN", "fee_type": "Free"}
    listed = api.http.get(ALERTS, headers=mine).json_body["subscriptions"]
    assert [s["subscription_id"] for s in listed] == [body["subscription_id"]]
    assert api.http.get(ALERTS, headers=theirs).json_body == {"subscriptions": []}
    path = f"{ALERTS}/{body['subscription_id']}"
    refused = api.http.delete(path, headers=theirs)
    assert refused.status_code == 404 and refused.json_body["errorCode"] == "ALERTS0002"
    assert api.http.delete(path, headers=mine).status_code == 204
    assert api.http.get(ALERTS, headers=mine).json_body == {"subscriptions": []}
    assert api.http.delete(path, headers=mine).status_code == 404


def test_a_mobile_keeps_at_most_its_countrys_number_of_subscriptions(api, seeded):
    mine = bearer(login(api, CITIZEN))
    limit = get_settings().country.alerts_per_mobile
    ids = [subscribe(api, mine, min_age_limit=18 + n).json_body["subscription_id"] for n in range(limit)]
    over = subscribe(api, mine)
    assert over.status_code == 409 and over.json_body["errorCode"] == "ALERTS0001"
    assert api.http.delete(f"{ALERTS}/{ids[2]}", headers=mine).status_code == 204
    assert subscribe(api, mine).status_code == 201  # the freed slot


@pytest.mark.parametrize("wish, code", [
    ({"district_id": 99999}, "PLANNG0008"), ({"district_id": None, "pincode": "012345"}, "APPOIN0018"),
    ({"pincode": "400059"}, "USRRES0003"), ({"district_id": None}, "USRRES0003"),
    ({"min_age_limit": 5}, "PLANNG0006"), ({"min_age_limit": "old"}, "USRRES0003"), ({"dose": 3}, "USRRES0003"),
    ({"dose": 0}, "USRRES0003"), ({"vaccine": "NOVAVAX"}, "PLANNG0005"), ({"fee_type": "Cheap"}, "USRRES0003"),
    ({"beneficiary_reference_id": "12345678901234"}, "BENREG0009"), ({"min_age_limit": None}, "USRRES0001"),
])
def test_a_wrong_wish_is_a_clear_error_and_keeps_nothing(api, seeded, wish, code):
    mine = bearer(login(api, CITIZEN))
    refused = subscribe(api, mine, **wish)
    assert refused.status_code in (400, 404) and refused.json_body["errorCode"] == code, refused.body
    assert api.http.get(ALERTS, headers=mine).json_body == {"subscriptions": []}


def test_a_matching_new_session_texts_the_subscriber_and_others_text_nobody(api, app_streams, seeded, as_):
    mine = bearer(login(api, CITIZEN))
    assert subscribe(api, mine, vaccine="COVAXIN").status_code == 201
    plan(api, as_, seeded, ahead=3, min_age_limit=45)  # for 45+: not for an 18-year-old's wish
    plan(api, as_, seeded, ahead=3, vaccine="COVISHIELD", center_id=100002)  # another vaccine
    plan(api, as_, seeded, ahead=3, capacity_dose1=0, capacity_dose2=5, center_id=100003)  # dose 2 only
    dispatcher.drain(app_streams)
    assert alerts_to(CITIZEN) == []
    plan(api, as_, seeded, ahead=4)
    dispatcher.drain(app_streams)
    [text] = alerts_to(CITIZEN)
    assert "5 free seats for dose 1 of COVAXIN" in text and day(seeded, LATER + 4) in text and "Seven Hills" in text


def test_seats_given_back_by_a_cancellation_text_once_and_the_daily_cap_holds(api, app_streams, seeded, as_):
    mine, theirs = bearer(login(api, CITIZEN)), bearer(login(api, OTHER))
    session_id = plan(api, as_, seeded, ahead=5, capacity_dose1=1)
    ref = register(api, theirs, 7)
    booked = post(api, "/v2/appointment/schedule", {"dose": 1, "session_id": session_id, "slot": "09:00AM-11:00AM",
                                                    "beneficiaries": [ref]}, theirs)
    assert booked.status_code == 200, booked.body
    dispatcher.drain(app_streams)
    assert subscribe(api, mine).status_code == 201  # waiting for a seat in a full district
    cancel = {"appointment_id": booked.json_body["appointment_id"], "beneficiariesToCancel": [ref]}
    assert post(api, "/v2/appointment/cancel", cancel, theirs).status_code == 204
    dispatcher.drain(app_streams)
    assert ["1 free seat for dose 1" in text for text in alerts_to(CITIZEN)] == [True]
    more = {"capacity_dose1": 3, "capacity_dose2": 0, "slots": [{"name": "09:00AM-11:00AM", "capacity": 3}]}
    raised = post(api, f"/v2/admin/sessions/{session_id}/capacity", more, as_(MUMBAI_ADMIN))
    assert raised.status_code == 200, raised.body
    dispatcher.drain(app_streams)
    assert len(alerts_to(CITIZEN)) == 1  # that session's day was told already
    cap = get_settings().country.alert_sms_per_day
    for ahead in range(6, 6 + cap + 1):
        plan(api, as_, seeded, ahead=ahead)
    dispatcher.drain(app_streams)
    assert len(alerts_to(CITIZEN)) == cap


def test_a_removed_subscription_and_a_booked_wait_text_nothing(api, app_streams, seeded, as_):
    mine = bearer(login(api, CITIZEN))
    ref = register(api, mine, 3)
    gone = subscribe(api, mine).json_body["subscription_id"]
    assert api.http.delete(f"{ALERTS}/{gone}", headers=mine).status_code == 204
    subscribe(api, mine, beneficiary_reference_id=ref)
    subscribe(api, mine, district_id=None, pincode="400059", dose=2)
    session_id = plan(api, as_, seeded, ahead=3)
    booked = post(api, "/v2/appointment/schedule", {"dose": 1, "session_id": session_id, "slot": "09:00AM-11:00AM",
                                                    "beneficiaries": [ref]}, mine)
    assert booked.status_code == 200, booked.body
    remaining = api.http.get(ALERTS, headers=mine).json_body["subscriptions"]
    assert [(s.get("pincode"), s["dose"]) for s in remaining] == [(400059, 2)]  # dose 1 is booked: its wait ends
    carrier.clear()
    dispatcher.drain(app_streams)
    plan(api, as_, seeded, ahead=4, center_id=100002)
    dispatcher.drain(app_streams)
    assert alerts_to(CITIZEN) == []


def test_a_subscription_lapses_after_the_countrys_days(api, seeded):
    mine = bearer(login(api, CITIZEN))
    created = subscribe(api, mine).json_body
    later = int(datetime.fromisoformat(created["expires_at"].replace("Z", "+00:00")).timestamp())
    assert later - int(datetime.fromisoformat(created["created_at"].replace("Z", "+00:00")).timestamp()) == \
        get_settings().country.alert_days * 86400
    assert [s["subscription_id"] for s in alerts.subscriptions(CITIZEN, later - 1)] == [created["subscription_id"]]
    assert alerts.subscriptions(CITIZEN, later) == []


def test_another_district_texts_nobody(api, app_streams, seeded, as_):
    mine = bearer(login(api, CITIZEN))
    subscribe(api, mine, district_id=BBMP)
    plan(api, as_, seeded, ahead=3)
    dispatcher.drain(app_streams)
    assert alerts_to(CITIZEN) == []
    assert json.dumps(api.http.get(ALERTS, headers=mine).json_body).count("subscription_id") == 1


def test_a_district_too_big_for_one_run_is_read_on_by_the_workers_and_each_is_told_once(
        api, app_streams, seeded, as_, monkeypatch):
    from chalicelib.store import alerts as alert_store

    monkeypatch.setattr(alert_store, "PAGE", 2)  # a page of two subscriptions
    monkeypatch.setattr(alerts, "FANOUT_SECONDS", -1.0)  # and every run out of time after one page
    mobiles = [f"98765000{n:02d}" for n in range(7)]
    for mobile in mobiles:
        assert subscribe(api, bearer(login(api, mobile))).status_code == 201
    plan(api, as_, seeded, ahead=5)
    dispatcher.drain(app_streams, rounds=40)
    assert [len(alerts_to(mobile)) for mobile in mobiles] == [1] * 7
