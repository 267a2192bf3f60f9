"""Surge mode through the API and the SQS worker: queued bookings, duplicates, rejections, poison."""
import json

import pytest
from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters import queues
from chalicelib.adapters.aws import client
from chalicelib.store.planning import SessionItem
from local import carrier as local_carrier
from local import dispatcher
from local.metering import count_dynamodb_calls
from tests.api.test_booking_api import MOBILE, OTHER, beneficiaries, register, session_at
from tests.helpers import bearer, login, post


@pytest.fixture
def app():
    from app import app

    return app


@pytest.fixture
def citizen(api, seeded):
    return bearer(login(api, MOBILE))


@pytest.fixture
def surge_on(api, seeded):
    national = bearer(login(api, "9000000001"))
    answer = post(api, "/v2/admin/surge", {"on": True}, national)
    assert answer.status_code == 200 and answer.json_body["surge"] is True
    return national


def queue(api, headers, session_id, refs, slot="09:00AM-11:00AM"):
    response = post(api, "/v2/appointment/schedule", {"dose": "1", "session_id": session_id, "slot": slot,
                                                      "beneficiaries": refs}, headers)
    assert response.status_code == 202, response.body
    assert response.json_body["status"] == "PENDING"
    assert response.json_body["appointment_confirmation_no"] == response.json_body["appointment_id"]
    return response.json_body["appointment_id"]


def status(api, headers, appointment_id):
    return api.http.get(f"/v2/appointment/status/{appointment_id}", headers=headers)


def test_a_queued_booking_is_confirmed_by_the_worker(api, seeded, citizen, surge_on, app):
    ref = register(api, citizen, 1)
    session = session_at(api, 400059, seeded)
    with count_dynamodb_calls() as calls:
        appointment_id = queue(api, citizen, session["session_id"], [ref])
    assert calls == {"UpdateItem": 1, "GetItem": 1, "PutItem": 1}  # rate count, switch (cached after), request
    assert status(api, citizen, appointment_id).json_body == {"appointment_id": appointment_id, "status": "PENDING"}
    assert SessionItem.get(session["session_id"]).booked_dose1 == 0
    dispatcher.drain(app)
    confirmed = status(api, citizen, appointment_id).json_body
    assert confirmed["status"] == "CONFIRMED"
    assert confirmed["beneficiaries"] == [{"beneficiary_reference_id": ref, "status": "BOOKED"}]
    assert SessionItem.get(session["session_id"]).booked_dose1 == 1
    assert beneficiaries(api, citizen)[ref]["appointments"][0]["appointment_id"] == appointment_id
    assert "Security code" in local_carrier.messages_for(MOBILE)[-1]["message"]


def test_duplicated_messages_book_once(api, seeded, citizen, surge_on, app):
    refs = [register(api, citizen, n) for n in (1, 2)]
    session = session_at(api, 400059, seeded)
    appointment_id = queue(api, citizen, session["session_id"], refs)
    message = {"appointment_id": appointment_id, "mobile": MOBILE,
               "request": {"dose": 1, "session_id": session["session_id"], "slot": "09:00AM-11:00AM",
                           "beneficiaries": refs}}
    for _ in range(3):
        queues.send(queues.BOOKINGS, message)
    dispatcher.drain(app)
    assert SessionItem.get(session["session_id"]).booked_dose1 == 2
    assert status(api, citizen, appointment_id).json_body["status"] == "CONFIRMED"
    # Replaying after the request settled changes nothing either.
    queues.send(queues.BOOKINGS, message)
    dispatcher.drain(app)
    assert SessionItem.get(session["session_id"]).booked_dose1 == 2
    confirmations = [m for m in local_carrier.messages_for(MOBILE) if appointment_id in m["message"]]
    assert len(confirmations) == 1


def test_a_request_that_cannot_be_booked_is_rejected_with_the_reason(api, seeded, citizen, surge_on, app):
    ref = register(api, citizen, 1, birth_year="1995")
    covaxin = session_at(api, 400059, seeded, "COVAXIN")  # 45+
    appointment_id = queue(api, citizen, covaxin["session_id"], [ref])
    dispatcher.drain(app)
    answer = status(api, citizen, appointment_id).json_body
    assert answer["status"] == "REJECTED" and answer["errorCode"] == "APPOIN0020" and answer["reason"]
    assert "could not be completed" in local_carrier.messages_for(MOBILE)[-1]["message"]
    assert status(api, bearer(login(api, OTHER)), appointment_id).status_code == 404


def test_surge_mode_still_checks_the_request_shape(api, seeded, citizen, surge_on):
    response = post(api, "/v2/appointment/schedule", {"dose": 4, "session_id": "x", "slot": "y",
                                                      "beneficiaries": ["12345678901234"]}, citizen)
    assert response.status_code == 400 and response.json_body["errorCode"] == "APPOIN0011"


def test_when_dynamodb_throttles_the_booking_is_queued(api, seeded, citizen, app, monkeypatch):
    from chalicelib.store import booking as store

    ref = register(api, citizen, 1)
    session = session_at(api, 400059, seeded)

    def throttled(*args, **kwargs):
        raise TransactWriteError("throttled", cause=_client_error("ThrottlingException"))

    monkeypatch.setattr(store, "book", throttled)
    appointment_id = queue(api, citizen, session["session_id"], [ref])
    monkeypatch.undo()
    dispatcher.drain(app)
    assert status(api, citizen, appointment_id).json_body["status"] == "CONFIRMED"


def _client_error(code: str):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": "slow down"}}, "TransactWriteItems")


def test_a_poison_message_ends_in_the_dead_letter_queue(aws, app):
    sqs = client("sqs")
    sqs.set_queue_attributes(QueueUrl=queues.queue_url(queues.BOOKINGS), Attributes={"VisibilityTimeout": "0"})
    queues.send(queues.BOOKINGS, {"no": "fields"})
    for _ in range(queues.MAX_RECEIVES + 1):
        dispatcher.poll_once(app)
    dlq = sqs.get_queue_url(QueueName=queues.dead_letter_name(queues.BOOKINGS))["QueueUrl"]
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"]) for m in dead] == [{"no": "fields"}]


def test_only_the_national_admin_switches_surge_mode(api, seeded):
    for mobile in ("9000000003", MOBILE):
        assert post(api, "/v2/admin/surge", {"on": True}, bearer(login(api, mobile))).status_code == 403
    national = bearer(login(api, "9000000001"))
    assert post(api, "/v2/admin/surge", {"on": "yes"}, national).json_body["errorCode"] == "USRRES0003"
    assert api.http.get("/v2/admin/surge", headers=national).json_body == {"surge": False}
