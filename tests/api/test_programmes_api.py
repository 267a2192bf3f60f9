"""The programme through the API: a precaution dose planned, found, booked on its own capacity, given
and certified as one; cohorts at planning and booking; and a pack change (the precaution interval)
changing who may book, with no code change."""
from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest

from chalicelib.config import get_settings
from chalicelib.store.planning import SessionItem
from chalicelib.store.registration import BeneficiaryItem
from tests.api.conftest import drain
from tests.api.test_vaccination_api import (
    BASE,
    CITIZEN,
    MUMBAI_ADMIN,
    SLOT,
    VACCINATOR,
    VERIFIER,
    day_of,
    door,
    dose,
    register,
    session_at,
)
from tests.helpers import get_json, person, post

SESSIONS = "/v2/admin/sessions"
CENTRE = 100004  # a free Mumbai demo centre
LATER = 20  # days ahead: past the demo's week of sessions


def plan(api, as_, seeded, **changes) -> dict:
    body = {"center_id": CENTRE, "date": day_of(seeded, LATER).strftime("%d-%m-%Y"), "vaccine": "COVISHIELD",
            "min_age_limit": 18, "capacity_dose1": 0, "capacity_dose2": 0, "capacity_precaution": 10, "slots": [SLOT],
            **changes}
    response = post(api, SESSIONS, body, as_(MUMBAI_ADMIN))
    assert response.status_code == 201, response.body
    return response.json_body


def given_two_doses(ref: str, seeded: str, days_ago: int, vaccine: str = "COVISHIELD") -> None:
    """The person's primary series, as an earlier campaign recorded it (test setup, in the store)."""
    last = day_of(seeded, -days_ago)
    BeneficiaryItem(ref).update(actions=[
        BeneficiaryItem.doses_given.set(2), BeneficiaryItem.vaccine.set(vaccine),
        BeneficiaryItem.dose1_date.set((last - timedelta(days=84)).isoformat()),
        BeneficiaryItem.dose2_date.set(last.isoformat())])


def schedule(api, headers, session_id: str, ref: str, dose_number: int):
    return post(api, "/v2/appointment/schedule", {"dose": dose_number, "session_id": session_id, "slot": SLOT,
                                                  "beneficiaries": [ref]}, headers)


def test_a_precaution_dose_is_planned_found_booked_given_and_certified_as_one(api, seeded, as_):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    given_two_doses(ref, seeded, days_ago=200)
    today = session_at(seeded)  # the demo's COVISHIELD session at the vaccinator's centre, today
    edited = post(api, f"{SESSIONS}/{today}/capacity", {"capacity_dose1": 50, "capacity_dose2": 50,
                                                         "capacity_precaution": 10, "slots": [
                                                             {"name": SLOT, "capacity": 60},
                                                             {"name": "11:00AM-01:00PM", "capacity": 50}]},
                  as_(MUMBAI_ADMIN))
    assert edited.status_code == 200, edited.body
    session = edited.json_body
    assert (session["capacity_precaution"], session["booked_precaution"]) == (10, 0)

    [found] = [s for s in get_json(api, f"/v2/appointment/sessions/public/calendarByCenter?center_id=100001"
                                        f"&date={seeded}")["centers"]["sessions"]
               if s["session_id"] == session["session_id"]]
    assert (found["precaution_dose"], found["precaution_online_dose_one_available"]) == (1, 10)
    assert found["available_capacity"] == found["available_capacity_dose1"] + found["available_capacity_dose2"] + 10

    assert schedule(api, citizen, session["session_id"], ref, 2).json_body["errorCode"] == "APPOIN0021"
    booked = schedule(api, citizen, session["session_id"], ref, 3)
    assert booked.status_code == 200, booked.body
    appointment_id = booked.json_body["appointment_id"]
    [listed] = get_json(api, "/v2/appointment/beneficiaries", citizen)["beneficiaries"]
    assert [a["dose"] for a in listed["appointments"]] == [3]

    from chalicelib.services.booking import security_code_of

    verified = post(api, f"{BASE}/verify", door(appointment_id, ref, session["session_id"],
                                               security_code_of(appointment_id)), as_(VERIFIER))
    assert verified.status_code == 200, verified.body
    given = post(api, f"{BASE}/doses", dose(ref, session["session_id"], dose=3), as_(VACCINATOR))
    assert given.status_code == 201, given.body
    [listed] = get_json(api, "/v2/appointment/beneficiaries", citizen)["beneficiaries"]
    assert (listed["precaution_dose_date"], listed["precaution_vaccine"], listed["vaccine"]) == \
        (seeded, "COVISHIELD", "COVISHIELD")

    drain()
    credential = get_json(api, f"/v2/registration/certificate/credential?beneficiary_reference_id={ref}", citizen)
    [evidence] = credential["credential"]["evidence"]
    assert (credential["dose"], evidence["dose"], evidence["totalDoses"], evidence["precaution"]) == (3, 3, 3, True)
    checked = post(api, "/v2/certificate/verify", {"qr": credential["qr"]}).json_body
    assert checked["certificate"]["precaution"] is True


def test_a_primary_dose_never_takes_a_precaution_seat_nor_the_reverse(api, seeded, as_):
    citizen = as_(CITIZEN)
    newcomer, boosted = register(api, citizen, 1), register(api, citizen, 2)
    given_two_doses(boosted, seeded, days_ago=200)
    precaution_only = plan(api, as_, seeded)
    assert schedule(api, citizen, precaution_only["session_id"], newcomer, 1).json_body["errorCode"] == "APPOIN0040"
    primary_only = plan(api, as_, seeded, vaccine="COVAXIN", capacity_dose1=5, capacity_precaution=0)
    refused = schedule(api, citizen, primary_only["session_id"], boosted, 3)
    assert refused.json_body["errorCode"] == "APPOIN0052"  # and COVAXIN never follows COVISHIELD


@pytest.mark.parametrize("changes, code", [
    ({"vaccine": "COVAXIN", "min_age_limit": 12, "max_age_limit": 14, "capacity_dose1": 5, "capacity_precaution": 0},
     "PLANNG0006"),  # the 12-14s receive CORBEVAX only
    ({"vaccine": "SPUTNIK V"}, "PLANNG0002"),  # India gives no precaution dose of Sputnik V
    ({"capacity_precaution": -1}, "PLANNG0002"),
    ({"capacity_precaution": "many"}, "USRRES0003"),
])
def test_planning_keeps_to_the_programme(api, seeded, as_, changes, code):
    body = {"center_id": CENTRE, "date": day_of(seeded, LATER).strftime("%d-%m-%Y"), "vaccine": "COVISHIELD",
            "min_age_limit": 18, "capacity_dose1": 0, "capacity_dose2": 0, "capacity_precaution": 10, "slots": [SLOT],
            **changes}
    response = post(api, SESSIONS, body, as_(MUMBAI_ADMIN))
    assert (response.status_code, response.json_body["errorCode"]) == (400, code), response.body


def test_a_child_books_only_the_vaccine_and_session_of_their_cohort(api, seeded, as_):
    citizen = as_(CITIZEN)
    child = post(api, "/v2/registration/beneficiary/new", person(1, birth_year=int(seeded[-4:]) - 13), citizen)
    assert child.status_code == 200, child.body
    ref = child.json_body["beneficiary_reference_id"]
    corbevax = plan(api, as_, seeded, vaccine="CORBEVAX", min_age_limit=12, max_age_limit=14, capacity_dose1=5,
                    capacity_precaution=0)
    adults = plan(api, as_, seeded, min_age_limit=18, capacity_dose1=5, capacity_precaution=0)
    assert schedule(api, citizen, adults["session_id"], ref, 1).json_body["errorCode"] == "APPOIN0020"
    assert schedule(api, citizen, corbevax["session_id"], ref, 1).status_code == 200


def test_an_occupation_is_one_of_the_packs(api, seeded, as_):
    citizen = as_(CITIZEN)
    refused = post(api, "/v2/registration/beneficiary/new", person(1, occupation="astronaut"), citizen)
    assert (refused.status_code, refused.json_body["errorCode"]) == (400, "BENREG0026")
    assert post(api, "/v2/registration/beneficiary/new", person(1, occupation="health_worker"),
                citizen).status_code == 200


@pytest.fixture
def nine_month_interval(monkeypatch):
    """India's pack as it stood from January to July 2022: the precaution dose 39 weeks after dose 2."""
    vaccines = [dataclasses.asdict(v) for v in get_settings().country.vaccines]
    for vaccine in vaccines:
        if vaccine["precaution"]:
            vaccine["precaution"]["min_interval_days"] = 273
            vaccine["precaution"]["opens_on"] = vaccine["precaution"]["opens_on"] and \
                vaccine["precaution"]["opens_on"].isoformat()
    monkeypatch.setenv("TEEKA_COUNTRY_PROFILE", json.dumps({"vaccines": vaccines}))
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_pack_decides_who_may_book_a_precaution_dose(api, seeded, as_, request):
    """Seven months after dose 2: bookable under the 26-week rule; then, with the pack alone changed to
    39 weeks, not; the code is the same."""
    citizen = as_(CITIZEN)
    first, second = register(api, citizen, 1), register(api, citizen, 2)
    for ref in (first, second):
        given_two_doses(ref, seeded, days_ago=210)
    session = plan(api, as_, seeded)
    assert schedule(api, citizen, session["session_id"], first, 3).status_code == 200
    request.getfixturevalue("nine_month_interval")
    refused = schedule(api, citizen, session["session_id"], second, 3)
    assert (refused.status_code, refused.json_body["errorCode"]) == (400, "APPOIN0023"), refused.body


def test_a_session_planned_before_precaution_seats_existed_takes_them_once_given(api, seeded, as_):
    """A session item written without the precaution counters (before this feature) gets them with its
    capacity edit, and a precaution booking then takes a seat."""
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    given_two_doses(ref, seeded, days_ago=200)
    session_id = session_at(seeded, days=1)
    SessionItem(session_id).update(actions=[SessionItem.capacity_precaution.remove(),
                                            SessionItem.booked_precaution.remove()])
    current = SessionItem.get(session_id)
    slots = [{"name": slot["name"], "capacity": int(slot["capacity"])} for slot in current.slots]
    slots[0]["capacity"] += 5
    edited = post(api, f"{SESSIONS}/{session_id}/capacity", {
        "capacity_dose1": int(current.capacity_dose1), "capacity_dose2": int(current.capacity_dose2),
        "capacity_precaution": 5, "slots": slots}, as_(MUMBAI_ADMIN))
    assert edited.status_code == 200, edited.body
    booked = post(api, "/v2/appointment/schedule", {"dose": 3, "session_id": session_id, "slot": slots[0]["name"],
                                                    "beneficiaries": [ref]}, citizen)
    assert booked.status_code == 200, booked.body
    assert int(SessionItem.get(session_id, consistent_read=True).booked_precaution) == 1
