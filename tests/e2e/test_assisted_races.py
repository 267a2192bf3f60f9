"""Assisted registration under contention, by real threads over HTTP against the local server
(docs/assisted-registration.md): guesses of a citizen's consent OTP sent at once are judged at most
three times and give no consent; one operator's actions sent at once at the edge of their day's limit
are done exactly up to it, each with exactly one record, and the books still balance."""
from __future__ import annotations

import hashlib
import json
import re
import time

import pytest
import requests

from tests.e2e.helpers import login, race, stored_item, together
from tests.helpers import person

pytestmark = pytest.mark.e2e
OPERATOR, MUMBAI_ADMIN = "9000000020", "9000000003"  # the demo operator (CSC Andheri East) and Mumbai's admin
GUESSES = 30
LIMIT = 6  # the operator's actions a day on the server of the limit's race


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def newest_otp(url: str, mobile: str) -> str:
    outbox = requests.get(f"{url}/_local/outbox", params={"mobile": mobile}, timeout=10).json()
    return re.search(r"\b(\d{6})\b", outbox[-1]["message"]).group(1)


def ask_consent(url: str, operator: dict, mobile: str) -> str:
    answer = requests.post(f"{url}/v2/assisted/consent", json={"mobile": mobile}, headers=operator, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["txnId"]


def consent(url: str, operator: dict, mobile: str) -> dict:
    txn = ask_consent(url, operator, mobile)
    answer = requests.post(f"{url}/v2/assisted/consent/confirm", headers=operator, timeout=10,
                           json={"txnId": txn, "otp": sha256(newest_otp(url, mobile))})
    assert answer.status_code == 200, answer.text
    return {**operator, "X-Consent-Token": answer.json()["consent"]}


def operators_day(url: str, admin: dict, day: str) -> dict:
    answer = requests.post(f"{url}/v2/admin/operators/actions", headers=admin, timeout=10,
                           json={"mobile": OPERATOR, "from": day, "to": day})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_thirty_wrong_consent_otps_at_once_judge_three_and_give_no_consent(server_url, embedded_aws_url):
    operator, citizen = login(server_url, OPERATOR), "9123480001"
    txn = ask_consent(server_url, operator, citizen)
    right = newest_otp(server_url, citizen)
    wrong = [code for code in (f"{n:06d}" for n in range(GUESSES + 1)) if code != right][:GUESSES]
    answers = race(server_url, "/v2/assisted/consent/confirm",
                   [(operator, {"txnId": txn, "otp": sha256(code)}) for code in wrong])
    assert {a.status_code for a in answers} == {400}
    assert {a.json()["errorCode"] for a in answers} == {"USRAUT0014"}
    assert all(a.json() == answers[0].json() for a in answers)  # one answer, whatever was judged
    assert stored_item(embedded_aws_url, "otp", {"pk": f"txn#{txn}"})["attempts"] == 3  # judged: exactly 3
    # The right OTP comes too late: its tries are spent, and it is refused like any wrong one.
    late = requests.post(f"{server_url}/v2/assisted/consent/confirm", headers=operator, timeout=10,
                         json={"txnId": txn, "otp": sha256(right)})
    assert late.status_code == 400 and late.json() == answers[0].json()
    # No consent was given, so none was recorded.
    assert _records_for(embedded_aws_url, citizen) == []


def _records_for(aws_url: str, citizen: str) -> list[dict]:
    """What the assisted-actions table holds for this citizen (its by-citizen index)."""
    import boto3

    from chalicelib.config import get_settings

    dynamodb = boto3.client("dynamodb", endpoint_url=aws_url, region_name=get_settings().region)
    return dynamodb.query(TableName=get_settings().table_name("assisted-actions"), IndexName="by-citizen",
                          KeyConditionExpression="citizen = :c",
                          ExpressionAttributeValues={":c": {"S": citizen}})["Items"]


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory):
    """A local server of its own, whose country allows an operator few actions a day."""
    from tests.e2e.conftest import local_server

    with local_server(tmp_path_factory.mktemp("operator-limit") / "server.log",
                      TEEKA_COUNTRY_PROFILE=json.dumps({"operator_actions_per_day": LIMIT})) as urls:
        yield urls


def test_one_operators_actions_at_once_at_the_days_limit_are_done_exactly_up_to_it(limited_server):
    import boto3

    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date
    from chalicelib.services.planning import session_id_for
    from tests.ledger import Ledger

    url, aws_url = limited_server
    operator, admin = login(url, OPERATOR), login(url, MUMBAI_ADMIN)
    today = local_date(get_settings().country, int(time.time()))
    session_id = session_id_for(100001, today, "COVISHIELD")  # Seven Hills, today: in the operator's district
    # Four people registered on one consenting mobile: four of the day's six actions.
    first = consent(url, operator, "9123480011")
    people = []
    for seed in range(61_000, 61_004):
        answer = requests.post(f"{url}/v2/assisted/beneficiary/new", json=person(seed), headers=first, timeout=10)
        assert answer.status_code == 200, answer.text
        people.append(answer.json()["beneficiary_reference_id"])
    # Then, at once: a booking for each of them, and three registrations on each of two more mobiles.
    second, third = consent(url, operator, "9123480012"), consent(url, operator, "9123480013")
    calls = [("/v2/assisted/appointment/schedule", first, {"dose": 1, "session_id": session_id,
                                                            "slot": "09:00AM-11:00AM", "beneficiaries": [ref]})
             for ref in people]
    calls += [("/v2/assisted/beneficiary/new", headers, person(seed))
              for headers, seeds in ((second, range(61_010, 61_013)), (third, range(61_020, 61_023))) for seed in seeds]
    answers = together(calls, lambda call: requests.post(f"{url}{call[0]}", json=call[2], headers=call[1],
                                                         timeout=60), jitter_seconds=0.05)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * (LIMIT - 4) + [429] * (len(calls) - LIMIT + 4), [a.text for a in answers]
    assert all(a.json()["errorCode"] == "USRRES0429" and int(a.headers["Retry-After"]) > 0
               for a in answers if a.status_code == 429)

    # Exactly one record per action done, none for the refused, and the day's count is the limit.
    report = operators_day(url, admin, today.strftime("%d-%m-%Y"))
    assert report["counts"]["register"] + report["counts"]["book"] == LIMIT
    recorded = [row for row in report["actions"] if row["action"] != "consent"]
    assert len(recorded) == LIMIT and report["counts"]["consent"] == 3
    booked = {a.json()["appointment_id"] for a in answers if a.status_code == 200 and "appointment_id" in a.json()}
    registered = {a.json()["beneficiary_reference_id"] for a in answers
                  if a.status_code == 200 and "beneficiary_reference_id" in a.json()}
    assert len(booked) + len(registered) == LIMIT - 4
    assert {row["appointment_id"] for row in recorded if row["action"] == "book"} == booked
    assert {row["beneficiaries"][0] for row in recorded if row["action"] == "register"} == set(people) | registered
    from chalicelib.domain.assisted import actions_today

    window = actions_today(get_settings().country, OPERATOR, int(time.time()))
    assert stored_item(aws_url, "rate-limits", {"key": window.key})["count"] == LIMIT
    # What was refused left nothing behind: the session's seats equal the places booked in it.
    ledger = Ledger(boto3.client("dynamodb", endpoint_url=aws_url, region_name=get_settings().region))
    ledger.assert_books_balance(session_id)
    assert {p["appointment_id"] for p in ledger.places(session_id)} >= booked
    for ref in people:
        ledger.assert_person_consistent(ref)
