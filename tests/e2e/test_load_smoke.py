"""The load test's own test: a few seconds of the campaign mix (load/locustfile.py, run by locust as
`make load` runs it) on the shared local server, through load.run's functions. The run must answer
without errors and leave every invariant; and the checker must fail on a planted oversell and on a
dose the API confirmed but the table lacks, or its PASS would prove nothing."""
import uuid

import pytest

from chalicelib.config import get_settings
from load import run as load
from tests.e2e.helpers import login

pytestmark = pytest.mark.e2e


def test_a_short_load_run_keeps_every_invariant_and_the_checker_catches_an_oversell_and_a_lost_dose(server, tmp_path):
    url, aws_url = server
    plan = load.seed(url, login(url, load.STATE_ADMIN), booking_sessions=2, seats=4)
    run = load.run_locust(url, plan, tmp_path, users=5, spawn_rate=5, duration=8, vaccinators=1, pace=0.2)
    assert run.total.requests > 0 and run.total.failures == 0, (run.total, run.failures, run.log.read_text()[-2000:])
    assert "/v2/auth/generateOTP" in {route.name for route in run.routes}  # the citizen logged in (or tried to)

    dynamodb = load.dynamodb_client(aws_url)
    journal, verdict = load.check(dynamodb, run, whole=False)
    assert verdict.ok, verdict.summary()
    assert verdict.checked["sessions"] >= 3, verdict.checked  # today's session and the 2 contended ones

    sessions = get_settings().table_name("sessions")
    key = {"session_id": {"S": plan["booking_sessions"][0]["session_id"]}}
    stored = dynamodb.get_item(TableName=sessions, Key=key, ConsistentRead=True)["Item"]
    dynamodb.update_item(TableName=sessions, Key=key, UpdateExpression="SET booked_dose1 = capacity_dose1 + :one",
                         ExpressionAttributeValues={":one": {"N": "1"}})
    try:
        planted = load.verdict(dynamodb, journal, whole=False)
    finally:
        dynamodb.put_item(TableName=sessions, Item=stored)
    assert not planted.ok and any("OVERSOLD" in problem for problem in planted.problems), planted.summary()

    journal.doses.append({"ref": "10000000000001", "dose": 1, "record_id": str(uuid.uuid4()),
                          "session": plan["dose_session"]["session_id"]})  # confirmed to the load, never stored
    lost = load.verdict(dynamodb, journal, whole=False)
    assert any("LOST" in problem for problem in lost.problems), lost.summary()
