"""Dose capture rules, pure: when a dose may be given, times, the door check, and the allowance sums."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain import vaccination as rules
from chalicelib.domain.booking import BeneficiaryFacts, SessionFacts
from chalicelib.domain.errors import ApiError

PROFILE = load_pack("in")
DAY = date(2026, 11, 23)
NOW = 1_795_400_000  # 2026-11-23T02:13:20Z, 07:43:20 in India


def session(vaccine="COVISHIELD", day=DAY, min_age=18, max_age=None, status="ACTIVE") -> SessionFacts:
    return SessionFacts(date=day, vaccine=vaccine, min_age_limit=min_age, max_age_limit=max_age, allow_all_age=False,
                        status=status, slots=("09:00AM-11:00AM",))


def person(doses=0, vaccine=None, dose1=None, birth_year=1990) -> BeneficiaryFacts:
    return BeneficiaryFacts(reference_id="12345678901234", birth_year=birth_year, doses_given=doses, vaccine=vaccine,
                            dose_dates=(dose1,) if dose1 else (), booked_doses=frozenset())


def code_of(call) -> str | None:
    try:
        call()
    except ApiError as error:
        return error.error.code
    return None


def test_dose_1_of_the_sessions_vaccine_on_its_day_is_allowed():
    assert code_of(lambda: rules.check_dose(person(), session(), 1, "COVISHIELD", DAY, PROFILE)) is None


@pytest.mark.parametrize("who, dose, vaccine, day, code", [
    (person(), 1, "COVAXIN", DAY, "VACCIN0002"),
    (person(), 1, "COVISHIELD", DAY + timedelta(days=1), "VACCIN0011"),
    (person(birth_year=2015), 1, "COVISHIELD", DAY, "APPOIN0020"),
    (person(doses=1, vaccine="COVISHIELD", dose1=DAY - timedelta(days=100)), 1, "COVISHIELD", DAY, "VACCIN0003"),
    (person(), 2, "COVISHIELD", DAY, "APPOIN0021"),
    (person(doses=1, vaccine="COVAXIN", dose1=DAY - timedelta(days=100)), 2, "COVISHIELD", DAY, "APPOIN0022"),
    (person(doses=1, vaccine="COVISHIELD", dose1=DAY - timedelta(days=83)), 2, "COVISHIELD", DAY, "APPOIN0023"),
    (person(doses=2, vaccine="COVISHIELD", dose1=DAY - timedelta(days=200)), 2, "COVISHIELD", DAY, "VACCIN0003"),
])
def test_each_dose_rule_has_its_own_code(who, dose, vaccine, day, code):
    assert code_of(lambda: rules.check_dose(who, session(), dose, vaccine, day, PROFILE)) == code


def test_a_late_second_dose_is_still_given():
    late = person(doses=1, vaccine="COVISHIELD", dose1=DAY - timedelta(days=400))
    assert code_of(lambda: rules.check_dose(late, session(), 2, "COVISHIELD", DAY, PROFILE)) is None


def test_a_cancelled_session_gives_no_dose():
    assert code_of(lambda: rules.check_dose(person(), session(status="CANCELLED"), 1, "COVISHIELD", DAY,
                                            PROFILE)) == "PLANNG0012"


# The adults' vaccines; tests/unit/test_programmes.py states the cohorts and precaution doses.
vaccines = st.sampled_from(["COVISHIELD", "COVAXIN", "SPUTNIK V"])


@given(doses=st.integers(0, 2), dose=st.integers(1, 2), had=vaccines, giving=vaccines, session_vaccine=vaccines,
       gap=st.integers(0, 200), birth_year=st.integers(1920, 2008), day_offset=st.integers(-1, 1))
def test_dose_rules_agree_with_a_plain_statement_of_them(doses, dose, had, giving, session_vaccine, gap, birth_year,
                                                         day_offset):
    """A dose is allowed exactly when: it is the session's vaccine, on the session's day, the person's age
    fits, it is the next dose, and a second dose is the same vaccine after the minimum interval."""
    who = person(doses=doses, vaccine=had if doses else None, dose1=DAY - timedelta(days=gap) if doses else None,
                 birth_year=birth_year)
    allowed = (giving == session_vaccine and day_offset == 0 and 18 <= DAY.year - birth_year
               and doses == dose - 1
               and (dose == 1 or (had == giving and gap >= PROFILE.vaccine(giving).min_interval_days)))
    outcome = code_of(lambda: rules.check_dose(who, session(vaccine=session_vaccine), dose, giving,
                                               DAY + timedelta(days=day_offset), PROFILE))
    assert (outcome is None) == allowed, outcome


def test_times_are_epoch_seconds_or_iso_8601_in_the_countrys_zone():
    assert rules.parse_time(NOW, "t", PROFILE) == NOW
    assert rules.parse_time(str(NOW), "t", PROFILE) == NOW
    assert rules.parse_time("2026-11-23T07:43:20+05:30", "t", PROFILE) == NOW
    assert rules.parse_time("2026-11-23T07:43:20", "t", PROFILE) == NOW  # no offset: India's time
    assert rules.parse_time("2026-11-23T02:13:20Z", "t", PROFILE) == NOW
    for bad in ("", "soon", True, None, [1]):
        assert code_of(lambda bad=bad: rules.parse_time(bad, "t", PROFILE)) == "VACCIN0011"
    assert rules.local_day(NOW, PROFILE) == DAY
    assert rules.iso_moment(NOW, PROFILE) == "2026-11-23T07:43:20+05:30"


@given(offset=st.integers(-10 * 24 * 3600, 3600))
def test_a_capture_time_is_accepted_only_inside_its_window(offset):
    oldest = NOW - PROFILE.offline_capture_window_hours * 3600
    moment = NOW + offset
    accepted = oldest <= moment <= NOW + PROFILE.clock_skew_seconds
    assert (code_of(lambda: rules.check_time(moment, NOW, oldest, PROFILE, "captured_at")) is None) == accepted


def test_the_door_check():
    check = rules.IdCheck(1, "3405")
    assert code_of(lambda: rules.check_id(check, 1, "3405")) is None
    assert code_of(lambda: rules.check_id(check, 2, "3405")) == "VACCIN0006"
    assert code_of(lambda: rules.check_id(check, 1, "3406")) == "VACCIN0006"
    assert rules.codes_match("0421", "0421") and rules.codes_match("0421", " 0421 ")
    assert not rules.codes_match("0421", 421) and not rules.codes_match("0421", None)
    assert not rules.codes_match("0421", True)
    assert rules.parse_id_check({}) is None
    assert rules.parse_id_check({"photo_id_type": "1", "id_last4": "34-05"}) == rules.IdCheck(1, "3405")
    assert code_of(lambda: rules.parse_id_check({"photo_id_type": 1, "id_last4": "12"})) == "USRRES0003"


@pytest.mark.parametrize("batch, ok", [("4121Z025", True), ("abc", True), ("ab", False), ("4121 Z", False),
                                       ("X" * 21, False), ("BN-21/07.A", True)])
def test_batch_numbers(batch, ok):
    assert (code_of(lambda: rules.parse_batch({"batch": batch})) is None) == ok


@pytest.mark.parametrize("status, verified, days, shown", [
    ("BOOKED", False, 0, "booked"), ("BOOKED", True, 0, "verified"), ("COMPLETED", True, 0, "vaccinated"),
    ("BOOKED", True, -1, "no-show"), ("COMPLETED", False, -3, "vaccinated")])
def test_what_the_centre_sees_of_an_appointment(status, verified, days, shown):
    assert rules.appointment_status(status, verified, DAY + timedelta(days=days), DAY) == shown


counts = st.lists(st.builds(rules.AllowanceCount, day=st.sampled_from(["2026-11-22", "2026-11-23"]),
                            center_id=st.sampled_from([100001, 100002]), session_id=st.sampled_from(["s1", "s2"]),
                            vaccinator=st.sampled_from(["9000000006", "9000000008"]), doses=st.integers(0, 300)),
                  max_size=30)


@given(counts)
def test_the_allowance_report_adds_up(rows):
    report = rules.allowance(rows)
    total = sum(row.doses for row in rows)
    assert sum(r["doses"] for r in report["per_vaccinator_day"]) == total
    assert sum(r["doses"] for r in report["per_session"]) == total
    for entry in report["per_vaccinator_day"]:
        assert entry["doses"] == sum(r.doses for r in rows
                                     if r.vaccinator == entry["vaccinator"] and r.day == entry["date"])
    csv_lines = rules.allowance_csv(report["per_session"]).splitlines()
    assert len(csv_lines) == 1 + len(report["per_session"])


def test_report_ranges():
    assert code_of(lambda: rules.report_range(DAY, DAY + timedelta(days=30))) is None
    assert code_of(lambda: rules.report_range(DAY, DAY + timedelta(days=31))) == "VACCIN0018"
    assert code_of(lambda: rules.report_range(DAY, DAY - timedelta(days=1))) == "VACCIN0018"
