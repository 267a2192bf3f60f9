"""Grievances under contention, by real threads over HTTP against the local server (docs/grievances.md):
officers acting on one ticket at once move it once; issues raised at once from one mobile open up to its
limit, one per member; a transfer racing a booking of the member leaves one of them, never both; thirty
guesses at a transfer's consent code at once are judged three times."""
from __future__ import annotations

import hashlib
import itertools
import re
import secrets

import pytest
import requests

from tests.e2e.helpers import login, stored_item, together
from tests.helpers import person

pytestmark = pytest.mark.e2e
ADMINS = ("9000000003", "9000000002", "9000000001")  # Mumbai's, Maharashtra's and the national admin
MUMBAI = 395
TRIALS = 4
JITTER_SECONDS = 0.12
SEEDS = itertools.count(95_000)  # Aadhaar seeds no other test of the local server registers


def at_once(url: str, calls: list[tuple[str, dict, dict]]) -> list[requests.Response]:
    """POST each (path, headers, body) together; every answer must be a deliberate one (no 5xx)."""
    answers = together(calls, lambda call: requests.post(f"{url}{call[0]}", json=call[2], headers=call[1],
                                                         timeout=60), JITTER_SECONDS)
    assert all(a.status_code < 500 for a in answers), [a.text for a in answers]
    return answers


def fresh_family(url: str, members: int) -> tuple[dict, str, list[str]]:
    """A fresh mobile with `members` registered: (its Authorization header, the mobile, reference ids)."""
    mobile = f"96{secrets.randbelow(10 ** 8):08d}"
    headers = login(url, mobile)
    refs = []
    for _ in range(members):
        answer = requests.post(f"{url}/v2/registration/beneficiary/new", headers=headers, timeout=10,
                               json=person(next(SEEDS)))
        assert answer.status_code == 200, answer.text
        refs.append(answer.json()["beneficiary_reference_id"])
    return headers, mobile, refs


def raise_issue(url: str, headers: dict, **body) -> requests.Response:
    return requests.post(f"{url}/v2/grievances", json=body, headers=headers, timeout=10)


def transfer_consent(url: str, citizen: dict, ref: str) -> tuple[str, str, str]:
    """A fresh mobile's consent to take member `ref`: (the mobile, the transaction, the code it was texted)."""
    receiver = f"95{secrets.randbelow(10 ** 8):08d}"
    asked = requests.post(f"{url}/v2/grievances/transfer-consent", headers=citizen, timeout=10,
                          json={"beneficiary_reference_id": ref, "to_mobile": receiver})
    assert asked.status_code == 200, asked.text
    outbox = requests.get(f"{url}/_local/outbox", params={"mobile": receiver}, timeout=10).json()
    return receiver, asked.json()["txnId"], re.search(r"\b(\d{6})\b", outbox[-1]["message"]).group(1)


def open_count(aws_url: str, mobile: str) -> int:
    item = stored_item(aws_url, "grievances", {"key": f"mobile#{mobile}", "entry": "open"})
    return int(item["open_count"]) if item else 0


def test_officers_acting_at_once_on_one_ticket_move_it_exactly_once(server_url, embedded_aws_url):
    admins = [login(server_url, mobile) for mobile in ADMINS]
    for _ in range(TRIALS):
        citizen, mobile, [ref] = fresh_family(server_url, 1)
        opened = raise_issue(server_url, citizen, type="unknown_member", beneficiary_reference_id=ref,
                             district_id=MUMBAI)
        assert opened.status_code == 201, opened.text
        path = f"/v2/admin/grievances/{opened.json()['ticket_id']}"
        assert requests.post(f"{server_url}{path}/review", json={}, headers=admins[0], timeout=10).status_code == 200
        answers = at_once(server_url, [(f"{path}/resolve", admin, {}) for admin in admins]
                          + [(f"{path}/reject", admin, {"reason": "Duplicate of another issue"}) for admin in admins])
        won = [a for a in answers if a.status_code == 200]
        assert len(won) == 1, [a.text for a in answers]
        assert all(a.status_code == 409 and a.json()["errorCode"] in ("GRIEV0002", "GRIEV0005")
                   for a in answers if a.status_code != 200), [a.text for a in answers]
        ticket = requests.get(f"{server_url}/v2/grievances/{opened.json()['ticket_id']}", headers=citizen,
                              timeout=10).json()
        assert ticket["status"] == won[0].json()["status"]
        assert [step["status"] for step in ticket["history"]] == ["open", "in_review", ticket["status"]]
        members = requests.get(f"{server_url}/v2/appointment/beneficiaries", headers=citizen, timeout=10).json()
        assert len(members["beneficiaries"]) == (0 if ticket["status"] == "resolved" else 1)
        assert open_count(embedded_aws_url, mobile) == 0  # given back once, by the one move that closed it


def test_issues_raised_at_once_from_one_mobile_open_up_to_its_limit_and_one_per_member(server_url,
                                                                                        embedded_aws_url):
    citizen, mobile, refs = fresh_family(server_url, 4)
    calls = [("/v2/grievances", citizen, {"type": "unknown_member", "beneficiary_reference_id": ref,
                                          "district_id": MUMBAI, "description": f"try {n}"})
             for ref in refs for n in range(2)]
    answers = at_once(server_url, calls)
    opened = [a.json() for a in answers if a.status_code == 201]
    assert len(opened) == 3 and len({t["beneficiary_reference_id"] for t in opened}) == 3
    assert {a.json()["errorCode"] for a in answers if a.status_code != 201} <= {"GRIEV0003", "GRIEV0004"}
    listed = requests.get(f"{server_url}/v2/grievances", headers=citizen, timeout=10).json()["grievances"]
    assert sorted(t["ticket_id"] for t in listed) == sorted(t["ticket_id"] for t in opened)
    assert open_count(embedded_aws_url, mobile) == 3


def test_a_transfer_racing_a_booking_of_the_member_leaves_one_of_them(world, server_url, embedded_aws_url):
    officer = login(server_url, ADMINS[0])
    session_id = world.session(capacity_dose1=4 * TRIALS)
    outcomes = set()
    for _ in range(TRIALS):
        citizen, mobile, [ref] = fresh_family(server_url, 1)
        receiver, txn, code = transfer_consent(server_url, citizen, ref)
        opened = raise_issue(server_url, citizen, type="transfer_member", beneficiary_reference_id=ref,
                             to_mobile=receiver, district_id=MUMBAI, txnId=txn,
                             otp=hashlib.sha256(code.encode()).hexdigest())
        assert opened.status_code == 201, opened.text
        path = f"/v2/admin/grievances/{opened.json()['ticket_id']}"
        assert requests.post(f"{server_url}{path}/review", json={}, headers=officer, timeout=10).status_code == 200
        resolve, book = at_once(server_url, [
            (f"{path}/resolve", officer, {}),
            ("/v2/appointment/schedule", citizen, {"dose": 1, "session_id": session_id, "slot": "09:00AM-11:00AM",
                                                   "beneficiaries": [ref]})])
        assert (resolve.status_code == 200) != (book.status_code == 200), (resolve.text, book.text)
        member = stored_item(embedded_aws_url, "beneficiaries", {"beneficiary_reference_id": ref})
        if resolve.status_code == 200:
            assert member["mobile"] == receiver and member.get("appointment_dose1") is None
            outcomes.add("moved")
        else:
            # The booking first: the resolve read it (GRIEV0005) or its transaction met it (GRIEV0007).
            assert resolve.json()["errorCode"] in ("GRIEV0005", "GRIEV0007"), resolve.text
            assert member["mobile"] == mobile and member["appointment_dose1"] is not None
            outcomes.add("booked")
    assert outcomes  # which wins depends on the interleaving; the invariant holds for each


def test_thirty_wrong_transfer_codes_at_once_are_judged_three_times_and_open_nothing(server_url):
    citizen, _, [ref] = fresh_family(server_url, 1)
    receiver, txn, right = transfer_consent(server_url, citizen, ref)
    wrong = [code for code in (f"{n:06d}" for n in range(31)) if code != right][:30]

    def transfer(code: str) -> tuple[str, dict, dict]:
        return ("/v2/grievances", citizen, {
            "type": "transfer_member", "beneficiary_reference_id": ref, "to_mobile": receiver, "district_id": MUMBAI,
            "txnId": txn, "otp": hashlib.sha256(code.encode()).hexdigest()})

    answers = at_once(server_url, [transfer(code) for code in wrong])
    assert {(a.status_code, a.json()["errorCode"]) for a in answers} == {(400, "USRAUT0014")}
    late = at_once(server_url, [transfer(right)])[0]  # three tries were spent: the right code comes too late
    assert (late.status_code, late.json()["errorCode"]) == (400, "USRAUT0014")
    assert requests.get(f"{server_url}/v2/grievances", headers=citizen, timeout=10).json()["grievances"] == []
