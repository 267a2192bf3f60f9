"""Reminders with a moved clock: each sent once, when due, in the account's language, and not to
people who no longer need it (tests call the scheduled job with the instants they choose)."""
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.config import get_settings, load_pack
from chalicelib.domain import reminders as rules
from chalicelib.domain.messages import Place
from chalicelib.services import reminders
from local import carrier, dispatcher
from tests.api.test_vaccination_api import (
    BASE,
    VACCINATOR,
    VERIFIER,
    book,
    day_of,
    door,
    dose,
    register,
    session_at,
)
from tests.helpers import post

CITIZEN = "9876543210"


def at(day: date, hour: int, minute: int = 0) -> int:
    return int(datetime.combine(day, time(hour, minute), ZoneInfo("Asia/Kolkata")).timestamp())


def sent(kind_words: str) -> list[str]:
    return [m["message"] for m in carrier.messages_for(CITIZEN) if kind_words in m["message"]]


@pytest.fixture
def worker(api, seeded):
    from app import app

    return app


def run(app, now: int) -> dict:
    counts = reminders.send_due(now, get_settings().country)
    dispatcher.drain(app)
    return counts


def test_the_day_before_an_appointment_once_at_the_hour_in_the_accounts_language(api, worker, seeded, as_):
    citizen = as_(CITIZEN)
    api.http.put("/v2/account/settings", headers={**citizen, "Content-Type": "application/json"},
                 body=json.dumps({"language": "hi"}))
    ref = register(api, citizen, 1)
    appointment_id, _ = book(api, citizen, session_at(seeded, days=3), [ref])
    eve = day_of(seeded, 2)
    hour = get_settings().country.reminder_hour
    assert run(worker, at(eve, hour) - 60) == {"sent": 0, "dropped": 0}  # not yet
    assert run(worker, at(eve, hour, 5)) == {"sent": 1, "dropped": 0}
    [text] = [m["message"] for m in carrier.messages_for(CITIZEN) if appointment_id in m["message"]
              and "कल" in m["message"]]  # "tomorrow", in Hindi
    assert day_of(seeded, 3).strftime("%d-%m-%Y") in text
    assert run(worker, at(eve, hour, 20)) == {"sent": 0, "dropped": 0}  # once


def test_a_cancelled_or_moved_appointment_is_not_reminded_of(api, worker, seeded, as_):
    citizen = as_(CITIZEN)
    first, second = register(api, citizen, 1), register(api, citizen, 2)
    cancelled, _ = book(api, citizen, session_at(seeded, days=3), [first])
    moved, _ = book(api, citizen, session_at(seeded, center_id=100002, days=3), [second])
    assert post(api, "/v2/appointment/cancel", {"appointment_id": cancelled, "beneficiariesToCancel": [first]},
                citizen).status_code == 204
    assert post(api, "/v2/appointment/reschedule", {"appointment_id": moved, "slot": "09:00AM-11:00AM",
                "session_id": session_at(seeded, center_id=100002, days=4)}, citizen).status_code == 204
    hour = get_settings().country.reminder_hour
    assert run(worker, at(day_of(seeded, 2), hour, 1)) == {"sent": 0, "dropped": 2}
    assert run(worker, at(day_of(seeded, 3), hour, 1)) == {"sent": 1, "dropped": 0}  # the moved one, a day later
    assert [m for m in sent("tomorrow") if moved in m and day_of(seeded, 4).strftime("%d-%m-%Y") in m]


def test_dose_2_when_its_window_opens_and_no_last_call_once_it_is_booked(api, worker, seeded, as_):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    session_id = session_at(seeded)
    appointment_id, code = book(api, citizen, session_id, [ref])
    assert post(api, f"{BASE}/verify", door(appointment_id, ref, session_id, code), as_(VERIFIER)).status_code == 200
    assert post(api, f"{BASE}/doses", dose(ref, session_id), as_(VACCINATOR)).status_code == 201
    dispatcher.drain(worker)  # the dose's stream event keeps its reminders
    covishield = get_settings().country.vaccine("COVISHIELD")
    opens = day_of(seeded, covishield.min_interval_days)
    hour = get_settings().country.reminder_hour
    assert run(worker, at(opens, hour) - 60)["sent"] == 0
    assert run(worker, at(opens, hour, 1)) == {"sent": 1, "dropped": 0}
    [text] = sent("dose 2 of COVISHIELD")
    assert ref[-4:] in text and "from today" in text
    from chalicelib.store.registration import BeneficiaryItem

    BeneficiaryItem(ref).update(actions=[BeneficiaryItem.appointment_dose2.set({"appointment_id": "booked-later"})])
    last_call = day_of(seeded, covishield.max_interval_days - get_settings().country.dose2_closing_reminder_days)
    assert run(worker, at(last_call, hour, 1)) == {"sent": 0, "dropped": 1}  # booked: it needs no last call


def test_the_rules_of_what_falls_due():
    india = get_settings().country
    covishield = india.vaccine("COVISHIELD")
    today = date(2026, 12, 1)
    where = Place("PHC", "Main Road", "02-12-2026", "09:00AM-11:00AM")
    assert rules.for_appointment("a", "m", today, where, today, india) is None
    tomorrow = rules.for_appointment("a", "m", today + timedelta(days=1), where, today, india)
    assert (tomorrow.due_day, tomorrow.due_at) == ("2026-12-01", at(today, india.reminder_hour))
    kinds = [(r.kind, r.due_day) for r in rules.after_dose("12345678901234", "m", 1, today, covishield, india)]
    assert kinds == [("dose2_open", "2027-02-23"), ("dose2_closing", "2027-03-16")]  # 84 days; 112 - 7
    # India's precaution dose: 182 days after dose 2 for an adult (born 1990); a 15-17 (born 2010) gets none
    # until the year they turn 18.
    [precaution] = rules.after_dose("12345678901234", "m", 2, today, covishield, india, birth_year=1990)
    assert (precaution.kind, precaution.due_day) == ("precaution_due", "2027-06-01")
    [later] = rules.after_dose("12345678901234", "m", 2, today, covishield, india, birth_year=2010)
    assert later.due_day == "2028-01-01"
    assert rules.after_dose("12345678901234", "m", 3, today, covishield, india, birth_year=1990,
                            precaution=True) == []  # the precaution dose itself makes nothing due
    single = load_pack("ug").vaccine("JANSSEN")
    assert rules.after_dose("1", "m", 1, today, single, load_pack("ug"), birth_year=1990) == []  # Uganda gives none
    assert rules.still_needed(precaution, person={"doses_given": 2, "total_doses": 2})
    assert not rules.still_needed(precaution, person={"doses_given": 3, "total_doses": 2})
    assert not rules.still_needed(precaution, person={"doses_given": 2, "total_doses": 2,
                                                      "appointment_precaution": {"appointment_id": "a"}})
    assert not rules.still_needed(precaution, person=None)


def test_the_job_hands_each_shard_to_the_workers_who_hand_back_what_they_cannot_finish(api, worker, seeded, as_,
                                                                                       monkeypatch):
    from chalicelib.events import reminders as reminder_events

    citizen = as_(CITIZEN)
    refs = [register(api, citizen, n) for n in (1, 2, 3)]
    booked = [book(api, citizen, session_at(seeded, center_id=100001 + n, days=3), [ref])[0]
              for n, ref in enumerate(refs)]
    monkeypatch.setattr(reminder_events, "WORK_SECONDS", -1.0)  # every worker out of time after one reminder
    eve = at(day_of(seeded, 2), get_settings().country.reminder_hour, 5)
    reminders.due_shards(eve, get_settings().country)
    dispatcher.drain(worker, rounds=40)
    assert sorted(a for a in booked for m in sent("tomorrow") if a in m) == sorted(booked)  # each once
    event = {"Records": [{"messageId": "junk", "body": "{\"day\": 1}", "attributes": {}, "messageAttributes": {},
                          "eventSource": "aws:sqs", "receiptHandle": "r", "md5OfBody": ""}]}
    assert worker.handler_map["send_reminder_shard"](event, dispatcher.LambdaContext()) == {"batchItemFailures": []}
