"""Vaccine stock through the API on the demo data (docs/stock.md), stock tracking on: receiving stock,
doses drawing on vials (opening the next one when theirs is empty or past its open-vial time), expired
and missing stock refused, closing a session (wastage, once), offline doses synced after the close,
planning within the stock, the reports in JSON and CSV, and what each call costs."""
from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import timedelta

import pytest

from chalicelib.config import get_settings
from chalicelib.domain.calendar import local_date
from tests.api.test_vaccination_api import day_of, session_at
from tests.helpers import aadhaar, person, post, stock_tracked

NATIONAL, STATE_ADMIN, MUMBAI_ADMIN, BBMP_ADMIN = "9000000001", "9000000002", "9000000003", "9000000004"
FACILITY_ADMIN, VACCINATOR, VERIFIER = "9000000005", "9000000006", "9000000007"
HERE = 100001  # Seven Hills Hospital, Mumbai (395), Maharashtra (21): the demo staff's centre
STOCK = "/v2/stock"


_seeds = iter(range(70_000, 80_000))
_mobiles = iter(range(9_811_200_000, 9_811_299_999))


def people(count: int) -> list[tuple[str, int]]:
    """Registered people (reference id, Aadhaar seed), straight through the use case."""
    from chalicelib.services import registration

    mobile = str(next(_mobiles))
    found = []
    for _ in range(count):
        seed = next(_seeds)
        found.append((registration.register(mobile, person(seed), _now(), get_settings().country), seed))
    return found


def _now() -> int:
    import time

    return int(time.time())


def batch_number() -> str:
    return f"T{uuid.uuid4().hex[:9].upper()}"


def expiry(days: int = 90) -> str:
    return (local_date(get_settings().country, _now()) + timedelta(days=days)).strftime("%d-%m-%Y")


def receive(api, headers, batch: str = "", vials: int = 2, doses_per_vial: int = 3, vaccine: str = "COVISHIELD",
            center_id: int = HERE, **overrides):
    return post(api, f"{STOCK}/receipts", {"center_id": center_id, "vaccine": vaccine, "batch": batch,
                                           "expiry_date": expiry(), "vials": vials,
                                           "doses_per_vial": doses_per_vial, **overrides}, headers)


def give(api, headers, session_id: str, batch: str, who: tuple[str, int], vaccine: str = "COVISHIELD", **overrides):
    """A dose to a registered person without an appointment, the vaccinator checking the photo ID."""
    ref, seed = who
    return post(api, "/v2/vaccination/doses", {
        "beneficiary_reference_id": ref, "session_id": session_id, "vaccine": vaccine, "batch": batch, "dose": 1,
        "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:], **overrides}, headers)


def test_doses_open_the_batchs_vials_one_after_another_until_none_is_left(api, staff, seeded):
    batch = batch_number()
    received = receive(api, staff["admin"], batch, vials=2, doses_per_vial=3)
    assert received.status_code == 201, received.body
    assert received.json_body["vials_received"] == 2 and received.json_body["doses_unopened"] == 6
    session_id = session_at(seeded)
    given = [give(api, staff["vaccinator"], session_id, batch, who) for who in people(7)]
    assert [g.status_code for g in given] == [201] * 6 + [409], [g.body for g in given]
    assert [g.json_body.get("vial") for g in given[:6]] == [f"{batch}#1"] * 3 + [f"{batch}#2"] * 3
    assert given[6].json_body["errorCode"] == "STOCK0008"


def vials_of(session_id: str) -> list:
    from chalicelib.store import stock as stock_store

    return stock_store.vials(session_id)


def batch_of(batch: str, center_id: int = HERE):
    from chalicelib.store import stock as stock_store

    return stock_store.batch(center_id, batch)


def test_a_receipt_is_kept_and_the_same_batch_again_adds_vials_only_with_the_same_details(api, staff):
    batch = batch_number()
    first = receive(api, staff["admin"], batch, vials=4, doses_per_vial=10)
    assert first.status_code == 201, first.body
    assert first.json_body["received"] == {"vials": 4, "doses": 40, "received_at": first.json_body["received"][
        "received_at"], "received_by": "******0005"}
    again = receive(api, staff["district"], batch, vials=6, doses_per_vial=10)
    assert again.status_code == 201 and again.json_body["vials_received"] == 10
    assert again.json_body["doses_unopened"] == 100 and again.json_body["expiry_date"] == expiry()
    for other in ({"doses_per_vial": 20}, {"expiry_date": expiry(91)}, {"vaccine": "COVAXIN"}):
        refused = receive(api, staff["admin"], batch, **{"doses_per_vial": 10, **other})
        assert refused.status_code == 409 and refused.json_body["errorCode"] == "STOCK0005", (other, refused.body)
        assert "10 doses a vial" in refused.json_body["error"]
    assert batch_of(batch).vials_received == 10  # the refused receipts added nothing
    from chalicelib.store import stock as stock_store

    receipts = [r for r in stock_store.receipts(HERE) if r["batch"] == batch]
    assert sorted((r["actor"], r["vials"]) for r in receipts) == [(MUMBAI_ADMIN, 6), (FACILITY_ADMIN, 4)]


def test_who_may_receive_stock_at_a_centre(api, staff, as_):
    batch = batch_number()
    for mobile, status in ((BBMP_ADMIN, 403), (VACCINATOR, 403), (STATE_ADMIN, 201), (NATIONAL, 201)):
        answer = receive(api, as_(mobile), batch)
        assert answer.status_code == status, (mobile, answer.body)
    assert receive(api, as_(BBMP_ADMIN), batch).json_body["errorCode"] == "USRAUT0022"


@pytest.mark.parametrize(("field", "value", "code"), [
    ("center_id", "x", "USRRES0003"), ("center_id", 999999, "PLANNG0010"), ("vaccine", "NOVAVAX", "PLANNG0005"),
    ("vaccine", None, "USRRES0001"), ("batch", "ab", "VACCIN0010"), ("batch", "A" * 30, "VACCIN0010"),
    ("expiry_date", "2026-12-31", "STOCK0002"), ("expiry_date", "01-01-2001", "STOCK0002"),
    ("expiry_date", None, "USRRES0001"), ("expiry_date", 20261231, "STOCK0002"), ("vials", 0, "STOCK0003"),
    ("vials", 100_001, "STOCK0003"), ("vials", "many", "STOCK0003"), ("vials", 1.5, "STOCK0003"),
    ("vials", None, "USRRES0001"), ("doses_per_vial", 0, "STOCK0004"), ("doses_per_vial", 51, "STOCK0004"),
    ("doses_per_vial", True, "STOCK0004")])
def test_a_receipt_with_a_bad_field_is_a_clear_400_or_404(api, staff, field, value, code):
    answer = receive(api, staff["admin"], **{"batch": batch_number(), field: value})
    assert answer.status_code in (400, 404) and answer.json_body["errorCode"] == code, answer.body


def test_a_dose_draws_on_the_open_vial_whose_time_ends_first_and_a_vial_past_its_time_is_left(
        api, staff, seeded, monkeypatch):
    """With a short open-vial policy (seconds here, 4 hours in India), a vial whose time is up is left: the
    next dose opens another; the staff opening one by hand makes two open at once, and doses take the one
    whose time ends first."""
    import time

    stock_tracked(monkeypatch, open_vial_seconds=3)
    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=4, doses_per_vial=5).status_code == 201
    session_id = session_at(seeded)
    early, later, more = people(1), people(1), people(3)
    assert give(api, staff["vaccinator"], session_id, batch, early[0]).status_code == 201
    time.sleep(4.2)  # vial 1's time is up (to the whole second the policy counts in)
    stock_tracked(monkeypatch, open_vial_seconds=600)  # the next vials' 10 minutes outlast the test
    answer = give(api, staff["vaccinator"], session_id, batch, later[0])
    assert answer.status_code == 201 and answer.json_body["vial"] == f"{batch}#2", answer.body
    opened = post(api, f"{STOCK}/sessions/{session_id}/vials", {"batch": batch}, staff["admin"])
    assert opened.status_code == 201 and opened.json_body["vial_id"] == f"{batch}#3", opened.body
    assert opened.json_body["status"] == "open" and opened.json_body["used"] == 0
    drawn = [give(api, staff["vaccinator"], session_id, batch, who).json_body["vial"] for who in more]
    assert drawn == [f"{batch}#2"] * 3  # the one whose time ends first, until it is empty
    assert [(v.number, v.used) for v in vials_of(session_id) if v.batch == batch] == [(1, 1), (2, 4), (3, 0)]
    assert batch_of(batch).vials_opened == 3


def test_an_expired_batch_a_batch_never_received_and_another_vaccines_batch_are_refused(api, staff, seeded):
    from chalicelib.domain.records import BatchRecord
    from chalicelib.store import stock as stock_store
    from chalicelib.store.base import item_of

    session_id = session_at(seeded)
    yesterday = day_of(seeded, -1).isoformat()
    old = batch_number()
    item_of(BatchRecord(HERE, old, "COVISHIELD", yesterday, 10, 395, 21, 0, vials_received=5),
            stock_store.BatchItem).save()
    who = people(3)
    expired = give(api, staff["vaccinator"], session_id, old, who[0])
    assert expired.status_code == 409 and expired.json_body["errorCode"] == "STOCK0007", expired.body
    never = give(api, staff["vaccinator"], session_id, batch_number(), who[1])
    assert never.status_code == 409 and never.json_body["errorCode"] == "STOCK0006"
    covaxin = batch_number()
    assert receive(api, staff["admin"], covaxin, vaccine="COVAXIN").status_code == 201
    other = give(api, staff["vaccinator"], session_id, covaxin, who[2])
    assert other.status_code == 400 and other.json_body["errorCode"] == "VACCIN0002"
    assert post(api, f"{STOCK}/sessions/{session_id}/vials", {"batch": old}, staff["admin"]).json_body[
        "errorCode"] == "STOCK0007"
    from chalicelib.store.registration import BeneficiaryItem

    assert all(BeneficiaryItem.get(ref).doses_given == 0 for ref, _ in who)  # nothing was recorded


def test_closing_records_the_open_vials_unused_doses_as_wastage_once(api, staff, seeded, as_):
    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=3, doses_per_vial=4).status_code == 201
    session_id = session_at(seeded)
    for who in people(5):  # vial 1 emptied, vial 2 holds 3
        assert give(api, staff["vaccinator"], session_id, batch, who).status_code == 201
    closed = post(api, f"{STOCK}/sessions/{session_id}/close", {}, staff["vaccinator"])
    assert closed.status_code == 200, closed.body
    mine = [v for v in closed.json_body["vials"] if v["batch"] == batch]
    assert [(v["used"], v["wasted"], v["status"]) for v in mine] == [(4, 0, "empty"), (1, 3, "closed")]
    assert closed.json_body["already_closed"] is False and closed.json_body["closed_by"] == "******0006"
    again = post(api, f"{STOCK}/sessions/{session_id}/close", {}, staff["admin"])
    assert again.status_code == 200 and again.json_body["already_closed"] is True
    assert again.json_body["closed_at"] == closed.json_body["closed_at"]
    assert (again.json_body["used"], again.json_body["wasted"]) == (closed.json_body["used"],
                                                                   closed.json_body["wasted"])
    late = give(api, staff["vaccinator"], session_id, batch, people(1)[0])
    assert late.status_code == 409 and late.json_body["errorCode"] == "VACCIN0021", late.body
    refused = post(api, f"{STOCK}/sessions/{session_id}/vials", {"batch": batch}, staff["admin"])
    assert refused.status_code == 409 and refused.json_body["errorCode"] == "VACCIN0021"
    report = api.http.get(f"{STOCK}/reports?center_id={HERE}&from={seeded}&to={seeded}",
                          headers=staff["admin"]).json_body
    [line] = [v for v in report["vaccines"] if v["vaccine"] == "COVISHIELD"]
    assert (line["used"], line["wasted"]) == (5, 3)  # counted once, though closed twice
    booking = post(api, "/v2/appointment/schedule", {"dose": 1, "session_id": session_id, "slot": "09:00AM-11:00AM",
                                                     "beneficiaries": [people(1)[0][0]]}, as_("9811100077"))
    assert booking.status_code in (400, 409)  # a closed session takes no bookings either


def test_a_session_is_closed_on_or_after_its_day_by_its_vaccinator_or_facility_admin(api, staff, seeded, as_):
    tomorrow = session_at(seeded, days=1)
    early = post(api, f"{STOCK}/sessions/{tomorrow}/close", {}, staff["admin"])
    assert early.status_code == 409 and early.json_body["errorCode"] == "STOCK0009"
    today = session_at(seeded, center_id=200001)  # Bengaluru: not theirs
    assert post(api, f"{STOCK}/sessions/{today}/close", {}, staff["admin"]).json_body["errorCode"] == "USRAUT0022"
    assert post(api, f"{STOCK}/sessions/nope/close", {}, staff["admin"]).status_code == 404
    assert post(api, f"{STOCK}/sessions/{session_at(seeded)}/close", {}, as_(VERIFIER)).status_code == 403


def offline(who: tuple[str, int], session_id: str, batch: str, given_at: int) -> dict:
    ref, seed = who
    return {"uuid": str(uuid.uuid4()), "device_id": "tablet-7", "captured_at": given_at, "given_at": given_at,
            "vaccinator": VACCINATOR, "beneficiary_reference_id": ref, "session_id": session_id,
            "vaccine": "COVISHIELD", "batch": batch, "dose": 1, "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]}


def test_offline_doses_given_before_the_close_and_synced_after_it_are_recorded(api, staff, seeded):
    """The dose happened: it takes one of the vial's wasted doses back as used; when no vial holds a
    wasted dose usable at its time, a vial is opened and closed for it (its other doses wasted). A dose
    given after the close is refused."""
    import time

    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=3, doses_per_vial=4).status_code == 201
    session_id = session_at(seeded)
    before = int(time.time()) - 60
    assert give(api, staff["vaccinator"], session_id, batch, people(1)[0]).status_code == 201
    assert post(api, f"{STOCK}/sessions/{session_id}/close", {}, staff["admin"]).status_code == 200
    who = people(5)
    synced = post(api, "/v2/vaccination/offline/sync", {"records": [
        offline(person_, session_id, batch, before) for person_ in who[:4]]}, staff["vaccinator"]).json_body
    assert [r["status"] for r in synced["records"]] == ["accepted"] * 4, synced
    mine = sorted((v.number, v.used, v.wasted) for v in vials_of(session_id) if v.batch == batch)
    assert mine == [(1, 4, 0), (2, 1, 3)]  # three wasted doses taken back; the fourth opened vial 2 (closed)
    after = post(api, "/v2/vaccination/offline/sync", {"records": [
        offline(who[4], session_id, batch, int(time.time()) + 5)]}, staff["vaccinator"]).json_body
    assert after["records"][0]["status"] == "rejected" and after["records"][0]["errorCode"] == "VACCIN0021"
    report = api.http.get(f"{STOCK}/reports?center_id={HERE}&from={seeded}&to={seeded}",
                          headers=staff["admin"]).json_body
    [line] = [v for v in report["vaccines"] if v["vaccine"] == "COVISHIELD"]
    assert (line["used"], line["wasted"]) == (5, 3)
    assert batch_of(batch).vials_opened == 2


def new_centre(api, headers) -> int:
    created = post(api, "/v2/admin/centers", {"name": "Stock Test Clinic", "address": "Dadar", "block_name": "F North",
                                              "district_id": 395, "pincode": 400014, "lat": 19.02, "long": 72.85},
                   headers)
    assert created.status_code == 201, created.body
    return created.json_body["center_id"]


def plan(center_id: int, seeded: str, days: int, capacity: int, vaccine: str = "COVAXIN") -> dict:
    return {"center_id": center_id, "date": day_of(seeded, days).strftime("%d-%m-%Y"), "vaccine": vaccine,
            "min_age_limit": 18, "capacity_dose1": capacity, "capacity_dose2": 0, "slots": ["09:00AM-01:00PM"]}


def test_sessions_are_planned_only_within_the_stock_expected_on_their_date(api, staff, seeded):
    """Unopened doses of batches not expired on the day, less what the centre's other sessions of the
    vaccine from today up to that day hold: single sessions, plans in bulk and raised capacities alike."""
    district = staff["district"]
    centre = new_centre(api, district)
    nothing = post(api, "/v2/admin/sessions", plan(centre, seeded, 2, 10), district)
    assert nothing.status_code == 409 and nothing.json_body["errorCode"] == "PLANNG0020", nothing.body
    assert "Only 0 doses of COVAXIN" in nothing.json_body["error"]
    batch = batch_number()
    assert receive(api, district, batch, vials=5, doses_per_vial=10, vaccine="COVAXIN", center_id=centre,
                   expiry_date=day_of(seeded, 10).strftime("%d-%m-%Y")).status_code == 201
    first = post(api, "/v2/admin/sessions", plan(centre, seeded, 2, 30), district)
    assert first.status_code == 201, first.body
    beyond = post(api, "/v2/admin/sessions", plan(centre, seeded, 3, 21), district)
    assert beyond.status_code == 409 and "Only 20 doses" in beyond.json_body["error"], beyond.body
    assert post(api, "/v2/admin/sessions", plan(centre, seeded, 3, 20), district).status_code == 201
    expired = post(api, "/v2/admin/sessions", plan(centre, seeded, 11, 1), district)  # the batch expired by then
    assert expired.status_code == 409 and "Only 0 doses" in expired.json_body["error"]
    earlier = post(api, "/v2/admin/sessions", plan(centre, seeded, 1, 1), district)  # the later ones hold it all
    assert earlier.status_code == 201  # the rule looks from today up to the session's day only

    session_id = first.json_body["session_id"]  # day 2: only day 1's session (1) is before it
    raised = post(api, f"/v2/admin/sessions/{session_id}/capacity", {
        "capacity_dose1": 50, "capacity_dose2": 0, "slots": [{"name": "09:00AM-01:00PM", "capacity": 50}]}, district)
    assert raised.status_code == 409 and "Only 49 doses" in raised.json_body["error"], raised.body
    lowered = post(api, f"/v2/admin/sessions/{session_id}/capacity", {
        "capacity_dose1": 20, "capacity_dose2": 0, "slots": [{"name": "09:00AM-01:00PM", "capacity": 20}]}, district)
    assert lowered.status_code == 200, lowered.body

    more = batch_number()
    assert receive(api, district, more, vials=1, doses_per_vial=20, vaccine="COVAXIN", center_id=centre).status_code \
        == 201
    bulk = post(api, "/v2/admin/sessions/plan", {"sessions": [plan(centre, seeded, 4, 15), plan(centre, seeded, 5, 15),
                                                              plan(centre, seeded, 6, 1, "COVISHIELD")]}, district)
    assert bulk.status_code == 400 and bulk.json_body["errorCode"] == "PLANNG0013", bulk.body
    assert [(row["row"], row["errorCode"]) for row in bulk.json_body["rows"]] == [(2, "PLANNG0020"), (3, "PLANNG0020")]
    fits = [plan(centre, seeded, 4, 15), plan(centre, seeded, 5, 14)]
    assert post(api, "/v2/admin/sessions/plan", {"sessions": fits}, district).status_code == 201


def test_todays_session_counts_what_its_vials_gave_and_still_hold(api, staff, seeded):
    """Raising today's capacity after doses: what its vials gave and hold usable is its own."""
    district = staff["district"]
    centre = new_centre(api, district)
    batch = batch_number()
    assert receive(api, district, batch, vials=2, doses_per_vial=10, vaccine="COVAXIN", center_id=centre).status_code \
        == 201
    session_id = post(api, "/v2/admin/sessions", plan(centre, seeded, 0, 20), district).json_body["session_id"]
    from chalicelib.domain.records import AllocationRecord
    from chalicelib.store.base import item_of
    from chalicelib.store.planning import AllocationItem

    item_of(AllocationRecord(session_id, VACCINATOR, "vaccinator", day_of(seeded).isoformat(), centre, 0, "test"),
            AllocationItem).save()
    # The demo vaccinator works at Seven Hills: a token scoped to this centre gives the doses.
    from chalicelib.domain.roles import Principal, Role, Scope
    from chalicelib.services import doses

    vaccinator = Principal(VACCINATOR, frozenset({Role.VACCINATOR}), Scope(facility_id=centre, district_id=395,
                                                                         state_id=21))
    for ref, seed in people(3):
        doses.record_dose(vaccinator, {"beneficiary_reference_id": ref, "session_id": session_id, "vaccine": "COVAXIN",
                                       "batch": batch, "dose": 1, "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:]},
                          _now(), get_settings().country)
    # 20 received; 3 given from vial 1, which holds 7 more; vial 2 unopened: 20 doses back this session.
    edit = {"capacity_dose2": 0, "slots": None}
    for capacity, status in ((21, 409), (20, 200)):
        answer = post(api, f"/v2/admin/sessions/{session_id}/capacity", {
            **edit, "capacity_dose1": capacity, "slots": [{"name": "09:00AM-01:00PM", "capacity": capacity}]}, district)
        assert answer.status_code == status, answer.body


def report(api, headers, query: str, seeded: str, csv_: bool = False):
    path = f"{STOCK}/reports?{query}&from={seeded}&to={seeded}"
    return api.http.get(path, headers={**headers, **({"Accept": "text/csv"} if csv_ else {})})


def test_the_report_per_facility_district_and_state_in_json_and_csv(api, staff, seeded, as_):
    before = {area: {line["vaccine"]: line for line in report(api, as_(NATIONAL), area, seeded).json_body["vaccines"]}
              for area in (f"center_id={HERE}", "district_id=395", "state_id=21")}
    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=3, doses_per_vial=10).status_code == 201
    session_id = session_at(seeded)
    for who in people(12):
        assert give(api, staff["vaccinator"], session_id, batch, who).status_code == 201
    assert post(api, f"{STOCK}/sessions/{session_id}/close", {}, staff["vaccinator"]).status_code == 200
    for area in before:
        answer = report(api, as_(NATIONAL), area, seeded)
        assert answer.status_code == 200, answer.body
        line = {v["vaccine"]: v for v in answer.json_body["vaccines"]}["COVISHIELD"]
        old = before[area].get("COVISHIELD", {"received": 0, "used": 0, "wasted": 0, "on_hand": 0})
        assert line["received"] - old["received"] == 30 and line["used"] - old["used"] == 12, (area, line)
        assert line["wasted"] - old["wasted"] == 8 and line["on_hand"] - old["on_hand"] == 10, (area, line)
        assert line["wastage_rate"] == round(line["wasted"] / (line["used"] + line["wasted"]), 4)
        assert line["days_of_stock_left"] == round(line["on_hand"] / line["used"], 1)  # a one-day period
    as_csv = report(api, staff["admin"], "format=csv", seeded)  # a facility admin's own facility by default
    assert as_csv.status_code == 200 and as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.body.decode())))
    assert rows[0].keys() >= {"area", "vaccine", "received", "used", "wasted", "wastage_rate", "on_hand",
                              "days_of_stock_left"}
    [row] = [r for r in rows if r["vaccine"] == "COVISHIELD"]
    assert row["area"] == f"center#{HERE}" and int(row["wasted"]) >= 8
    assert report(api, staff["district"], "", seeded, csv_=True).body.decode().startswith("area,from,to,vaccine")


def test_the_report_is_for_the_callers_area_only(api, staff, seeded, as_):
    for mobile, query, status in ((BBMP_ADMIN, f"center_id={HERE}", 403), (BBMP_ADMIN, "district_id=395", 403),
                                  (FACILITY_ADMIN, "district_id=395", 403), (FACILITY_ADMIN, "center_id=100002", 403),
                                  (MUMBAI_ADMIN, "state_id=21", 403), (STATE_ADMIN, "state_id=16", 403),
                                  (STATE_ADMIN, "district_id=395", 200), (MUMBAI_ADMIN, f"center_id={HERE}", 200),
                                  (NATIONAL, "", 400), (VACCINATOR, f"center_id={HERE}", 403)):
        answer = report(api, as_(mobile), query, seeded)
        assert answer.status_code == status, (mobile, query, answer.body)
    for query in ("center_id=x", "district_id=999999", "state_id=99", "center_id=999999"):
        answer = report(api, as_(NATIONAL), query, seeded)
        assert answer.status_code in (400, 404) and "errorCode" in answer.json_body, (query, answer.body)
    long = api.http.get(f"{STOCK}/reports?center_id={HERE}&from=01-01-2026&to=01-03-2026", headers=as_(NATIONAL))
    assert long.status_code == 400 and long.json_body["errorCode"] == "VACCIN0018"


def test_without_stock_tracking_no_stock_rule_applies(api, seeded, as_):
    """A country that keeps its stock elsewhere: the routes say so, and doses take any batch."""
    admin, vaccinator = as_(FACILITY_ADMIN), as_(VACCINATOR)
    assert receive(api, admin, batch_number()).json_body["errorCode"] == "STOCK0001"
    session_id = session_at(seeded)
    for path in (f"{STOCK}/sessions/{session_id}/vials", f"{STOCK}/sessions/{session_id}/close"):
        answer = post(api, path, {"batch": "4121Z025"}, admin)
        assert answer.status_code == 409 and answer.json_body["errorCode"] == "STOCK0001"
    assert report(api, admin, "", seeded).json_body["errorCode"] == "STOCK0001"
    given = give(api, vaccinator, session_id, "NEVERSEEN1", people(1)[0])
    assert given.status_code == 201 and given.json_body["vial"] is None
    assert vials_of(session_id) == []


def test_a_walk_in_draws_on_the_stock_too(api, staff, seeded):
    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=1, doses_per_vial=1).status_code == 201
    body = {**person(next(_seeds)), "mobile": str(next(_mobiles)), "session_id": session_at(seeded),
            "vaccine": "COVISHIELD", "batch": batch, "dose": 1}
    first = post(api, "/v2/vaccination/walkin", body, staff["vaccinator"])
    assert first.status_code == 201 and first.json_body["dose"]["vial"] == f"{batch}#1", first.body
    second = post(api, "/v2/vaccination/walkin", {**body, **person(next(_seeds))}, staff["vaccinator"])
    assert second.status_code == 409 and second.json_body["errorCode"] == "STOCK0008"
    from chalicelib.store.auth import AccountItem

    assert AccountItem.get(body["mobile"]).beneficiary_count == 1  # the refused walk-in registered nobody


def test_a_dose_whose_vial_was_emptied_meanwhile_reads_the_stock_again_and_opens_the_next(api, staff, seeded,
                                                                                          monkeypatch):
    """The race, forced: between the dose's read of the vials and its write, another dose takes the
    vial's last dose; the write's condition refuses, and the retry opens the next vial."""
    from chalicelib.services import stock as stock_service

    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=2, doses_per_vial=2).status_code == 201
    session_id = session_at(seeded)
    first, racer, last = people(3)
    assert give(api, staff["vaccinator"], session_id, batch, first).status_code == 201
    original = stock_service.draw
    raced = []

    def draw_then_race(*args, **kwargs):
        found = original(*args, **kwargs)
        if not raced:
            raced.append(None)
            raced[0] = give(api, staff["vaccinator"], session_id, batch, racer)
        return found

    monkeypatch.setattr(stock_service, "draw", draw_then_race)
    answer = give(api, staff["vaccinator"], session_id, batch, last)
    assert raced[0].status_code == 201 and raced[0].json_body["vial"] == f"{batch}#1"
    assert answer.status_code == 201 and answer.json_body["vial"] == f"{batch}#2", answer.body
    assert sorted((v.number, v.used) for v in vials_of(session_id) if v.batch == batch) == [(1, 2), (2, 1)]


def test_a_dose_that_read_the_vials_before_another_dose_opened_one_uses_that_one(api, staff, seeded, monkeypatch):
    """The race, forced: a dose reads the session's vials (none), another dose opens vial 1, then the first
    reads the batch (one opened) and would open vial 2 for the same need; the vial's key at the session
    (the batch's first vial there, as the first dose read) is taken, so it reads again and uses vial 1."""
    from chalicelib.store import stock as stock_store

    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=3, doses_per_vial=2).status_code == 201
    session_id = session_at(seeded)
    racer, late = people(2)
    original, raced = stock_store.batch, []

    def batch_after_a_race(center_id, number):
        if not raced:
            raced.append(None)
            raced[0] = give(api, staff["vaccinator"], session_id, batch, racer)
        return original(center_id, number)

    monkeypatch.setattr(stock_store, "batch", batch_after_a_race)
    answer = give(api, staff["vaccinator"], session_id, batch, late)
    assert raced[0].status_code == 201 and raced[0].json_body["vial"] == f"{batch}#1", raced[0].body
    assert answer.status_code == 201 and answer.json_body["vial"] == f"{batch}#1", answer.body
    assert [(v.number, v.used) for v in vials_of(session_id) if v.batch == batch] == [(1, 2)]
    assert original(HERE, batch).vials_opened == 1


def test_none_left_is_not_said_while_a_vial_opened_meanwhile_holds_a_dose(api, staff, seeded, monkeypatch):
    """The race, forced: a dose reads the session's vials (none), another dose opens the batch's last
    vial, then the first reads the batch (every vial opened): it reads the vials again and uses that one."""
    from chalicelib.store import stock as stock_store

    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=1, doses_per_vial=2).status_code == 201
    session_id = session_at(seeded)
    racer, late = people(2)
    original, raced = stock_store.batch, []

    def batch_after_a_race(center_id, number):
        if not raced:
            raced.append(None)
            raced[0] = give(api, staff["vaccinator"], session_id, batch, racer)
        return original(center_id, number)

    monkeypatch.setattr(stock_store, "batch", batch_after_a_race)
    answer = give(api, staff["vaccinator"], session_id, batch, late)
    assert raced[0].status_code == 201 and answer.status_code == 201, (raced[0].body, answer.body)
    assert [(v.number, v.used) for v in vials_of(session_id) if v.batch == batch] == [(1, 2)]


def test_a_transaction_in_conflict_is_read_again_and_retried(api, staff, seeded, monkeypatch):
    """DynamoDB cancels a transaction that meets another on the same item (TransactionConflict): the
    dose tries again rather than answering 503."""
    from pynamodb.connection.base import Connection
    from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=1, doses_per_vial=5).status_code == 201
    [who] = people(1)
    original, conflicts = Connection.transact_write_items, []

    def conflicting(self, *args, **kwargs):
        if not conflicts:
            conflicts.append(1)
            raise TransactWriteError("conflict", VerboseClientError(
                {"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}}, "TransactWriteItems",
                cancellation_reasons=[CancellationReason(code="TransactionConflict")]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "transact_write_items", conflicting)
    answer = give(api, staff["vaccinator"], session_at(seeded), batch, who)
    assert conflicts and answer.status_code == 201, answer.body


def test_a_dose_recorded_now_cannot_stretch_a_vials_hours_by_claiming_an_earlier_time(api, staff, seeded, monkeypatch):
    """The open-vial policy judges a real-time dose at the server's time: once a vial's time is up, a
    dose claiming a `given_at` inside it still opens the next vial."""
    from tests.helpers import stock_tracked

    stock_tracked(monkeypatch, open_vial_seconds=1)
    batch = batch_number()
    assert receive(api, staff["admin"], batch, vials=4, doses_per_vial=5).status_code == 201
    session_id, who = session_at(seeded), people(2)
    claimed = int(time.time())
    first = give(api, staff["vaccinator"], session_id, batch, who[0], given_at=claimed)
    assert first.status_code == 201, first.body
    time.sleep(2.2)  # the vial's one second is over, to the whole second
    second = give(api, staff["vaccinator"], session_id, batch, who[1], given_at=claimed)
    assert second.status_code == 201, second.body
    assert (first.json_body["vial"], second.json_body["vial"]) == (f"{batch}#1", f"{batch}#2")
