"""The reports' counting rules against a plain statement of them: for any doses, corrections and session
changes, the counters read back give what counting the records one by one gives."""
from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain import stats as rules

INDIA = load_pack("in")
TODAY = date(2026, 11, 30)
PLACES = [(21, 395, 100001), (21, 395, 100002), (21, 363, 300001), (16, 294, 200001)]  # state, district, site
VACCINES = ["COVISHIELD", "COVAXIN"]

facts = st.builds(
    lambda place, back, hour, vaccine, dose, age, gender: rules.DoseFact(
        day=(TODAY - timedelta(days=back)).isoformat(), hour=hour, state_id=place[0], district_id=place[1],
        center_id=place[2], vaccine=vaccine, dose=dose, band=rules.age_band(age, INDIA), gender_id=gender,
        completes=dose == 2),  # both vaccines have 2 primary doses
    st.sampled_from(PLACES), st.integers(0, 9), st.integers(0, 23), st.sampled_from(VACCINES), st.integers(1, 3),
    st.integers(18, 90), st.integers(1, 3))


SHARDS = 8  # as store/stats.py keeps an area's counters: 8 partition keys, `<area>#<shard>`


def counted(deltas_list) -> dict[str, rules.Counts]:
    """Counters as the store keeps them: each event's changes added to one shard of each area (summed per
    shard, area and period), read back as each area's Counts from every shard's rows (a period once per shard)."""
    areas: dict[str, list] = {}
    for shard in range(SHARDS):
        for (area, period), cells in rules.merged(*deltas_list[shard::SHARDS]).items():
            areas.setdefault(area, []).append((period, cells))
    return {area: rules.Counts(rows, TODAY.isoformat()) for area, rows in areas.items()}


def report(counts: dict[str, rules.Counts], area: str, level: str = "state", children=()) -> dict:
    return rules.public_report(counts.get(area, rules.Counts([], TODAY.isoformat())), TODAY.isoformat(), children,
                               level, "", INDIA, 1796047807)


@settings(max_examples=60, deadline=None)
@given(st.lists(facts, max_size=40))
def test_the_report_counts_what_a_plain_count_of_the_doses_counts(doses):
    counts = counted([rules.dose_deltas(fact) for fact in doses])
    for area, mine in [(rules.COUNTRY, doses), (rules.state_area(21), [d for d in doses if d.state_id == 21]),
                       (rules.district_area(395), [d for d in doses if d.district_id == 395])]:
        vaccination = report(counts, area)["topBlock"]["vaccination"]
        today = [d for d in mine if d.day == TODAY.isoformat()]
        firsts = [d for d in mine if d.dose == 1]
        assert vaccination["total_doses"] == len(mine)
        assert (vaccination["tot_dose_1"], vaccination["tot_dose_2"], vaccination["tot_pd"]) == (
            len(firsts), sum(d.dose == 2 for d in mine), sum(d.dose >= 3 for d in mine))
        assert vaccination["today"] == len(today) and vaccination["today_dose_two"] == sum(d.dose == 2 for d in today)
        genders = Counter({1: "male", 2: "female", 3: "others"}[d.gender_id] for d in firsts)
        assert (vaccination["male"], vaccination["female"], vaccination["others"]) == (
            genders["male"], genders["female"], genders["others"])
        assert vaccination["covaxin"] == sum(d.vaccine == "COVAXIN" for d in mine)
        full = report(counts, area)
        assert {k: v for k, v in full["vaccinationByAge"].items() if v} == {
            k: v for k, v in {"total": len(firsts), **Counter(d.band for d in firsts)}.items() if v}
        assert sum(hour["count"] for hour in full["vaccinationDoneByTime"]) == len(today)
        days = {row["vaccine_date"]: row["count"] for row in full["last7DaysVaccination"]}
        assert days == {(TODAY - timedelta(days=back)).isoformat(): sum(
            d.day == (TODAY - timedelta(days=back)).isoformat() for d in mine) for back in range(7)}


@settings(max_examples=40, deadline=None)
@given(st.lists(facts, max_size=30))
def test_the_by_area_rows_are_the_childrens_own_counts(doses):
    counts = counted([rules.dose_deltas(fact) for fact in doses])
    states = [rules.Child(21, "Maharashtra"), rules.Child(16, "Karnataka")]
    rows = {row["state_id"]: row for row in report(counts, rules.COUNTRY, "state", states)["getBeneficiariesGroupBy"]}
    for state_id in (21, 16):
        own = report(counts, rules.state_area(state_id))["topBlock"]["vaccination"]
        assert rows[state_id]["total"] == own["tot_dose_1"] and rows[state_id]["today"] == own["today"]
        assert rows[state_id]["totally_vaccinated"] == own["tot_dose_2"]


@settings(max_examples=60, deadline=None)
@given(facts, facts)
def test_a_correction_moves_a_dose_from_what_was_counted_to_what_stands(before, changed):
    after = rules.DoseFact(**{**before.__dict__, "hour": changed.hour, "band": changed.band,
                              "gender_id": changed.gender_id})
    corrected = rules.merged(rules.dose_deltas(before), rules.correction_deltas(before, after))
    assert corrected == rules.merged(rules.dose_deltas(after))


def test_a_past_date_reads_the_counts_as_of_that_day():
    doses = [rules.DoseFact(d, 10, 21, 395, 100001, "COVISHIELD", 1, "vac_18_30", 2)
             for d in ("2026-11-28", "2026-11-29", "2026-11-30")]
    rows = [(period, cells) for (area, period), cells in rules.merged(*map(rules.dose_deltas, doses)).items()
            if area == rules.COUNTRY]
    assert rules.Counts(rows, "2026-11-29").as_of["c|COVISHIELD|1|vac_18_30|2"] == 2
    assert rules.Counts(rows, "2026-11-30").as_of["c|COVISHIELD|1|vac_18_30|2"] == 3


def test_a_single_dose_vaccine_completes_with_its_first_dose():
    uganda = load_pack("ug")
    dose = {"given_at": 1796047807, "given_on": "2026-11-30", "state_id": 1, "district_id": 2, "center_id": 3,
            "dose": 1, "birth_year": 1990, "gender_id": 1}
    janssen = rules.dose_fact({**dose, "vaccine": "JANSSEN"}, {**dose, "vaccine": "JANSSEN"}, uganda)
    astrazeneca = rules.dose_fact({**dose, "vaccine": "ASTRAZENECA"}, {**dose, "vaccine": "ASTRAZENECA"}, uganda)
    assert janssen.completes and not astrazeneca.completes
    counts = counted([rules.dose_deltas(janssen), rules.dose_deltas(astrazeneca)])
    [row] = rules.public_report(counts[rules.COUNTRY], "2026-11-30", [rules.Child(1, "Central")], "state", "",
                                uganda, 1796047807)["getBeneficiariesGroupBy"]
    assert (row["total"], row["totally_vaccinated"], row["partial_vaccinated"], row["today"]) == (2, 1, 1, 2)


def test_age_bands_come_from_the_pack():
    assert [rules.age_band(age, INDIA) for age in (12, 18, 29, 30, 45, 59, 60, 99)] == [
        "below_18", "vac_18_30", "vac_18_30", "vac_30_45", "vac_45_60", "vac_45_60", "above_60", "above_60"]
    uganda = load_pack("ug")
    assert [rules.age_band(age, uganda) for age in (18, 49, 50)] == ["vac_18_50", "vac_18_50", "above_50"]


changes = st.lists(st.one_of(
    st.tuples(st.just("session"), st.sampled_from([100001, 100002]), st.sampled_from(["2026-11-30", "2026-12-01"]),
              st.sampled_from(["COVISHIELD", "COVAXIN"]), st.sampled_from(["Free", "Paid", None])),
    st.tuples(st.just("move"), st.sampled_from([100001, 100002]), st.sampled_from([395, 396]))), max_size=30)


@settings(max_examples=150, deadline=None)
@given(changes)
def test_sessions_and_sites_count_while_a_site_holds_a_session(events):
    """Sessions (one per site, day and vaccine) open, change fee, close (fee None); a centre moves to
    another district with its sessions (one stream record each). With the guards kept as the store
    keeps them, a site counts on a day, per fee and district, while it holds an active session there."""
    active: dict[tuple[int, str, str], str] = {}  # (site, day, vaccine) -> fee
    district = {100001: 395, 100002: 395}
    guards: Counter = Counter()
    deltas = []

    def image(center, day, fee):
        return {"status": "ACTIVE" if fee else "CANCELLED", "date": day, "state_id": 21,
                "district_id": district[center], "center_id": center, "fee_type": fee or "Free",
                "session_id": f"{center}{day}"}

    def count(old, new):
        for change in rules.session_changes(old, new):
            guard = (rules.site_guard(change), change.day)
            deltas.append(rules.session_deltas(change, guards[guard], guards[(guard[0], "all")]))
            guards[guard] += change.change
            guards[(guard[0], "all")] += change.change

    for event in events:
        if event[0] == "move":
            _, center, to = event
            moving = {key: fee for key, fee in active.items() if key[0] == center}
            before = {key: image(center, key[1], fee) for key, fee in moving.items()}
            district[center] = to
            for key, fee in moving.items():
                count(before[key], image(center, key[1], fee))
            continue
        _, center, day, vaccine, fee = event
        key = (center, day, vaccine)
        count(image(center, day, active[key]) if key in active else None, image(center, day, fee))
        if fee:
            active[key] = fee
        else:
            active.pop(key, None)
    everything = counted(deltas)
    for area, where in ((rules.COUNTRY, {395, 396}), (rules.district_area(395), {395}),
                        (rules.district_area(396), {396})):
        counts = everything.get(area, rules.Counts([], "2026-12-01"))
        for fee, name in (("Free", "govt"), ("Paid", "pvt")):
            mine = {key for key, f in active.items() if f == fee and district[key[0]] in where}
            for day in ("2026-11-30", "2026-12-01"):
                assert counts.day(day)[f"s|{name}"] == sum(1 for _, d, _ in mine if d == day)
                assert counts.day(day)[f"t|{name}"] == len({c for c, d, _ in mine if d == day})
            assert counts.now[f"T|{name}"] == len({c for c, _, _ in mine})


def test_a_change_of_seats_is_not_a_session_change_and_a_move_is():
    image = {"status": "ACTIVE", "date": "2026-11-30", "state_id": 21, "district_id": 395, "center_id": 1,
             "fee_type": "Paid"}
    assert rules.session_changes(image, {**image, "booked_dose1": 3}) == []
    [opened] = rules.session_changes(None, image)
    assert opened.fee == "pvt" and opened.change == 1
    assert [c.change for c in rules.session_changes(image, None)] == [-1]
    out, into = rules.session_changes(image, {**image, "fee_type": "Free", "district_id": 396})
    assert (out.change, out.fee, out.district_id, into.change, into.fee, into.district_id) == (
        -1, "pvt", 395, 1, "govt", 396)
