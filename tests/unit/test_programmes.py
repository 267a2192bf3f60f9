"""The programme's rules (cohorts, vaccines per cohort, intervals, precaution doses, heterologous
series) against a plain statement of them, over generated people, dates and packs; and booking and
dose capture asking the same rules."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.config import PackError, load_pack
from chalicelib.domain import booking, programmes, vaccination
from chalicelib.domain.errors import ApiError

INDIA = load_pack("in")


def with_precaution_interval(profile, days: int):
    """The pack with every precaution dose `days` after the series' last dose: a pack change, no code."""
    vaccines = tuple(dataclasses.replace(v, precaution=dataclasses.replace(v.precaution, min_interval_days=days))
                     if v.precaution else v for v in profile.vaccines)
    return dataclasses.replace(profile, vaccines=vaccines)


def allowed_by_the_plain_statement(person: programmes.Person, dose: int, vaccine_name: str, on: date, pack,
                                   keep_to_window: bool) -> bool:
    """The rules as the docs state them (docs/programmes.md), written out without the implementation."""
    age = on.year - person.birth_year
    vaccine = pack.vaccine(vaccine_name)

    def member(cohort) -> bool:
        return (cohort.min_age <= age and (cohort.max_age is None or age <= cohort.max_age)
                and (not cohort.occupations or person.occupation in cohort.occupations)
                and (person.comorbidity or not cohort.comorbidity))

    if dose == 1:  # a cohort that is open and gives this vaccine
        return age >= vaccine.min_age_years and any(
            member(c) and c.opens_on <= on and vaccine_name in c.vaccines for c in pack.cohorts)
    series = pack.vaccine(person.series_vaccine)
    days = (on - person.dose_dates[dose - 2]).days
    if dose <= series.total_doses:  # the same vaccine, inside its interval
        return (vaccine_name == series.name and days >= series.min_interval_days
                and (not keep_to_window or days <= series.max_interval_days))
    if dose == series.total_doses + 1:  # a precaution dose that may follow this series, for an open cohort
        precaution = vaccine.precaution
        return (precaution is not None and series.name in precaution.follows
                and (precaution.opens_on is None or precaution.opens_on <= on)
                and any(member(c) and c.precaution_opens_on is not None and c.precaution_opens_on <= on
                        for c in pack.cohorts)
                and days >= precaution.min_interval_days
                and (not keep_to_window or not precaution.max_interval_days or days <= precaution.max_interval_days))
    return False


def verdict(call) -> str | None:
    try:
        call()
    except ApiError as error:
        return error.error.code
    return None


vaccine_names = st.sampled_from([v.name for v in INDIA.vaccines])
days = st.dates(date(2020, 12, 1), date(2023, 12, 31))


@st.composite
def people(draw):
    """A person with a consistent history: doses given so far, the series' vaccine, and the dates."""
    doses = draw(st.integers(0, 3))
    series = draw(vaccine_names) if doses else None
    gaps = draw(st.lists(st.integers(0, 400), min_size=doses, max_size=doses))
    last = draw(days)
    dates = []
    for gap in reversed(gaps):
        dates.insert(0, last)
        last -= timedelta(days=gap)
    return programmes.Person(birth_year=draw(st.integers(1925, 2012)), doses_given=doses, series_vaccine=series,
                             dose_dates=tuple(dates),
                             occupation=draw(st.sampled_from([None, "health_worker", "front_line_worker"])),
                             comorbidity=draw(st.booleans()))


@settings(max_examples=1500)
@given(person=people(), vaccine=vaccine_names, on=days, keep_to_window=st.booleans(),
       interval=st.sampled_from([182, 273]))
def test_the_rules_are_the_plain_statement_of_them(person, vaccine, on, keep_to_window, interval):
    pack = with_precaution_interval(INDIA, interval)
    dose = person.doses_given + 1
    if person.dose_dates and on < person.dose_dates[-1]:
        on = person.dose_dates[-1]
    outcome = verdict(lambda: programmes.check(person, dose, pack.vaccine(vaccine), on, pack,
                                               keep_to_window=keep_to_window))
    assert (outcome is None) == allowed_by_the_plain_statement(person, dose, vaccine, on, pack, keep_to_window), outcome


def facts(person: programmes.Person) -> booking.BeneficiaryFacts:
    return booking.BeneficiaryFacts("12345678901234", person.birth_year, person.doses_given, person.series_vaccine,
                                    person.dose_dates, frozenset(), person.occupation, person.comorbidity)


@settings(max_examples=1000)
@given(person=people(), vaccine=vaccine_names, on=days)
def test_booking_and_dose_capture_ask_the_same_rules(person, vaccine, on):
    """They agree on every person, vaccine and day, but one thing: a dose later than its interval's end
    is not booked, yet is given (the series is never restarted)."""
    dose = person.doses_given + 1
    session = booking.SessionFacts(on, vaccine, 12, None, False, "ACTIVE", ("09:00AM-11:00AM",))
    booked = verdict(lambda: booking.check_eligible(facts(person), session, dose, INDIA))
    given_ = verdict(lambda: vaccination.check_dose(facts(person), session, dose, vaccine, on, INDIA))
    late = booked == "APPOIN0023" and verdict(lambda: programmes.check(
        person, dose, INDIA.vaccine(vaccine), on, INDIA, keep_to_window=False)) is None
    assert booked == given_ or (late and given_ is None), (booked, given_)


ADULT = programmes.Person(birth_year=1980, doses_given=2, series_vaccine="COVISHIELD",
                          dose_dates=(date(2022, 1, 1), date(2022, 4, 1)))


def test_changing_the_precaution_interval_in_the_pack_changes_who_may_have_one():
    on = date(2022, 4, 1) + timedelta(days=200)
    six_months, nine_months = with_precaution_interval(INDIA, 182), with_precaution_interval(INDIA, 273)
    programmes.check(ADULT, 3, six_months.vaccine("COVISHIELD"), on, six_months, keep_to_window=True)
    assert verdict(lambda: programmes.check(ADULT, 3, nine_months.vaccine("COVISHIELD"), on, nine_months,
                                            keep_to_window=True)) == "APPOIN0023"


def test_indias_cohorts_and_precaution_rules():
    covaxin, corbevax, covishield = (INDIA.vaccine(n) for n in ("COVAXIN", "CORBEVAX", "COVISHIELD"))
    teen = programmes.Person(birth_year=2006, doses_given=0, series_vaccine=None)
    assert verdict(lambda: programmes.check(teen, 1, covaxin, date(2022, 1, 2), INDIA, keep_to_window=True)) \
        == "APPOIN0050"  # 15-17 opened on 3 January 2022
    programmes.check(teen, 1, covaxin, date(2022, 1, 3), INDIA, keep_to_window=True)
    assert verdict(lambda: programmes.check(teen, 1, covishield, date(2022, 1, 3), INDIA, keep_to_window=True)) \
        == "APPOIN0051"  # COVAXIN only
    child = programmes.Person(birth_year=2009, doses_given=0, series_vaccine=None)
    programmes.check(child, 1, corbevax, date(2022, 3, 16), INDIA, keep_to_window=True)
    # Heterologous: CORBEVAX after COVISHIELD from 12 August 2022; COVAXIN never after COVISHIELD.
    assert verdict(lambda: programmes.check(ADULT, 3, corbevax, date(2022, 8, 11), INDIA, keep_to_window=True)) \
        == "APPOIN0052"
    programmes.check(ADULT, 3, corbevax, date(2022, 10, 1), INDIA, keep_to_window=True)
    assert verdict(lambda: programmes.check(ADULT, 3, covaxin, date(2022, 10, 1), INDIA, keep_to_window=True)) \
        == "APPOIN0052"
    # A health worker's precaution dose opened on 10 January 2022; an 18-44's on 10 April 2022.
    worker = dataclasses.replace(ADULT, dose_dates=(date(2021, 1, 20), date(2021, 4, 20)), occupation="health_worker")
    programmes.check(worker, 3, covishield, date(2022, 1, 10), INDIA, keep_to_window=True)
    assert verdict(lambda: programmes.check(dataclasses.replace(worker, occupation=None), 3, covishield,
                                            date(2022, 1, 10), INDIA, keep_to_window=True)) == "APPOIN0050"
    # The 15-17s got no precaution dose; no fourth dose for anyone.
    done_teen = programmes.Person(2006, 2, "COVAXIN", (date(2022, 1, 3), date(2022, 2, 1)))
    assert verdict(lambda: programmes.check(done_teen, 3, covaxin, date(2022, 12, 1), INDIA, keep_to_window=True)) \
        == "APPOIN0050"
    boosted = programmes.Person(1980, 3, "COVISHIELD", (date(2021, 6, 1), date(2021, 9, 1), date(2022, 4, 10)))
    assert verdict(lambda: programmes.check(boosted, 4, covishield, date(2023, 1, 1), INDIA, keep_to_window=True)) \
        == "APPOIN0021"


def test_the_seat_a_dose_takes():
    covishield, janssen = INDIA.vaccine("COVISHIELD"), load_pack("ug").vaccine("JANSSEN")
    assert [programmes.seat_kind(dose, covishield) for dose in (1, 2, 3)] == ["dose1", "dose2", "precaution"]
    assert programmes.seat_kind(2, janssen) == "precaution"  # a one-dose series: dose 2 is the precaution dose


@given(birth_year=st.integers(1930, 2012), last=days, interval=st.sampled_from([182, 273]))
def test_the_precaution_reminder_falls_on_the_first_day_the_rules_allow_by_age(birth_year, last, interval):
    pack = with_precaution_interval(INDIA, interval)
    due = programmes.precaution_due(birth_year, pack.vaccine("COVISHIELD"), last, pack)
    person = programmes.Person(birth_year, 2, "COVISHIELD", (last - timedelta(days=84), last))

    def allowed(day: date) -> bool:
        return any(verdict(lambda v=v: programmes.check(person, 3, pack.vaccine(v), day, pack,
                                                        keep_to_window=True)) is None
                   for v in ("COVISHIELD", "CORBEVAX"))

    if due is None:  # nobody of these ages ever gets one (the 15-17s, the 12-14s)
        assert not any(allowed(last + timedelta(days=d)) for d in range(0, 3 * 365, 30))
    else:
        assert allowed(due) and not allowed(due - timedelta(days=1))


@pytest.mark.parametrize("change, message", [
    ({"cohorts": []}, "cohorts must be a non-empty list"),
    ({"cohorts": [{"key": "x", "name": "X", "min_age": 18, "opens_on": "2021-01-01", "vaccines": ["NOVAVAX"]}]},
     "names a vaccine the pack lacks"),
    ({"cohorts": [{"key": "x", "name": "X", "min_age": 18, "opens_on": "2021-01-01", "vaccines": ["COVAXIN"],
                   "occupations": ["pilot"]}]}, "names an occupation the pack lacks"),
    ({"cohorts": [{"key": "x", "name": "X", "min_age": 18, "opens_on": "01-01-2021", "vaccines": ["COVAXIN"]}]},
     "expected a date"),
])
def test_a_pack_whose_programme_names_what_it_lacks_is_refused(change, message):
    with pytest.raises(PackError, match=message):
        INDIA.with_overrides(change)
