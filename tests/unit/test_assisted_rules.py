"""Assisted registration's rules, pure (docs/assisted-registration.md): a consent binds one operator to one
mobile for its few minutes; a consent OTP answers only its operator's guesses and never a login; the
operators' limits count a local day; and an area admin manages the operators of their own area only."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain import assisted, limits, otp
from chalicelib.domain.assisted import Area
from chalicelib.domain.roles import Principal, Role, Scope, StaffMember

INDIA = load_pack("in")
T0 = 1_796_000_000
OPERATOR = StaffMember("9000000020", "Omkar Operator", frozenset({"operator"}), True, 21, 395,
                       desk="CSC Andheri East")
mobiles = st.from_regex(r"[6-9][0-9]{9}", fullmatch=True)
moments = st.integers(min_value=946_684_800, max_value=4_102_444_800)  # 2000 to 2100
zones = st.sampled_from(["Asia/Kolkata", "Africa/Kampala", "America/Santo_Domingo", "UTC", "Europe/London",
                         "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham"])


# -- consent -------------------------------------------------------------------------------------------

@given(operator=mobiles, other=mobiles, citizen=mobiles, issued=moments, at=st.integers(-1000, 2000))
def test_property_a_consent_serves_its_operator_alone_and_only_while_it_lasts(operator, other, citizen, issued, at):
    assume(other != operator)
    given_to = StaffMember(operator, "Op", frozenset({"operator"}), True, 21, desk="CSC")
    consent = assisted.grant("c1", given_to, citizen, issued, INDIA)
    now = issued + at
    assert consent.citizen == citizen and consent.expires_at == issued + INDIA.operator_consent_seconds
    assert assisted.is_valid_for(consent, operator, now) == (-assisted.CLOCK_SKEW_SECONDS <= at
                                                             < INDIA.operator_consent_seconds)
    assert not assisted.is_valid_for(consent, other, now)
    assert not assisted.is_valid_for(None, operator, now)


def test_a_consent_names_the_operator_and_their_desk_for_the_sms_and_the_record():
    consent = assisted.grant("c1", OPERATOR, "9876543210", T0, INDIA)
    assert (consent.operator, consent.operator_name, consent.desk) == ("9000000020", "Omkar Operator",
                                                                       "CSC Andheri East")
    assert INDIA.operator_consent_seconds == 900  # one call or visit: 15 minutes


PEPPER = b"pepper"
POLICY = otp.OtpPolicy(length=6, validity_seconds=180, max_attempts=3, resend_interval_seconds=180)


@given(operator=mobiles, other=mobiles, code=st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_property_a_consent_otp_answers_only_its_operator_and_a_login_otp_only_a_login(operator, other, code):
    assume(other != operator)
    consent = otp.issue(POLICY, PEPPER, "t1", "9876543210", T0, code, operator)
    login = otp.issue(POLICY, PEPPER, "t2", "9876543210", T0, code)
    right = otp.sha256_hex(code)
    spent = {"attempts": 1}
    consent, login = (otp.OtpTransaction(**{**txn.__dict__, **spent}) for txn in (consent, login))
    assert otp.judge(POLICY, PEPPER, consent, right, T0 + 1, operator)
    assert not otp.judge(POLICY, PEPPER, consent, right, T0 + 1)  # as a login
    assert not otp.judge(POLICY, PEPPER, consent, right, T0 + 1, other)
    assert otp.judge(POLICY, PEPPER, login, right, T0 + 1)
    assert not otp.judge(POLICY, PEPPER, login, right, T0 + 1, operator)  # as a consent


def test_a_consent_otp_is_judged_as_a_login_otp_is_otherwise():
    consent = otp.OtpTransaction(**{**otp.issue(POLICY, PEPPER, "t1", "9876543210", T0, "123456", "9000000020")
                                    .__dict__, "attempts": 1})
    right = otp.sha256_hex("123456")
    assert not otp.judge(POLICY, PEPPER, consent, otp.sha256_hex("123457"), T0 + 1, "9000000020")
    assert not otp.judge(POLICY, PEPPER, consent, right, T0 + 180, "9000000020")  # expired
    assert not otp.judge(POLICY, PEPPER, otp.OtpTransaction(**{**consent.__dict__, "attempts": 4}), right, T0 + 1,
                         "9000000020")
    assert not otp.judge(POLICY, PEPPER, otp.OtpTransaction(**{**consent.__dict__, "consumed": True}), right,
                         T0 + 1, "9000000020")


# -- limits -----------------------------------------------------------------------------------------

@given(now=moments, zone=zones, later=st.integers(0, 3 * 24 * 3600))
def test_property_a_local_days_window_runs_from_midnight_to_midnight(now, zone, later):
    window = limits.local_day("operator-actions", 200, "9000000020", now, zone)
    local = datetime.fromtimestamp(now, ZoneInfo(zone))
    assert window.key == f"operator-actions#9000000020#{local.date().isoformat()}" and window.limit == 200
    assert now < window.ends_at <= now + 27 * 3600  # a day, give or take a clock change
    assert datetime.fromtimestamp(window.ends_at, ZoneInfo(zone)).date() == local.date() + timedelta(days=1)
    before_end = limits.local_day("operator-actions", 200, "9000000020", window.ends_at - 1, zone)
    assert before_end == window  # the whole day finds the same counter
    other = limits.local_day("operator-actions", 200, "9000000020", now + later, zone)
    assert (other == window) == (now + later < window.ends_at)
    assert 1 <= int(limits.refused(window, now).headers["Retry-After"]) == window.ends_at - now


def test_an_operators_day_is_indias_not_utcs():
    # 18:29 UTC is 23:59 in India; a minute later it is India's next day, hours before UTC's.
    evening = int(datetime(2026, 12, 1, 18, 29, tzinfo=UTC).timestamp())
    today = assisted.actions_today(INDIA, "9000000020", evening)
    tomorrow = assisted.actions_today(INDIA, "9000000020", evening + 60)
    assert today.key.endswith("#2026-12-01") and tomorrow.key.endswith("#2026-12-02")
    assert today.ends_at == evening + 60 and today.limit == INDIA.operator_actions_per_day == 200
    consents = assisted.consent_requests_today(INDIA, "9000000020", evening)
    assert consents.limit == INDIA.operator_consent_requests_per_day == 100 and consents.key != today.key


def test_a_period_is_whole_local_days():
    start, end = assisted.period(date(2026, 12, 1), date(2026, 12, 2), "Asia/Kolkata")
    assert datetime.fromtimestamp(start, UTC) == datetime(2026, 11, 30, 18, 30, tzinfo=UTC)
    assert end - start == 2 * 24 * 3600


# -- the area ---------------------------------------------------------------------------------------

DISTRICTS = {395: 21, 363: 21, 294: 16}  # Mumbai and Pune in Maharashtra, BBMP in Karnataka


def admin(role: Role, **scope) -> Principal:
    return Principal("9000000000", frozenset({Role.CITIZEN, role}), Scope(**scope))


def test_an_area_is_a_state_or_one_of_its_districts():
    assert assisted.area_of(DISTRICTS, None, 395) == Area(21, 395)
    assert assisted.area_of(DISTRICTS, 21, 395) == Area(21, 395)
    assert assisted.area_of(DISTRICTS, 21, None) == Area(21)
    assert assisted.area_of(DISTRICTS, 16, 395) is None  # Mumbai is not in Karnataka
    assert assisted.area_of(DISTRICTS, None, 1) is None and assisted.area_of(DISTRICTS, 99, None) is None
    assert assisted.area_of(DISTRICTS, None, None) is None


AREAS = [Area(21), Area(21, 395), Area(21, 363), Area(16), Area(16, 294)]
ADMINS = [admin(Role.NATIONAL_ADMIN), admin(Role.STATE_ADMIN, state_id=21), admin(Role.STATE_ADMIN, state_id=16),
          admin(Role.DISTRICT_ADMIN, state_id=21, district_id=395),
          admin(Role.DISTRICT_ADMIN, state_id=16, district_id=294)]


@given(who=st.sampled_from(ADMINS), area=st.sampled_from(AREAS))
def test_property_an_admin_manages_the_operators_of_exactly_their_own_area(who, area):
    scope = who.scope
    plainly = Role.NATIONAL_ADMIN in who.roles or (
        scope.state_id == area.state_id and (scope.district_id is None or scope.district_id == area.district_id))
    assert assisted.may_manage(who, area) == plainly


@given(district=st.sampled_from([395, 363, 294]), centre=st.integers(100001, 300000))
def test_property_an_operator_covers_the_centres_of_their_district_only(district, centre):
    from types import SimpleNamespace

    operator = Principal("9000000020", frozenset({Role.CITIZEN, Role.OPERATOR}), Scope(None, 395, 21))
    site = SimpleNamespace(state_id=DISTRICTS[district], district_id=district, center_id=centre)
    assert operator.covers_centre(site) == (district == 395)
    state_wide = Principal("9000000021", frozenset({Role.CITIZEN, Role.OPERATOR}), Scope(None, None, 21))
    assert state_wide.covers_centre(site) == (DISTRICTS[district] == 21)
