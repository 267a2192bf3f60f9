"""Planning and availability rules, pure: slots, capacities, sessions, and CoWIN's shapes."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain import availability as shapes
from chalicelib.domain import planning as rules
from chalicelib.domain.errors import ApiError

INDIA = load_pack("in")
TODAY = date(2021, 6, 1)
CENTRE = rules.Centre(name="PHC", address="Main Road", block_name="Ward 1", district_id=395, state_id=21,
                      pincode=400001, lat=18.9, long=72.8, opens="09:00:00", closes="17:00:00", fee_type="Free")
CENTRE_BODY = {"name": "Seven Hills Hospital", "address": "Marol", "block_name": "Andheri", "district_id": 395,
               "pincode": "400059", "lat": 19.1, "long": 72.9}
slot_names = st.sampled_from(["09:00AM-10:00AM", "10:00AM-11:00AM", "11:00AM-12:00PM", "12:00PM-01:00PM",
                              "01:00PM-05:00PM"])


def code_of(call) -> str:
    with pytest.raises(ApiError) as raised:
        call()
    return raised.value.error.code


@given(st.lists(slot_names, min_size=1, max_size=5, unique=True), st.integers(0, 100_000))
def test_bare_slot_names_share_the_capacity_exactly(names, total):
    slots = rules.parse_slots(names, total)
    assert [slot.name for slot in slots] == names
    assert sum(slot.capacity for slot in slots) == total
    assert all(slot.capacity == total // len(names) for slot in slots[1:])


@given(st.integers(0, 200), st.integers(0, 200), st.integers(0, 200), st.integers(0, 200))
def test_capacity_can_drop_only_to_what_is_booked(new1, new2, booked1, booked2):
    if new1 >= booked1 and new2 >= booked2:
        rules.check_capacity_edit((new1, new2, booked2), (booked1, booked2, booked2))
    else:
        assert code_of(lambda: rules.check_capacity_edit((new1, new2, booked2), (booked1, booked2, booked2))) \
            == "PLANNG0009"


@given(st.dictionaries(slot_names, st.integers(0, 50), min_size=1), st.dictionaries(slot_names, st.integers(0, 50)))
def test_a_slot_with_bookings_keeps_room_for_them(new, booked):
    slots = tuple(rules.Slot(name, capacity) for name, capacity in new.items())
    fits = all(count == 0 or new.get(name, 0) >= count for name, count in booked.items())
    if fits:
        rules.check_slot_edit(slots, booked)
    else:
        assert code_of(lambda: rules.check_slot_edit(slots, booked)) == "PLANNG0009"


@pytest.mark.parametrize("name, ok", [
    ("09:00AM-11:00AM", True), ("11:00AM-01:00PM", True), ("12:00PM-12:30PM", True), ("09:00am-11:00am", True),
    ("11:00AM-09:00AM", False), ("13:00PM-14:00PM", False), ("09:00-11:00", False), ("FORENOON", False),
    ("09:00AM-09:00AM", False), ("０９:00AM-11:00AM", False),
])
def test_slot_names(name, ok):
    if ok:
        assert rules.check_slot_name(name) == name.upper()
    else:
        assert code_of(lambda: rules.check_slot_name(name)) == "PLANNG0001"


def session(**overrides) -> dict:
    return {"center_id": 1, "date": "05-06-2021", "vaccine": "COVISHIELD", "min_age_limit": 18,
            "capacity_dose1": 10, "capacity_dose2": 5, "slots": ["09:00AM-11:00AM"], **overrides}


def test_a_valid_session():
    plan = rules.parse_session(session(vaccine=" covaxin ", allow_all_age="Y"), CENTRE, TODAY, INDIA)
    assert plan.vaccine == "COVAXIN" and plan.date == date(2021, 6, 5) and plan.allow_all_age is True
    assert plan.slots == (rules.Slot("09:00AM-11:00AM", 15),) and plan.fee == "0"


@given(st.integers(-5, INDIA.planning_horizon_days + 5))
def test_sessions_are_planned_from_today_to_the_horizon(offset):
    day = (TODAY + timedelta(days=offset)).strftime("%d-%m-%Y")
    if offset < 0:
        assert code_of(lambda: rules.parse_session(session(date=day), CENTRE, TODAY, INDIA)) == "PLANNG0003"
    elif offset > INDIA.planning_horizon_days:
        assert code_of(lambda: rules.parse_session(session(date=day), CENTRE, TODAY, INDIA)) == "PLANNG0004"
    else:
        assert rules.parse_session(session(date=day), CENTRE, TODAY, INDIA).date == TODAY + timedelta(days=offset)


def test_a_paid_centre_takes_the_vaccines_fee_unless_the_session_sets_one():
    paid = rules.Centre(**{**CENTRE.__dict__, "fee_type": "Paid", "vaccine_fees": {"COVISHIELD": "780"}})
    assert rules.parse_session(session(), paid, TODAY, INDIA).fee == "780"
    assert rules.parse_session(session(fee="700"), paid, TODAY, INDIA).fee == "700"
    assert code_of(lambda: rules.parse_session(session(vaccine="COVAXIN"), paid, TODAY, INDIA)) == "PLANNG0007"
    assert rules.parse_session(session(fee="700"), CENTRE, TODAY, INDIA).fee == "0"


def names(state_id, district_id, language):
    extra = {"state_name_l": "महाराष्ट्र", "district_name_l": "Mumbai"} if language == "hi_IN" else {}
    return {"state_name": "Maharashtra", "district_name": "Mumbai", **extra}


def record(center_id=1, day="2021-06-01", vaccine="COVISHIELD", status="ACTIVE", booked=(0, 0), **overrides):
    return {"session_id": f"{center_id}-{day}-{vaccine}", "center_id": center_id, "name": f"C{center_id}",
            "address": "A", "block_name": "B", "state_id": 21, "district_id": 395, "pincode": 400001,
            "lat": 18.9, "long": 72.8, "opens": "09:00:00", "closes": "17:00:00", "fee_type": "Free", "fee": "0",
            "vaccine_fees": {}, "date": day, "vaccine": vaccine, "status": status, "min_age_limit": 18,
            "max_age_limit": None, "allow_all_age": False, "capacity_dose1": 10, "capacity_dose2": 5,
            "booked_dose1": booked[0], "booked_dose2": booked[1], "slots": [{"name": "09:00AM-11:00AM"}],
            **overrides}


@given(st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["2021-06-01", "2021-06-02"]),
                          st.sampled_from(["COVISHIELD", "COVAXIN"]), st.sampled_from(["ACTIVE", "CANCELLED"])),
                unique_by=lambda t: t[:3]))
def test_the_calendar_groups_active_sessions_by_centre_in_order(rows):
    records = [record(c, d, v, s) for c, d, v, s in rows]
    centres = shapes.calendar(records, names)
    active = sorted((c, d, v) for c, d, v, s in rows if s == "ACTIVE")
    assert [c["center_id"] for c in centres] == sorted({c for c, _, _ in active})
    flattened = [(c["center_id"], s["date"], s["vaccine"]) for c in centres for s in c["sessions"]]
    assert flattened == [(c, date.fromisoformat(d).strftime("%d-%m-%Y"), v) for c, d, v in active]
    assert len(shapes.flat_sessions(records, names)) == len(active)


@given(st.integers(0, 15), st.integers(0, 8))
def test_available_capacity_is_what_is_left_never_negative(booked1, booked2):
    [row] = shapes.flat_sessions([record(booked=(booked1, booked2))], names)
    assert row["available_capacity_dose1"] == max(10 - booked1, 0)
    assert row["available_capacity_dose2"] == max(5 - booked2, 0)
    assert row["available_capacity"] == row["available_capacity_dose1"] + row["available_capacity_dose2"]


def test_hindi_and_english():
    [english] = shapes.flat_sessions([record()], names)
    [hindi] = shapes.flat_sessions([record()], names, "hi_IN")
    assert "name_l" not in english and "state_name_l" not in english
    assert hindi["state_name_l"] == "महाराष्ट्र" and hindi["name_l"] == "C1" and hindi["address_l"] == "A"
    local = {"hi_IN": {"name": "सेवन हिल्स अस्पताल", "address": "मरोल"}}
    [named] = shapes.flat_sessions([record(local_names=local)], names, "hi_IN")
    assert (named["name_l"], named["address_l"], named["block_name_l"]) == ("सेवन हिल्स अस्पताल", "मरोल", "B")


def test_a_centres_local_names_must_be_in_one_of_the_packs_other_languages():
    body = {**CENTRE_BODY, "local_names": {"hi": {"name": "सेवन हिल्स अस्पताल", "block_name": "अंधेरी"}}}
    centre = rules.parse_centre(body, {395: 21}, INDIA)
    assert centre.local_names == {"hi_IN": {"name": "सेवन हिल्स अस्पताल", "block_name": "अंधेरी"}}
    for wrong in ({"en_US": {"name": "x"}}, {"fr": {"name": "x"}}, {"hi_IN": {"nickname": "x"}}, ["hi_IN"],
                  {"hi_IN": "x"}, {"hi_IN": {"name": ""}}):
        spoiled = {**CENTRE_BODY, "local_names": wrong}
        assert code_of(lambda body=spoiled: rules.parse_centre(body, {395: 21}, INDIA)) \
            in ("USRRES0003", "USRRES0001"), wrong
