"""Booking rules, pure: requests, eligibility by age and dose, seats."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain import booking as rules
from chalicelib.domain.errors import ApiError

INDIA = load_pack("in")
DAY = date(2021, 8, 1)


def session(**overrides) -> rules.SessionFacts:
    values = {"date": DAY, "vaccine": "COVISHIELD", "min_age_limit": 18, "max_age_limit": 44, "allow_all_age": False,
              "status": "ACTIVE", "slots": ("09:00AM-11:00AM",)}
    return rules.SessionFacts(**{**values, **overrides})


def person(**overrides) -> rules.BeneficiaryFacts:
    values = {"reference_id": "12345678901234", "birth_year": 1990, "doses_given": 0, "vaccine": None,
              "dose_dates": (), "booked_doses": frozenset()}
    return rules.BeneficiaryFacts(**{**values, **overrides})


def code_of(call) -> str:
    with pytest.raises(ApiError) as raised:
        call()
    return raised.value.error.code


@pytest.mark.parametrize("raw, dose", [(1, 1), ("2", 2), (" 1 ", 1)])
def test_dose_may_arrive_as_a_string(raw, dose):
    assert rules.parse_dose({"dose": raw}) == dose


@pytest.mark.parametrize("raw", [0, 4, "one", "1.5", None])
def test_bad_doses(raw):
    assert code_of(lambda: rules.parse_dose({"dose": raw})) in ("APPOIN0011", "USRRES0001")


def test_beneficiary_lists():
    assert rules.reference_ids(["12345678901234", " 12345678901235 "], INDIA) == ("12345678901234", "12345678901235")
    assert code_of(lambda: rules.reference_ids(["1"] * 5, INDIA)) == "APPOIN0012"
    assert code_of(lambda: rules.reference_ids(["12345678901234"] * 2, INDIA)) == "USRRES0003"
    assert code_of(lambda: rules.reference_ids("12345678901234", INDIA)) == "USRRES0001"
    assert code_of(lambda: rules.reference_ids(["１２３４５６７８９０１２３４"], INDIA)) == "BENREG0009"


# Adults (18+ on DAY, 2021): the session's limits alone decide; tests/unit/test_programmes.py states the cohorts.
@given(st.integers(1900, 2003), st.integers(18, 60), st.one_of(st.none(), st.integers(18, 100)), st.booleans())
def test_age_is_within_the_session_limits_on_its_date(birth_year, min_age, max_age, allow_all):
    facts = session(min_age_limit=min_age, max_age_limit=max_age, allow_all_age=allow_all)
    age = DAY.year - birth_year
    eligible = (min_age <= age or (allow_all and age >= INDIA.min_age_years)) and (
        max_age is None or age <= max_age or allow_all)
    if eligible:
        rules.check_eligible(person(birth_year=birth_year), facts, 1, INDIA)
    else:
        assert code_of(lambda: rules.check_eligible(person(birth_year=birth_year), facts, 1, INDIA)) == "APPOIN0020"


@given(st.integers(-10, 130))
def test_dose_2_only_inside_the_vaccines_interval(days_after_dose1):
    dose1 = DAY - timedelta(days=days_after_dose1)
    given_person = person(doses_given=1, vaccine="COVISHIELD", dose_dates=(dose1,))
    if 84 <= days_after_dose1 <= 112:
        rules.check_eligible(given_person, session(), 2, INDIA)
    else:
        assert code_of(lambda: rules.check_eligible(given_person, session(), 2, INDIA)) == "APPOIN0023"


def test_dose_order_and_vaccine():
    assert code_of(lambda: rules.check_eligible(person(), session(), 2, INDIA)) == "APPOIN0021"
    assert code_of(lambda: rules.check_eligible(person(doses_given=1, vaccine="COVISHIELD", dose_dates=(DAY,)),
                                                session(), 1, INDIA)) == "APPOIN0021"
    covaxin_first = person(doses_given=1, vaccine="COVAXIN", dose_dates=(DAY - timedelta(days=90),))
    assert code_of(lambda: rules.check_eligible(covaxin_first, session(), 2, INDIA)) == "APPOIN0022"
    both = person(doses_given=2, vaccine="COVISHIELD", dose_dates=(DAY - timedelta(days=90),))
    assert code_of(lambda: rules.check_eligible(both, session(), 2, INDIA)) == "APPOIN0021"
    assert code_of(lambda: rules.check_eligible(person(booked_doses=frozenset({1})), session(), 1,
                                                INDIA)) == "APPOIN0024"


def test_the_session_must_be_active_today_or_later_and_have_the_slot():
    assert code_of(lambda: rules.check_session(session(status="CANCELLED"), "09:00AM-11:00AM", DAY)) == "PLANNG0012"
    assert code_of(lambda: rules.check_session(session(), "09:00AM-11:00AM", DAY + timedelta(days=1))) == "APPOIN0017"
    assert code_of(lambda: rules.check_session(session(), "11:00AM-01:00PM", DAY)) == "APPOIN0015"
    rules.check_session(session(), "09:00AM-11:00AM", DAY)


@given(st.integers(0, 100), st.integers(0, 120), st.integers(0, 100), st.integers(0, 120))
def test_seats_left_is_the_tighter_of_dose_and_slot_never_negative(dose_cap, dose_booked, slot_cap, slot_booked):
    left = rules.seats_left(dose_cap, dose_booked, slot_cap, slot_booked)
    assert left == max(0, min(dose_cap - dose_booked, slot_cap - slot_booked))


def test_security_codes_are_four_digits_keyed_by_the_appointment():
    codes = {rules.security_code(b"key", f"appointment-{n}") for n in range(200)}
    assert all(len(c) == 4 and c.isdigit() for c in codes) and len(codes) > 150
    assert rules.security_code(b"key", "a") == rules.security_code(b"key", "a")
    assert rules.security_code(b"key", "a") != rules.security_code(b"another key", "a") or \
        rules.security_code(b"key", "b") != rules.security_code(b"another key", "b")
