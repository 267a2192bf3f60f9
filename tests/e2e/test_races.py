"""Every pair of operations that touch the same seat, appointment or person, raced by real threads
over HTTP against the local server, several times each; after every race the books must balance
(seat counters equal the places held) and every person hold at most one live appointment per dose."""
import json
import time

import pytest
import requests

from tests.e2e.helpers import login, together
from tests.e2e.test_dose_capture import security_code
from tests.e2e.world import SLOTS
from tests.helpers import aadhaar

pytestmark = pytest.mark.e2e
TRIALS = 8
JITTER_SECONDS = 0.12  # a request here takes 40-100 ms: offsets up to 120 ms cover every order


def at_once(world, *calls: tuple[str, dict, dict]) -> list[requests.Response]:
    """POST each (path, headers, body) together, scattered over a few milliseconds; every answer must be a
    deliberate one (no 5xx)."""
    answers = together(list(calls), lambda call: world.post(call[0], call[2], call[1]), JITTER_SECONDS)
    assert all(a.status_code < 500 for a in answers), [a.text for a in answers]
    return answers


def cancel(headers, appointment_id, ref):
    return "/v2/appointment/cancel", headers, {"appointment_id": appointment_id, "beneficiariesToCancel": [ref]}


def reschedule(headers, appointment_id, session_id, slot):
    return "/v2/appointment/reschedule", headers, {"appointment_id": appointment_id, "session_id": session_id,
                                                   "slot": slot}


def test_cancel_racing_a_reschedule_of_the_same_appointment(world):
    first, second = world.session(), world.session()
    others, other, _, _ = world.person()
    world.book(others, [other], first)  # the session has other bookings, as real ones do
    for _ in range(TRIALS):
        headers, ref, _, mobile = world.person()
        appointment_id = world.book(headers, [ref], first)
        answers = at_once(world, *[cancel(headers, appointment_id, ref)] * 2,
                          *[reschedule(headers, appointment_id, second, slot) for slot in SLOTS])
        assert any(a.status_code == 204 for a in answers)
        world.ledger.assert_books_balance(first, second)
        world.ledger.assert_person_consistent(ref)


def test_two_reschedules_of_the_same_appointment(world):
    first, second, third = world.session(), world.session(), world.session()
    others, other, _, _ = world.person()
    world.book(others, [other], first)
    for _ in range(TRIALS):
        headers, ref, _, mobile = world.person()
        appointment_id = world.book(headers, [ref], first)
        at_once(world, reschedule(headers, appointment_id, second, SLOTS[0]),
                reschedule(headers, appointment_id, third, SLOTS[1]))
        world.ledger.assert_books_balance(first, second, third)
        world.ledger.assert_person_consistent(ref)


def test_a_citizen_cancelling_while_the_session_is_cancelled(world):
    for _ in range(TRIALS // 2):
        session_id = world.session()
        booked = []
        for _ in range(3):
            headers, ref, _, mobile = world.person()
            booked.append((headers, ref, world.book(headers, [ref], session_id)))
        headers, ref, appointment_id = booked[0]
        at_once(world, cancel(headers, appointment_id, ref),
                (f"/v2/admin/sessions/{session_id}/cancel", world.planner, {}))
        world.ledger.assert_books_balance(session_id)
        assert [p["status"] for p in world.ledger.places(session_id)] == ["CANCELLED"] * 3
        for _, ref, _ in booked:
            world.ledger.assert_person_consistent(ref)


def test_a_capacity_cut_racing_bookings(world):
    for _ in range(TRIALS // 2):
        session_id = world.session(capacity_dose1=8)
        people = [world.person() for _ in range(6)]
        bookings = [("/v2/appointment/schedule", headers, {"dose": 1, "session_id": session_id, "slot": SLOTS[0],
                                                           "beneficiaries": [ref]}) for headers, ref, _, _ in people]
        cut = (f"/v2/admin/sessions/{session_id}/capacity", world.planner,
               {"capacity_dose1": 4, "capacity_dose2": 0, "slots": [{"name": SLOTS[0], "capacity": 2},
                                                                    {"name": SLOTS[1], "capacity": 2}]})
        at_once(world, *bookings, cut)
        world.ledger.assert_books_balance(session_id)


def test_a_capacity_edit_racing_a_reschedule_within_the_session(world):
    """A reschedule to another slot of the same session moves a booking between slots without
    changing the dose count; an edit of the slots must not write back what it read before."""
    for _ in range(TRIALS):
        session_id = world.session(capacity_dose1=8)
        headers, ref, _, mobile = world.person()
        others, other, _, _ = world.person()
        world.book(others, [other], session_id, SLOTS[0])
        appointment_id = world.book(headers, [ref], session_id, SLOTS[0])
        edit = (f"/v2/admin/sessions/{session_id}/capacity", world.planner,
                {"capacity_dose1": 8, "capacity_dose2": 0, "slots": [{"name": SLOTS[0], "capacity": 3},
                                                                     {"name": SLOTS[1], "capacity": 5}]})
        # Several edits at scattered moments: an edit's read-to-write window is a few milliseconds.
        at_once(world, *[edit] * 12, reschedule(headers, appointment_id, session_id, SLOTS[1]))
        world.ledger.assert_books_balance(session_id)
        world.ledger.assert_person_consistent(ref)


def test_a_dose_racing_a_reschedule_of_its_appointment(world, vaccinator):
    today, later = world.today(), world.session()
    for _ in range(TRIALS):
        headers, ref, seed, mobile = world.person()
        appointment_id = world.book(headers, [ref], today)
        dose = ("/v2/vaccination/doses", vaccinator, {"beneficiary_reference_id": ref, "session_id": today,
                                                      "vaccine": "SPUTNIK V", "batch": "SPK2021A", "dose": 1,
                                                      "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]})
        given, moved = at_once(world, dose, reschedule(headers, appointment_id, later, SLOTS[0]))
        assert (given.status_code == 201) != (moved.status_code == 204), (given.text, moved.text)
        person_now = world.ledger.beneficiary(ref)
        assert int(person_now["doses_given"]) == (1 if given.status_code == 201 else 0)
        world.ledger.assert_books_balance(today, later)
        world.ledger.assert_person_consistent(ref)



def test_a_door_check_racing_a_reschedule_does_not_travel_with_it(world):
    today, later = world.today(), world.session()
    verifier = login(world.url, "9000000007")
    for _ in range(TRIALS):
        headers, ref, seed, mobile = world.person()
        appointment_id = world.book(headers, [ref], today)
        door = ("/v2/vaccination/verify", verifier, {
            "appointment_id": appointment_id, "beneficiary_reference_id": ref, "session_id": today,
            "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:],
            "security_code": security_code(world.url, mobile, appointment_id)})
        at_once(world, door, reschedule(headers, appointment_id, later, SLOTS[1]))
        [place] = world.ledger.appointments_of(ref)
        assert place.get("verified_at") is None or place["session_id"] == today
        world.ledger.assert_books_balance(today, later)


def test_deleting_a_beneficiary_racing_its_booking(world):
    session_id = world.session()
    for _ in range(TRIALS):
        headers, ref, _, mobile = world.person()
        booked, deleted = at_once(
            world, ("/v2/appointment/schedule", headers, {"dose": 1, "session_id": session_id, "slot": SLOTS[0],
                                                          "beneficiaries": [ref]}),
            ("/v2/registration/beneficiary/delete", headers, {"beneficiary_reference_id": ref}))
        assert (booked.status_code == 200) != (deleted.status_code == 204), (booked.text, deleted.text)
        assert (world.ledger.beneficiary(ref) is None) == (deleted.status_code == 204)
        world.ledger.assert_books_balance(session_id)
        world.ledger.assert_person_consistent(ref)


def test_the_surge_worker_and_a_direct_booking_of_the_same_person(world, embedded_aws_url):
    import boto3

    from chalicelib.adapters.queues import BOOKINGS, queue_name
    from chalicelib.config import get_settings

    sqs = boto3.client("sqs", endpoint_url=embedded_aws_url, region_name=get_settings().region)
    queue = sqs.get_queue_url(QueueName=queue_name(BOOKINGS))["QueueUrl"]
    session_id = world.session()
    trials = []
    for n in range(TRIALS):
        headers, ref, _, mobile = world.person()
        request = {"dose": 1, "session_id": session_id, "slot": SLOTS[0], "beneficiaries": [ref]}
        # What surge mode would have queued for this person (delivered twice, as SQS may), while the
        # same person books directly.
        message = json.dumps({"appointment_id": f"00000000-0000-4000-8000-{n:012d}", "mobile": mobile,
                              "request": request})
        for _ in range(2):
            sqs.send_message(QueueUrl=queue, MessageBody=message)
        world.post("/v2/appointment/schedule", request, headers)
        trials.append(ref)
    deadline = time.monotonic() + 30
    while sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages",
                                                                   "ApproximateNumberOfMessagesNotVisible"]
                                   )["Attributes"] != {"ApproximateNumberOfMessages": "0",
                                                       "ApproximateNumberOfMessagesNotVisible": "0"}:
        assert time.monotonic() < deadline, "the surge worker did not drain the queue"
        time.sleep(0.5)
    world.ledger.assert_books_balance(session_id)
    for ref in trials:
        world.ledger.assert_person_consistent(ref)
        assert sum(a["status"] == "BOOKED" for a in world.ledger.appointments_of(ref)) == 1
