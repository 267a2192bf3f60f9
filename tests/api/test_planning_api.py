"""Planning through the API on the demo data: centres, staff, sessions, plans, capacity, allocations."""
from datetime import datetime, timedelta

import pytest

from chalicelib.store.planning import SessionItem
from local import carrier as local_carrier
from local import dispatcher
from local.seed import BBMP, MUMBAI
from tests.helpers import bearer, login, post

NATIONAL, MUMBAI_ADMIN, BBMP_ADMIN = "9000000001", "9000000003", "9000000004"
FACILITY_ADMIN, VACCINATOR, VERIFIER = "9000000005", "9000000006", "9000000007"
SESSIONS = "/v2/admin/sessions"


def shift(day: str, days: int) -> str:
    return (datetime.strptime(day, "%d-%m-%Y").date() + timedelta(days=days)).strftime("%d-%m-%Y")


def centre_body(**overrides) -> dict:
    return {"name": "Worli UPHC", "address": "Worli Naka, Mumbai", "block_name": "G South", "district_id": MUMBAI,
            "pincode": "400018", "lat": 19.0096, "long": 72.8176, "from": "09:00:00", "to": "17:00:00",
            "fee_type": "Free", **overrides}


def session_body(day: str, center_id: int = 100001, **overrides) -> dict:
    return {"center_id": center_id, "date": day, "vaccine": "COVISHIELD", "min_age_limit": 18,
            "capacity_dose1": 20, "capacity_dose2": 10,
            "slots": [{"name": "09:00AM-11:00AM", "capacity": 15}, {"name": "11:00AM-01:00PM", "capacity": 15}],
            **overrides}


def test_a_district_admin_creates_and_edits_a_centre_in_their_district(api, seeded, as_):
    created = post(api, "/v2/admin/centers", centre_body(), as_(MUMBAI_ADMIN))
    assert created.status_code == 201, created.body
    centre = created.json_body
    assert centre["center_id"] == 300001 and centre["state_id"] == 21 and centre["district_name"] == "Mumbai"
    assert centre["pincode"] == 400018 and centre["active"] is True
    edited = post(api, f"/v2/admin/centers/{centre['center_id']}", {"name": "Worli Urban PHC", "fee_type": "Paid",
                                                                    "vaccine_fees": {"covishield": "780"}},
                  as_(MUMBAI_ADMIN))
    assert edited.status_code == 200, edited.body
    assert edited.json_body["name"] == "Worli Urban PHC" and edited.json_body["vaccine_fees"] == {"COVISHIELD": "780"}
    listed = api.http.get(f"/v2/admin/centers?district_id={MUMBAI}", headers=as_(MUMBAI_ADMIN)).json_body["centers"]
    assert len(listed) == 25 and listed[-1]["name"] == "Worli Urban PHC"


def test_a_centre_edit_reaches_its_sessions_and_the_search(api, seeded, as_):
    assert post(api, "/v2/admin/centers/100001", {"name": "Seven Hills Hospital Andheri"},
                as_(MUMBAI_ADMIN)).status_code == 200
    sessions = api.http.get(f"/v2/appointment/sessions/public/findByPin?pincode=400059&date={seeded}").json_body
    assert {s["name"] for s in sessions["sessions"]} == {"Seven Hills Hospital Andheri"}


@pytest.mark.parametrize("overrides, code", [
    ({"district_id": 99999}, "PLANNG0008"),
    ({"pincode": "012345"}, "APPOIN0018"),
    ({"lat": 91}, "USRRES0003"),
    ({"from": "18:00:00", "to": "09:00:00"}, "USRRES0003"),
    ({"fee_type": "Paid"}, "PLANNG0007"),
    ({"fee_type": "Paid", "vaccine_fees": {"NOVAVAX": "100"}}, "PLANNG0007"),
    ({"name": "   "}, "USRRES0001"),
    ({"name": None}, "USRRES0001"),
])
def test_invalid_centres_are_refused_with_a_code(api, seeded, as_, overrides, code):
    response = post(api, "/v2/admin/centers", centre_body(**overrides), as_(MUMBAI_ADMIN))
    assert response.json_body["errorCode"] == code, response.body
    assert response.status_code == 400


def test_scope_a_mumbai_admin_cannot_touch_a_bbmp_centre(api, seeded, as_):
    mumbai = as_(MUMBAI_ADMIN)
    day = shift(seeded, 9)
    for path, body in (("/v2/admin/centers/200001", {"name": "Renamed"}),
                       ("/v2/admin/centers", centre_body(district_id=BBMP, pincode="560001")),
                       ("/v2/admin/centers/200001/staff", {"mobile": "9811111111", "name": "X", "role": "vaccinator"}),
                       (SESSIONS, session_body(day, center_id=200001)),
                       (f"{SESSIONS}/plan", {"sessions": [session_body(day, center_id=200001)]})):
        response = post(api, path, body, mumbai)
        assert response.status_code in (400, 403), (path, response.body)
        codes = {response.json_body["errorCode"]} | {r["errorCode"] for r in response.json_body.get("rows", [])}
        assert "USRAUT0022" in codes, (path, response.body)
    bbmp_session = next(iter(SessionItem.by_center.query(200001, limit=1)))
    for action, body in (("capacity", {"capacity_dose1": 1, "capacity_dose2": 1}), ("cancel", {}),
                         ("allocations", {"mobile": VACCINATOR})):
        response = post(api, f"{SESSIONS}/{bbmp_session.session_id}/{action}", body, mumbai)
        assert response.status_code == 403 and response.json_body["errorCode"] == "USRAUT0022"
    listing = api.http.get(f"/v2/admin/centers?district_id={BBMP}", headers=mumbai)
    assert listing.status_code == 403
    assert post(api, "/v2/admin/centers/200001", {"name": "Renamed"}, as_(BBMP_ADMIN)).status_code == 200


def test_roles_vaccinators_and_citizens_cannot_plan(api, seeded, as_):
    day = shift(seeded, 9)
    for mobile in (VACCINATOR, VERIFIER, "9876543210"):
        response = post(api, SESSIONS, session_body(day), as_(mobile))
        assert response.status_code == 403 and response.json_body["errorCode"] == "USRAUT0020"
    assert post(api, "/v2/admin/centers", centre_body(), as_(FACILITY_ADMIN)).status_code == 403
    assert post(api, SESSIONS, session_body(day), {}).status_code == 401


def test_a_facility_admin_plans_only_at_their_own_facility(api, seeded, as_):
    day = shift(seeded, 9)
    assert post(api, SESSIONS, session_body(day), as_(FACILITY_ADMIN)).status_code == 201
    other = post(api, SESSIONS, session_body(day, center_id=100002), as_(FACILITY_ADMIN))
    assert other.status_code == 403


def test_create_a_session_and_refuse_its_duplicate(api, seeded, as_):
    day = shift(seeded, 9)
    created = post(api, SESSIONS, session_body(day, max_age_limit="44", allow_all_age="false"), as_(MUMBAI_ADMIN))
    assert created.status_code == 201, created.body
    session = created.json_body
    assert session["date"] == day and session["max_age_limit"] == 44 and session["status"] == "ACTIVE"
    assert session["slots"] == [{"name": "09:00AM-11:00AM", "capacity": 15, "booked": 0},
                                {"name": "11:00AM-01:00PM", "capacity": 15, "booked": 0}]
    again = post(api, SESSIONS, session_body(day), as_(MUMBAI_ADMIN))
    assert again.status_code == 409 and again.json_body["errorCode"] == "PLANNG0014"
    covaxin = post(api, SESSIONS, session_body(day, vaccine="covaxin", min_age_limit=45), as_(MUMBAI_ADMIN))
    assert covaxin.status_code == 201


@pytest.mark.parametrize("overrides, code", [
    ({"date": "01-01-2021"}, "PLANNG0003"),
    ({"date": "2030/01/01"}, "USRRES0004"),
    ({"vaccine": "NOVAVAX"}, "PLANNG0005"),
    ({"min_age_limit": 10}, "PLANNG0006"),
    ({"max_age_limit": 17}, "PLANNG0006"),
    ({"capacity_dose1": -1}, "PLANNG0002"),
    ({"capacity_dose1": 0, "capacity_dose2": 0, "slots": ["09:00AM-11:00AM"]}, "PLANNG0002"),
    ({"slots": [{"name": "09:00AM-11:00AM", "capacity": 10}]}, "PLANNG0002"),
    ({"slots": ["9-11"]}, "PLANNG0001"),
    ({"slots": ["11:00AM-09:00AM"]}, "PLANNG0001"),
    ({"slots": ["09:00AM-11:00AM", "09:00AM-11:00AM"]}, "PLANNG0001"),
    ({"slots": []}, "PLANNG0001"),
    ({"center_id": 999999}, "PLANNG0010"),
    ({"center_id": "abc"}, "PLANNG0010"),
])
def test_invalid_sessions_are_refused_with_a_code(api, seeded, as_, overrides, code):
    response = post(api, SESSIONS, session_body(shift(seeded, 9), **overrides), as_(MUMBAI_ADMIN))
    assert response.status_code in (400, 404) and response.json_body["errorCode"] == code, response.body


def test_too_far_ahead_is_refused(api, seeded, as_):
    response = post(api, SESSIONS, session_body(shift(seeded, 61)), as_(MUMBAI_ADMIN))
    assert response.json_body["errorCode"] == "PLANNG0004"


def test_a_week_plan_in_json_is_created_whole(api, seeded, as_):
    rows = [session_body(shift(seeded, 10 + n), center_id=100000 + c) for n in range(7) for c in (2, 3)]
    response = post(api, f"{SESSIONS}/plan", {"sessions": rows}, as_(MUMBAI_ADMIN))
    assert response.status_code == 201, response.body
    assert response.json_body["created"] == 14 and len(set(response.json_body["session_ids"])) == 14
    calendar = api.http.get(f"/v2/appointment/sessions/public/calendarByCenter?center_id=100002"
                            f"&date={shift(seeded, 10)}").json_body["centers"]
    assert len(calendar["sessions"]) == 7


def test_a_plan_with_any_bad_row_saves_nothing_and_reports_every_row(api, seeded, as_):
    day = shift(seeded, 10)
    rows = [session_body(day), session_body(day, vaccine="NOVAVAX"), session_body(shift(seeded, 11)),
            session_body(day), session_body(day, center_id=200001), "not an object"]
    response = post(api, f"{SESSIONS}/plan", {"sessions": rows}, as_(MUMBAI_ADMIN))
    assert response.status_code == 400 and response.json_body["errorCode"] == "PLANNG0013"
    assert [(r["row"], r["errorCode"]) for r in response.json_body["rows"]] == [
        (2, "PLANNG0005"), (4, "PLANNG0014"), (5, "USRAUT0022"), (6, "USRRES0003")]
    assert list(SessionItem.by_center.query(100001, SessionItem.date.between(
        datetime.strptime(day, "%d-%m-%Y").date().isoformat(), "9999-12-31"))) == []


def test_a_plan_clashing_with_an_existing_session_saves_nothing(api, seeded, as_):
    rows = [session_body(shift(seeded, 12)), session_body(seeded)]  # the demo already has today's COVISHIELD
    response = post(api, f"{SESSIONS}/plan", {"sessions": rows}, as_(MUMBAI_ADMIN))
    assert response.status_code == 400
    assert [(r["row"], r["errorCode"]) for r in response.json_body["rows"]] == [(2, "PLANNG0014")]
    assert api.http.get(f"/v2/appointment/sessions/public/findByPin?pincode=400059"
                        f"&date={shift(seeded, 12)}").json_body == {"sessions": []}


def test_a_plan_as_csv(api, seeded, as_):
    csv = ("center_id,date,vaccine,min_age_limit,max_age_limit,capacity_dose1,capacity_dose2,slots\r\n"
           f"100001,{shift(seeded, 20)},COVISHIELD,18,44,30,10,09:00AM-11:00AM:20|11:00AM-01:00PM:20\r\n"
           f"100001,{shift(seeded, 21)},COVAXIN,45,,25,25,09:00AM-01:00PM\r\n")
    response = api.http.post(f"{SESSIONS}/plan", headers={**as_(MUMBAI_ADMIN), "Content-Type": "text/csv"}, body=csv)
    assert response.status_code == 201, response.body
    assert response.json_body["created"] == 2
    [covaxin] = api.http.get(f"/v2/appointment/sessions/public/findByPin?pincode=400059"
                             f"&date={shift(seeded, 21)}").json_body["sessions"]
    assert covaxin["vaccine"] == "COVAXIN" and covaxin["slots"] == ["09:00AM-01:00PM"]
    assert "max_age_limit" not in covaxin
    bad = api.http.post(f"{SESSIONS}/plan", headers={**as_(MUMBAI_ADMIN), "Content-Type": "text/csv"},
                        body=csv.replace("COVAXIN", "NOVAVAX").replace(shift(seeded, 20), shift(seeded, 22)))
    assert bad.status_code == 400
    assert [(r["row"], r["errorCode"]) for r in bad.json_body["rows"]] == [(2, "PLANNG0005")]
    garbage = api.http.post(f"{SESSIONS}/plan", headers={**as_(MUMBAI_ADMIN), "Content-Type": "text/csv"},
                            body=b"\xff\xfe\x00bad")
    assert garbage.status_code == 400


def test_capacity_edits_never_drop_below_bookings(api, seeded, as_):
    admin = as_(MUMBAI_ADMIN)
    session = post(api, SESSIONS, session_body(shift(seeded, 9)), admin).json_body
    item = SessionItem.get(session["session_id"])
    slots = item.slots
    slots[0].booked = 12
    item.update(actions=[SessionItem.booked_dose1.set(12), SessionItem.slots.set(slots)])
    path = f"{SESSIONS}/{session['session_id']}/capacity"
    below = post(api, path, {"capacity_dose1": 11, "capacity_dose2": 10,
                             "slots": [{"name": "09:00AM-11:00AM", "capacity": 11},
                                       {"name": "11:00AM-01:00PM", "capacity": 10}]}, admin)
    assert below.status_code == 409 and below.json_body["errorCode"] == "PLANNG0009"
    slot_below = post(api, path, {"capacity_dose1": 20, "capacity_dose2": 10,
                                  "slots": [{"name": "09:00AM-11:00AM", "capacity": 10},
                                            {"name": "11:00AM-01:00PM", "capacity": 20}]}, admin)
    assert slot_below.status_code == 409
    dropped_slot = post(api, path, {"capacity_dose1": 20, "capacity_dose2": 10,
                                    "slots": [{"name": "11:00AM-01:00PM", "capacity": 30}]}, admin)
    assert dropped_slot.status_code == 409
    total_changed = post(api, path, {"capacity_dose1": 30, "capacity_dose2": 10}, admin)
    assert total_changed.status_code == 400 and total_changed.json_body["errorCode"] == "PLANNG0002"
    ok = post(api, path, {"capacity_dose1": 12, "capacity_dose2": 18}, admin)
    assert ok.status_code == 200, ok.body
    assert (ok.json_body["capacity_dose1"], ok.json_body["booked_dose1"]) == (12, 12)
    assert post(api, f"{SESSIONS}/nope/capacity", {"capacity_dose1": 1, "capacity_dose2": 1},
                admin).status_code == 404


def test_cancel_a_session_tells_the_allocated_staff(api, seeded, as_):
    admin = as_(FACILITY_ADMIN)
    session = post(api, SESSIONS, session_body(shift(seeded, 9)), admin).json_body
    assert post(api, f"{SESSIONS}/{session['session_id']}/allocations", {"mobile": VACCINATOR},
                admin).status_code == 201
    cancelled = post(api, f"{SESSIONS}/{session['session_id']}/cancel", {}, admin)
    assert cancelled.status_code == 200 and cancelled.json_body["status"] == "CANCELLED"
    again = post(api, f"{SESSIONS}/{session['session_id']}/cancel", {}, admin)
    assert again.status_code == 409 and again.json_body["errorCode"] == "PLANNG0012"
    from app import app

    dispatcher.drain(app)
    assert "cancelled" in local_carrier.messages_for(VACCINATOR)[-1]["message"]
    replanned = post(api, SESSIONS, session_body(shift(seeded, 9)), admin)
    assert replanned.status_code == 201  # a cancelled session's slot can be planned again


def test_staff_are_added_and_allocated_with_an_sms(api, seeded, as_):
    from app import app

    admin = as_(FACILITY_ADMIN)
    added = post(api, "/v2/admin/centers/100001/staff", {"mobile": "9811111111", "name": " Nisha  K ",
                                                         "role": "Vaccinator"}, admin)
    assert added.status_code == 201, added.body
    assert added.json_body == {"mobile": "******1111", "name": "Nisha K", "role": "vaccinator", "center_id": 100001}
    assert post(api, "/v2/admin/centers/100001/staff", {"mobile": "9811111112", "name": "N", "role": "admin"},
                admin).json_body["errorCode"] == "PLANNG0016"
    elsewhere = post(api, "/v2/admin/centers/100002/staff", {"mobile": "9811111111", "name": "N",
                                                             "role": "vaccinator"}, as_(MUMBAI_ADMIN))
    assert elsewhere.status_code == 409 and elsewhere.json_body["errorCode"] == "PLANNG0019"

    session = post(api, SESSIONS, session_body(shift(seeded, 2), vaccine="SPUTNIK V"), admin).json_body
    allocated = post(api, f"{SESSIONS}/{session['session_id']}/allocations", {"mobile": "9811111111"}, admin)
    assert allocated.status_code == 201 and allocated.json_body["role"] == "vaccinator"
    assert post(api, f"{SESSIONS}/{session['session_id']}/allocations", {"mobile": "9811111111"},
                admin).status_code == 201  # idempotent: allocated once, no second SMS
    stranger = post(api, f"{SESSIONS}/{session['session_id']}/allocations", {"mobile": "9000000004"}, admin)
    assert stranger.status_code == 400 and stranger.json_body["errorCode"] == "PLANNG0015"
    dispatcher.drain(app)
    [sms] = local_carrier.messages_for("9811111111")
    assert "Seven Hills Hospital" in sms["message"] and shift(seeded, 2) in sms["message"]
    assert "09:00-18:00" in sms["message"]

    # The new vaccinator's role is in the token from the next login, with their own sessions.
    mine = api.http.get("/v2/vaccinator/sessions", headers=bearer(login(api, "9811111111")))
    assert mine.status_code == 200
    assert [(s["session_id"], s["role"]) for s in mine.json_body["sessions"]] == [
        (session["session_id"], "vaccinator")]
    assert api.http.get("/v2/vaccinator/sessions", headers=as_(MUMBAI_ADMIN)).status_code == 403
