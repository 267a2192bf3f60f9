"""Availability through the API on the demo data: CoWIN's shapes, languages, errors, caching, reads."""
import calendar
from datetime import date, datetime, timedelta

import pytest

from local.metering import count_dynamodb_calls
from local.seed import BBMP, MUMBAI
from tests.contract.cowin_spec import validate
from tests.helpers import bearer, login, post

PUBLIC = "/v2/appointment/sessions/public"
FIRST_MUMBAI_CENTRE, FIRST_MUMBAI_PIN = 100001, 400059  # Seven Hills Hospital


def get(api, path, headers=None):
    return api.http.get(path, headers=headers or {})


def shift(day: str, days: int) -> str:
    return (datetime.strptime(day, "%d-%m-%Y").date() + timedelta(days=days)).strftime("%d-%m-%Y")


def test_find_by_district_lists_the_days_sessions_in_cowins_flat_shape(api, seeded):
    response = get(api, f"{PUBLIC}/findByDistrict?district_id={MUMBAI}&date={seeded}")
    assert response.status_code == 200
    sessions = response.json_body["sessions"]
    assert len(sessions) == 24 * 2 and {s["date"] for s in sessions} == {seeded}
    validate(response.json_body, "inline_response_200_4")
    first = sessions[0]
    assert first["center_id"] == FIRST_MUMBAI_CENTRE and first["pincode"] == FIRST_MUMBAI_PIN
    assert isinstance(first["fee"], str) and first["fee_type"] == "Free"
    assert first["state_name"] == "Maharashtra" and first["district_name"] == "Mumbai"
    assert first["available_capacity"] == first["available_capacity_dose1"] + first["available_capacity_dose2"]
    assert first["slots"] == ["09:00AM-11:00AM", "11:00AM-01:00PM", "01:00PM-03:00PM", "03:00PM-06:00PM"]
    assert isinstance(first["allow_all_age"], bool) and "name_l" not in first
    covaxin = next(s for s in sessions if s["vaccine"] == "COVAXIN")
    assert covaxin["min_age_limit"] == 45 and "max_age_limit" not in covaxin
    covishield = next(s for s in sessions if s["vaccine"] == "COVISHIELD")
    assert covishield["max_age_limit"] == 44
    assert next(s for s in sessions if s["center_id"] == 100003)["fee"] in ("780", "1410")


def test_find_by_pin_only_that_pincode(api, seeded):
    response = get(api, f"{PUBLIC}/findByPin?pincode=400008&date={seeded}")
    validate(response.json_body, "inline_response_200_4")
    assert {s["name"] for s in response.json_body["sessions"]} == {"Nair Hospital", "JJ Hospital"}
    assert {s["pincode"] for s in response.json_body["sessions"]} == {400008}


def test_calendar_by_district_is_seven_days_per_centre(api, seeded):
    response = get(api, f"{PUBLIC}/calendarByDistrict?district_id={BBMP}&date={seeded}")
    assert response.status_code == 200
    validate(response.json_body, "inline_response_200_5")
    centres = response.json_body["centers"]
    assert [c["center_id"] for c in centres] == list(range(200001, 200025))
    dates = sorted({s["date"] for s in centres[0]["sessions"]}, key=lambda d: datetime.strptime(d, "%d-%m-%Y"))
    assert dates == [shift(seeded, n) for n in range(7)]  # the demo has 8 days; the calendar shows 7
    paid = next(c for c in centres if c["fee_type"] == "Paid")
    assert paid["vaccine_fees"] == [{"vaccine": "COVAXIN", "fee": "1410"}, {"vaccine": "COVISHIELD", "fee": "780"}]
    assert "vaccine_fees" not in centres[0]


def test_calendar_from_a_later_date_slides_the_window(api, seeded):
    centres = get(api, f"{PUBLIC}/calendarByPin?pincode=400001&date={shift(seeded, 5)}").json_body["centers"]
    validate({"centers": centres}, "inline_response_200_5")
    assert {c["name"] for c in centres} == {"St George Hospital", "GT Hospital"}
    assert {s["date"] for s in centres[0]["sessions"]} == {shift(seeded, 5), shift(seeded, 6), shift(seeded, 7)}


def test_calendar_by_center(api, seeded):
    body = get(api, f"{PUBLIC}/calendarByCenter?center_id=200002&date={seeded}").json_body
    assert body["centers"]["center_id"] == 200002 and body["centers"]["name"] == "Bowring Hospital"
    assert len(body["centers"]["sessions"]) == 14
    assert get(api, f"{PUBLIC}/calendarByCenter?center_id=999999&date={seeded}").json_body == {}


def test_nothing_planned_is_an_empty_list(api, seeded):
    far = shift(seeded, 30)
    assert get(api, f"{PUBLIC}/findByDistrict?district_id={MUMBAI}&date={far}").json_body == {"sessions": []}
    assert get(api, f"{PUBLIC}/calendarByDistrict?district_id=1&date={seeded}").json_body == {"centers": []}


def test_hindi_fills_the_l_fields(api, seeded):
    headers = {"Accept-Language": "hi_IN"}
    [session, *_] = get(api, f"{PUBLIC}/findByPin?pincode=560002&date={seeded}", headers).json_body["sessions"]
    assert session["state_name_l"] == "कर्नाटक"
    assert session["name_l"] == "Victoria Hospital" and session["district_name_l"] and session["block_name_l"]
    centre = get(api, f"{PUBLIC}/calendarByPin?pincode=400059&date={seeded}", headers).json_body["centers"][0]
    assert centre["state_name_l"] == "महाराष्ट्र" and centre["address_l"]
    validate({"centers": [centre]}, "inline_response_200_5")


@pytest.mark.parametrize("query, status, code", [
    ("findByPin?pincode=40005&date={d}", 400, "APPOIN0018"),
    ("findByPin?pincode=040059&date={d}", 400, "APPOIN0018"),
    ("findByPin?pincode=abcdef&date={d}", 400, "APPOIN0018"),
    ("calendarByPin?pincode=&date={d}", 400, "USRRES0001"),
    ("findByPin?pincode=400059&date=2021-05-01", 400, "USRRES0004"),
    ("findByPin?pincode=400059&date=31-02-2021", 400, "USRRES0004"),
    ("findByPin?pincode=400059", 400, "USRRES0001"),
    ("findByDistrict?district_id=99999&date={d}", 400, "PLANNG0008"),
    ("calendarByDistrict?district_id=x&date={d}", 400, "PLANNG0008"),
    ("calendarByCenter?center_id=abc&date={d}", 400, "APPOIN0016"),
])
def test_bad_searches_get_a_coded_400(api, query, status, code):
    response = get(api, f"{PUBLIC}/{query.format(d='01-06-2021')}")
    assert response.status_code == status and response.json_body["errorCode"] == code
    assert response.json_body["error"]


def test_public_answers_are_cacheable_and_revalidate_with_304(api, seeded):
    path = f"{PUBLIC}/calendarByDistrict?district_id={MUMBAI}&date={seeded}"
    first = get(api, path)
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["Vary"] == "Accept-Language"
    again = get(api, path, {"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.body == b""
    hindi = get(api, path, {"Accept-Language": "hi_IN"})
    assert hindi.headers["ETag"] != first.headers["ETag"]


def test_an_answer_over_the_budget_keeps_whole_centres_and_says_so(api, seeded, monkeypatch):
    from chalicelib.domain import availability as shapes

    path = f"{PUBLIC}/calendarByDistrict?district_id={MUMBAI}&date={seeded}"
    full = get(api, path)
    assert "X-Centers-Omitted" not in full.headers and "X-Omitted-Pincodes" not in full.headers
    whole = full.json_body["centers"]
    monkeypatch.setattr(shapes, "ANSWER_BUDGET", shapes.lambda_bytes(whole) // 2)

    response = get(api, path)
    validate(response.json_body, "inline_response_200_5")
    assert response.body == shapes.json_text(response.json_body).encode()  # as within_budget counts it
    kept = {centre["center_id"] for centre in response.json_body["centers"]}
    assert response.json_body["centers"] == [centre for centre in whole if centre["center_id"] in kept]
    left_out = [centre for centre in whole if centre["center_id"] not in kept]
    assert kept and left_out and response.headers["X-Centers-Omitted"] == str(len(left_out))
    pincodes = sorted({centre["pincode"] for centre in left_out})
    assert response.headers["X-Omitted-Pincodes"] == ",".join(map(str, pincodes))

    # A partial answer is cached like any other, and its 304 says it is partial too.
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["ETag"] != full.headers["ETag"]
    again = get(api, path, {"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.headers["X-Centers-Omitted"] == str(len(left_out))

    # The centres left out are each in the calendar of a pincode named.
    reached = [centre for pincode in pincodes
               for centre in get(api, f"{PUBLIC}/calendarByPin?pincode={pincode}&date={seeded}").json_body["centers"]]
    assert all(centre in reached for centre in left_out)


def test_protected_variants_need_a_token_filter_by_vaccine_and_are_private(api, seeded):
    query = f"findByDistrict?district_id={MUMBAI}&date={seeded}&vaccine=covaxin"
    denied = get(api, f"/v2/appointment/sessions/{query}")
    assert denied.status_code == 401
    headers = bearer(login(api, "9876543210"))
    response = get(api, f"/v2/appointment/sessions/{query}", headers)
    assert response.status_code == 200
    assert {s["vaccine"] for s in response.json_body["sessions"]} == {"COVAXIN"}
    assert len(response.json_body["sessions"]) == 24
    assert response.headers["Cache-Control"].startswith("private")
    for suffix in ("findByPin?pincode=400059", "calendarByPin?pincode=400059",
                   f"calendarByDistrict?district_id={MUMBAI}"):
        answer = get(api, f"/v2/appointment/sessions/{suffix}&date={seeded}&vaccine=COVISHIELD", headers)
        assert answer.status_code == 200
        rows = answer.json_body.get("sessions") or [s for c in answer.json_body["centers"] for s in c["sessions"]]
        assert rows and {row["vaccine"] for row in rows} == {"COVISHIELD"}


def test_find_by_lat_long_nearest_first_in_cowins_string_shape(api, seeded):
    response = get(api, "/v2/appointment/centers/public/findByLatLong?lat=12.9630&long=77.5740")
    assert response.status_code == 200
    centres = response.json_body["centers"]
    assert centres[0] == {
        "center_id": 200001, "name": "Victoria Hospital", "district_name": "BBMP", "state_name": "Karnataka",
        "location": "Victoria Hospital, Chickpet", "pincode": "560002", "block_name": "Chickpet",
        "lat": "12.963", "long": "77.574",
    }
    assert all(c["state_name"] == "Karnataka" for c in centres)
    assert get(api, "/v2/appointment/centers/public/findByLatLong?lat=0&long=0").json_body == {"centers": []}
    for query in ("lat=91&long=0", "lat=x&long=1", "lat=12.9"):
        bad = get(api, f"/v2/appointment/centers/public/findByLatLong?{query}")
        assert bad.status_code == 400 and bad.json_body["errorCode"] in ("APPOIN0019", "USRRES0001")


def test_each_search_is_one_query(api, seeded):
    for path in (f"findByDistrict?district_id={MUMBAI}", "findByPin?pincode=400059",
                 f"calendarByDistrict?district_id={MUMBAI}", "calendarByPin?pincode=400059",
                 "calendarByCenter?center_id=100001"):
        with count_dynamodb_calls() as calls:
            assert get(api, f"{PUBLIC}/{path}&date={seeded}").status_code == 200
        assert calls == {"Query": 1}, path
    with count_dynamodb_calls() as calls:
        get(api, "/v2/appointment/centers/public/findByLatLong?lat=19.1&long=72.88")
    assert calls == {"Query": 9}


def _national_admin(api):
    return bearer(login(api, "9000000001"))


def test_planning_changes_show_in_the_next_search(api, seeded):
    admin = _national_admin(api)
    day = shift(seeded, 10)
    created = post(api, "/v2/admin/sessions", {
        "center_id": 100002, "date": day, "vaccine": "COVISHIELD", "min_age_limit": 18, "capacity_dose1": 30,
        "capacity_dose2": 10, "slots": ["10:00AM-12:00PM", "12:00PM-02:00PM"]}, admin)
    assert created.status_code == 201, created.body
    [session] = get(api, f"{PUBLIC}/findByPin?pincode=400012&date={day}").json_body["sessions"]
    assert session["session_id"] == created.json_body["session_id"]
    assert (session["available_capacity_dose1"], session["available_capacity_dose2"]) == (30, 10)
    assert session["slots"] == ["10:00AM-12:00PM", "12:00PM-02:00PM"]
    cancelled = post(api, f"/v2/admin/sessions/{session['session_id']}/cancel", {}, admin)
    assert cancelled.status_code == 200
    assert get(api, f"{PUBLIC}/findByPin?pincode=400012&date={day}").json_body == {"sessions": []}


def test_bookings_reduce_what_is_available(api, seeded):
    from chalicelib.store.planning import SessionItem

    [session, *_] = get(api, f"{PUBLIC}/findByPin?pincode=400059&date={seeded}").json_body["sessions"]
    item = SessionItem.get(session["session_id"])
    item.update(actions=[SessionItem.booked_dose1.set(item.capacity_dose1), SessionItem.booked_dose2.set(1)])
    [after, *_] = get(api, f"{PUBLIC}/findByPin?pincode=400059&date={seeded}").json_body["sessions"]
    assert after["available_capacity_dose1"] == 0
    assert after["available_capacity_dose2"] == session["available_capacity_dose2"] - 1
    assert after["available_capacity"] == after["available_capacity_dose2"]


def test_dates_are_the_countrys_calendar_not_utc():
    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date

    # 20:00 UTC on 1 May is already 2 May in India.
    assert local_date(get_settings().country, calendar.timegm((2021, 5, 1, 20, 0, 0))) == date(2021, 5, 2)
