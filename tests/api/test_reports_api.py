"""The public reports through the API on the demo data: doses (real time, walk-in, offline), a
redelivered stream, corrections of a dose and of a person, sessions and sites, CoWIN's answer, open
data, caching and bad input."""
import csv
import io
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.config import get_settings
from local import dispatcher
from local.seed import BBMP, KARNATAKA, MAHARASHTRA, MUMBAI
from tests.api.test_offline_sync_api import captured, sync
from tests.api.test_vaccination_api import (
    BASE,
    CITIZEN,
    FACILITY_ADMIN,
    OTHER_CITIZEN,
    VACCINATOR,
    dose,
    register,
    session_at,
)
from tests.helpers import aadhaar, person, post

REPORTS = "/v1/reports/v2/getPublicReports"


@pytest.fixture
def counted(api, seeded):
    """The app whose stream workers count. Doses from the oldest record, as deployed; sessions from now on:
    counting the demo's 384 sessions again in every test would take seconds of moto's time (the tests
    look at what their own sessions change)."""
    from app import app

    dispatcher.begin_streams(app, from_now=("count_sessions",))
    return app


def report(api, **query) -> dict:
    answer = api.http.get(REPORTS + "?" + "&".join(f"{k}={v}" for k, v in query.items()))
    assert answer.status_code == 200, answer.body
    return answer.json_body


def walk_in(api, as_, seeded, seed: int, mobile: str, **who) -> str:
    body = {**person(seed, **who), "mobile": mobile, **dose("", session_at(seeded))}
    del body["beneficiary_reference_id"]
    answer = post(api, f"{BASE}/walkin", body, as_(VACCINATOR))
    assert answer.status_code == 201, answer.body
    return answer.json_body["beneficiary_reference_id"]


def vaccinated(api, as_, seeded) -> list[str]:
    """Four first doses at Mumbai's centre 100001 today (an 18-44 session): two walk-ins (a man of 40
    and a woman of 20), and an offline batch of two people registered online (women born 1990)."""
    year = int(seeded[-4:])
    refs = [walk_in(api, as_, seeded, 11, OTHER_CITIZEN, gender_id=1, birth_year=str(year - 40)),
            walk_in(api, as_, seeded, 12, OTHER_CITIZEN, birth_year=str(year - 20))]
    offline = [register(api, as_(CITIZEN), n) for n in (13, 14)]
    records = [captured(ref, n, session_at(seeded)) for n, ref in zip((13, 14), offline)]
    answer = sync(api, as_(VACCINATOR), records)
    assert answer.json_body["accepted"] == 2, answer.body
    return refs + offline


def test_doses_move_exactly_their_counters_at_every_level(api, counted, seeded, as_):
    before = report(api)["topBlock"]["vaccination"]
    vaccinated(api, as_, seeded)
    dispatcher.drain(counted)
    year = int(seeded[-4:])
    country = report(api)
    vaccination = country["topBlock"]["vaccination"]
    assert vaccination["tot_dose_1"] - before["tot_dose_1"] == 4
    assert vaccination["total_doses"] - before["total_doses"] == 4
    assert vaccination["today"] - before["today"] == 4 and vaccination["today_dose_one"] - before["today_dose_one"] == 4
    assert (vaccination["male"] - before["male"], vaccination["female"] - before["female"]) == (1, 3)
    assert vaccination["covishield"] - before["covishield"] == 4
    by_state = {row["state_id"]: row for row in country["getBeneficiariesGroupBy"]}
    assert by_state[MAHARASHTRA]["total"] >= 4 and by_state[MAHARASHTRA]["title"] == "Maharashtra"
    state = report(api, state_id=MAHARASHTRA)
    district = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)
    for area in (state, district):
        assert area["topBlock"]["vaccination"]["tot_dose_1"] == by_state[MAHARASHTRA]["total"]
    [mumbai] = [row for row in state["getBeneficiariesGroupBy"] if row["district_id"] == MUMBAI]
    assert mumbai["today"] == by_state[MAHARASHTRA]["today"] == district["topBlock"]["vaccination"]["today"]
    [site] = district["getBeneficiariesGroupBy"]
    assert site["session_site_id"] == 100001 and site["title"] == "Seven Hills Hospital" and site["total"] >= 4
    ages = district["vaccinationByAge"]
    assert ages["vac_18_30"] >= 1 and ages["vac_30_45"] >= 3 and ages["total"] == site["total"]
    assert report(api, state_id=KARNATAKA, district_id=BBMP)["topBlock"]["vaccination"]["total_doses"] == 0
    today = datetime.now(ZoneInfo("Asia/Kolkata")).date().isoformat()
    assert country["last7DaysVaccination"][-1]["vaccine_date"] == today
    assert [row["vaccine_date"] for row in country["last7DaysVaccination"]] == sorted(
        {row["vaccine_date"] for row in country["last7DaysVaccination"]})
    assert sum(hour["count"] for hour in country["vaccinationDoneByTime"]) == vaccination["today"]
    assert datetime.strptime(country["timestamp"], "%Y-%m-%d %H:%M:%S").year == year


def test_a_redelivered_stream_counts_nothing_twice(api, counted, seeded, as_):
    vaccinated(api, as_, seeded)
    dispatcher.drain(counted)
    first = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)
    dispatcher.replay("count_doses")  # every dose record delivered again, from the oldest
    dispatcher.drain(counted)
    again = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)
    assert again["topBlock"] == first["topBlock"] and again["vaccinationByAge"] == first["vaccinationByAge"]


def test_a_corrected_time_moves_the_dose_to_its_hour_and_a_corrected_person_to_their_gender_and_age(
        api, counted, seeded, as_):
    ref = walk_in(api, as_, seeded, 21, OTHER_CITIZEN, gender_id=1)  # a man born 1990
    dispatcher.drain(counted)
    first = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)
    zone = ZoneInfo(get_settings().country.time_zone)
    midnight = datetime.now(zone).replace(hour=0, minute=5, second=0, microsecond=0)
    fix = {"beneficiary_reference_id": ref, "dose": 1, "given_at": midnight.isoformat(), "reason": "Clock was wrong"}
    assert post(api, f"{BASE}/doses/correction", fix, as_(FACILITY_ADMIN)).status_code == 201
    dispatcher.drain(counted)
    moved = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)
    assert moved["topBlock"] == first["topBlock"]  # the same dose, at another time of the same day
    hours = {hour["label"]: hour["count"] for hour in moved["vaccinationDoneByTime"]}
    assert hours["00:00-01:00"] == 1 + {h["label"]: h["count"] for h in first["vaccinationDoneByTime"]}.get(
        "00:00-01:00", 0)
    corrected = post(api, "/v2/registration/beneficiary/correction",
                      {"beneficiary_reference_id": ref, "gender_id": 2, "birth_year": str(int(seeded[-4:]) - 25)},
                      as_(OTHER_CITIZEN))
    assert corrected.status_code == 200, corrected.body
    dispatcher.drain(counted)
    now = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)
    was, became = first["topBlock"]["vaccination"], now["topBlock"]["vaccination"]
    assert (became["male"], became["female"]) == (was["male"] - 1, was["female"] + 1)
    assert became["tot_dose_1"] == was["tot_dose_1"]
    assert now["vaccinationByAge"]["vac_18_30"] == first["vaccinationByAge"]["vac_18_30"] + 1
    assert now["vaccinationByAge"]["vac_30_45"] == first["vaccinationByAge"]["vac_30_45"] - 1


def test_sessions_and_sites_count_while_open(api, counted, seeded, as_):
    admin = as_("9000000003")
    dispatcher.drain(counted)
    day = datetime.strptime(seeded, "%d-%m-%Y").date()  # sessions count from their day on
    before = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)["topBlock"]
    centre = post(api, "/v2/admin/centers", {"name": "Count Clinic", "address": "Dadar", "block_name": "G North",
                                             "district_id": MUMBAI, "pincode": "400014", "lat": 19.02,
                                             "long": 72.84}, admin).json_body["center_id"]
    sessions = []
    for vaccine in ("COVISHIELD", "COVAXIN"):
        planned = post(api, "/v2/admin/sessions", {"center_id": centre, "date": day.strftime("%d-%m-%Y"),
                                                   "vaccine": vaccine, "capacity_dose1": 10, "capacity_dose2": 0,
                                                   "min_age_limit": 18, "slots": ["09:00AM-11:00AM"]}, admin)
        assert planned.status_code == 201, planned.body
        sessions.append(planned.json_body["session_id"])
    dispatcher.drain(counted)
    planned = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)["topBlock"]
    assert planned["sessions"]["total"] == before["sessions"]["total"] + 2
    assert planned["sites"]["total"] == before["sites"]["total"] + 1  # one site, however many sessions
    assert post(api, f"/v2/admin/sessions/{sessions[0]}/cancel", {"reason": "No vaccine"}, admin).status_code == 200
    dispatcher.drain(counted)
    one_left = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)["topBlock"]
    assert one_left["sessions"]["total"] == before["sessions"]["total"] + 1
    assert one_left["sites"]["total"] == before["sites"]["total"] + 1
    assert post(api, f"/v2/admin/sessions/{sessions[1]}/cancel", {"reason": "No vaccine"}, admin).status_code == 200
    dispatcher.drain(counted)
    none_left = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)["topBlock"]
    assert none_left["sessions"] == before["sessions"] and none_left["sites"] == before["sites"]


def test_open_data_is_the_days_cube_as_csv(api, counted, seeded, as_):
    vaccinated(api, as_, seeded)
    dispatcher.drain(counted)
    answer = api.http.get(f"/v1/reports/v2/openData.csv?state_id={MAHARASHTRA}&district_id={MUMBAI}")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.body.decode() if isinstance(answer.body, bytes) else answer.body)))
    assert sum(int(row["doses"]) for row in rows) == \
        report(api, state_id=MAHARASHTRA, district_id=MUMBAI)["topBlock"]["vaccination"]["today"]
    assert {row["gender"] for row in rows} <= {"male", "female", "others"}
    assert all(row["district_id"] == str(MUMBAI) and row["vaccine"] == "COVISHIELD" for row in rows)


def test_answers_are_cacheable_and_revalidate(api, seeded):
    first = api.http.get(REPORTS)
    assert first.headers["Cache-Control"] == "public, max-age=60" and first.headers["ETag"]
    again = api.http.get(REPORTS, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("query, code", [
    ("date=30-11-2026", "REPORT0001"), ("date=2026-02-30", "REPORT0001"), ("date=2999-01-01", "REPORT0001"),
    ("date=%00", "USRRES0003"), ("state_id=abc", "REPORT0002"), ("state_id=999", "REPORT0002"),
    ("state_id=16&district_id=395", "REPORT0002"), ("district_id=-1", "REPORT0002"),
    ("district_id=99999999999999999999", "REPORT0002"), ("state_id=%C2%B2", "REPORT0002"),
    ("district_id=%E2%91%A0", "REPORT0002"), ("state_id=%D9%A3", "REPORT0002"), ("state_id=021", "REPORT0002"),
    ("state_id=%EF%BC%93", "REPORT0002"), ("date=2026-W01-1", "REPORT0001"), ("date=20260101T0", "REPORT0001"),
    ("date=%2B2026-11-01", "REPORT0001"), ("date=1999-12-31", "REPORT0001"),
])
def test_bad_queries_are_clear_400s(api, seeded, query, code):
    for path in (REPORTS, "/v1/reports/v2/openData.csv"):
        answer = api.http.get(f"{path}?{query}")
        assert answer.status_code == 400 and answer.json_body["errorCode"] == code, (path, query, answer.body)


def test_the_report_reads_the_last_7_days_and_open_data_any_day(api, seeded):
    today = datetime.strptime(seeded, "%d-%m-%Y").date()
    week_ago, older = (today - timedelta(days=6)).isoformat(), (today - timedelta(days=7)).isoformat()
    assert api.http.get(f"{REPORTS}?date={week_ago}").status_code == 200
    refused = api.http.get(f"{REPORTS}?date={older}")
    assert refused.status_code == 400 and refused.json_body["errorCode"] == "REPORT0001"
    assert older in refused.json_body["error"] or week_ago in refused.json_body["error"]
    answer = api.http.get(f"/v1/reports/v2/openData.csv?date={(today - timedelta(days=400)).isoformat()}")
    assert answer.status_code == 200 and answer.body.decode().splitlines() == [
        "date,state_id,district_id,vaccine,dose,age_band,gender,doses"]


def test_a_district_alone_names_its_state_and_a_past_date_reads_as_of_that_day(api, counted, seeded, as_):
    vaccinated(api, as_, seeded)
    dispatcher.drain(counted)
    assert report(api, district_id=MUMBAI)["topBlock"] == report(api, state_id=MAHARASHTRA, district_id=MUMBAI)[
        "topBlock"]
    yesterday = (datetime.strptime(seeded, "%d-%m-%Y") - timedelta(days=1)).date().isoformat()
    past = report(api, state_id=MAHARASHTRA, district_id=MUMBAI, date=yesterday)["topBlock"]["vaccination"]
    assert past["total_doses"] == 0 and past["today"] == 0  # today's doses were not given yet


def test_the_web_pages_texts_come_in_the_pack_languages(api, seeded):
    hindi = api.http.get("/v2/web/texts?lang=hi").json_body
    assert hindi["language"] == "hi_IN" and hindi["texts"]
    assert {language["code"] for language in hindi["languages"]} == {"en_US", "hi_IN"}
    assert {language["name"] for language in hindi["languages"]} == {"English", "हिन्दी"}
    english = api.http.get("/v2/web/texts", headers={"Accept-Language": "en"}).json_body
    assert english["language"] == "en_US" and english["texts"] == {}
    assert aadhaar(1) not in str(hindi)


def test_a_centre_made_paid_takes_its_sessions_and_site_to_the_private_count(api, counted, seeded, as_):
    admin = as_("9000000003")
    dispatcher.drain(counted)
    before = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)["topBlock"]
    centre = post(api, "/v2/admin/centers", {"name": "Fee Clinic", "address": "Dadar", "block_name": "G North",
                                             "district_id": MUMBAI, "pincode": "400014", "lat": 19.02,
                                             "long": 72.84}, admin).json_body["center_id"]
    planned = post(api, "/v2/admin/sessions", {"center_id": centre, "date": seeded, "vaccine": "COVISHIELD",
                                               "capacity_dose1": 10, "capacity_dose2": 0, "min_age_limit": 18,
                                               "slots": ["09:00AM-11:00AM"]}, admin)
    assert planned.status_code == 201, planned.body
    dispatcher.drain(counted)
    free = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)["topBlock"]
    assert (free["sessions"]["govt"], free["sites"]["govt"]) == (before["sessions"]["govt"] + 1,
                                                                 before["sites"]["govt"] + 1)
    edited = post(api, f"/v2/admin/centers/{centre}", {"fee_type": "Paid", "vaccine_fees": {"covishield": "780"}},
                  admin)
    assert edited.status_code == 200, edited.body
    dispatcher.drain(counted)
    paid = report(api, state_id=MAHARASHTRA, district_id=MUMBAI)["topBlock"]
    assert (paid["sessions"]["govt"], paid["sites"]["govt"]) == (before["sessions"]["govt"], before["sites"]["govt"])
    assert (paid["sessions"]["pvt"], paid["sites"]["pvt"]) == (before["sessions"]["pvt"] + 1,
                                                               before["sites"]["pvt"] + 1)


def test_a_dose_is_not_recorded_with_the_details_a_correction_just_replaced(api, seeded, as_):
    from dataclasses import replace

    from chalicelib.domain.vaccination import DoseRequest
    from chalicelib.store import planning
    from chalicelib.store import registration as people
    from chalicelib.store import vaccination as dose_store

    ref = register(api, as_(CITIZEN), 31)
    person = people.get(ref)
    stale = replace(person, birth_year=int(person.birth_year) + 1)  # as read before a correction landed
    session = planning.get_session(session_at(seeded))
    request = DoseRequest(ref, session.session_id, "COVISHIELD", "4121Z025", 1, 1796047807)
    dose = dose_store.new_dose(request, session, stale, given_on=session.date, vaccinator=VACCINATOR,
                               verifier=VACCINATOR, recorded_by=VACCINATOR, now=1796047807, appointment_id=None,
                               capture=None)
    assert dose_store.record(dose, series_vaccine=None, takes_seat=True, completes=None) == {"beneficiary"}
    fresh = dose_store.new_dose(request, session, person, given_on=session.date, vaccinator=VACCINATOR,
                                verifier=VACCINATOR, recorded_by=VACCINATOR, now=1796047807, appointment_id=None,
                                capture=None)
    assert dose_store.record(fresh, series_vaccine=None, takes_seat=True, completes=None) is None


def _doses_today(count: int, first: int) -> list[dict]:
    """Dose records of Mumbai's centre 100001, as the doses stream delivers them, given now."""
    now = int(datetime.now().timestamp())
    today = datetime.now(ZoneInfo(get_settings().country.time_zone)).date().isoformat()
    return [{"kind": "dose", "record_id": f"spread-{first + n}", "given_at": now, "given_on": today,
             "state_id": MAHARASHTRA, "district_id": MUMBAI, "center_id": 100001, "vaccine": "COVISHIELD",
             "dose": 1 + n % 2, "birth_year": 1990, "gender_id": 1 + n % 3} for n in range(count)]


def test_an_areas_counters_spread_over_its_shards_partitions_and_a_view_sums_them(api, monkeypatch):
    """Each transaction writes one shard of each area, the shard in the partition key (`country#3`): 8
    batches on the 8 shards are 8 partitions of the country, and every view reads them all back."""
    from chalicelib.services import stats
    from chalicelib.store import stats as store

    shards, randrange = iter(range(store.SHARDS)), store.random.randrange
    monkeypatch.setattr(store.random, "randrange",
                        lambda *bounds: next(shards) if bounds == (store.SHARDS,) else randrange(*bounds))
    for batch in range(store.SHARDS):
        assert stats.count_doses(_doses_today(3, 3 * batch), get_settings().country, int(time.time())) == 3
    keys = {(item.area, item.period) for item in store.StatsItem.scan() if not item.area.startswith("applied#")}
    assert {area for area, _ in keys if area.startswith("country")} == {f"country#{n}" for n in range(store.SHARDS)}
    assert {area.rsplit("#", 1)[0] for area, _ in keys} == {"country", f"state#{MAHARASHTRA}", f"district#{MUMBAI}"}
    assert all("#" not in period for _, period in keys)  # the sort key is the day or `all` (and a site slice)
    for area in ({}, {"state_id": MAHARASHTRA}, {"state_id": MAHARASHTRA, "district_id": MUMBAI}):
        vaccination = report(api, **area)["topBlock"]["vaccination"]
        assert (vaccination["total_doses"], vaccination["today"], vaccination["tot_dose_1"]) == (24, 24, 16)
    by_state = {row["state_id"]: row for row in report(api)["getBeneficiariesGroupBy"]}
    assert (by_state[MAHARASHTRA]["total"], by_state[MAHARASHTRA]["today"]) == (16, 24)
    rows = list(csv.DictReader(io.StringIO(api.http.get("/v1/reports/v2/openData.csv").body.decode())))
    assert sum(int(row["doses"]) for row in rows) == 24


def test_a_conflicting_transaction_is_tried_again_on_another_shard_and_counted_once(api, monkeypatch):
    from pynamodb.exceptions import CancellationReason, VerboseClientError

    from chalicelib.services import stats
    from chalicelib.store import stats as store

    tried: list[set[str]] = []
    call = store._call

    def conflicting_once(operation: str, **arguments):
        if operation == "TransactWriteItems":
            items = arguments["TransactItems"]
            tried.append({item["Update"]["Key"]["area"]["S"] for item in items if "Update" in item})
            if len(tried) == 1:  # another writer holds the country's item: DynamoDB cancels the transaction
                raise VerboseClientError(
                    {"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}}, operation,
                    cancellation_reasons=[None] * (len(items) - 1) + [CancellationReason(code="TransactionConflict")])
        return call(operation, **arguments)

    monkeypatch.setattr(store, "_call", conflicting_once)
    assert stats.count_doses(_doses_today(2, 100), get_settings().country, int(time.time())) == 2
    first, second = ({int(area.rsplit("#", 1)[1]) for area in attempt} for attempt in tried)
    assert len(tried) == 2 and len(first) == len(second) == 1 and first != second
    assert report(api)["topBlock"]["vaccination"]["total_doses"] == 2


def test_countings_found_added_before_on_the_last_try_are_no_conflict(monkeypatch):
    """Seven conflicts, then the eighth try finds the event's marker: a redelivery's twin counted it. That is
    done, not a failure (the batch would be failed and retried for nothing)."""
    from pynamodb.exceptions import CancellationReason, VerboseClientError

    from chalicelib.store import stats as store

    calls = []

    def cancelled(operation: str, **arguments):
        calls.append(operation)
        items = arguments["TransactItems"]
        reasons = ([None] * (len(items) - 1) + [CancellationReason(code="TransactionConflict")]
                   if len(calls) < store.CONFLICT_RETRIES else
                   [CancellationReason(code="ConditionalCheckFailed")] + [None] * (len(items) - 1))
        raise VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
                                 operation, cancellation_reasons=reasons)

    monkeypatch.setattr(store, "_call", cancelled)
    monkeypatch.setattr(store.time, "sleep", lambda seconds: None)
    counting = store.Counting("event-1", {("country", "2026-11-30"): {"c|COVISHIELD|1|b|1": 1}})
    assert store.apply([counting], 0) == 0 and len(calls) == store.CONFLICT_RETRIES
