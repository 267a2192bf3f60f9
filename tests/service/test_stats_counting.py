"""The counters under concurrency, on moto: stream workers racing on the same records (a redelivery
while the first delivery is still running) count each once; sessions opened and cancelled at one site
by racing workers leave the site counted exactly while it holds one."""
import threading

from chalicelib.domain import stats as rules
from chalicelib.services import stats
from chalicelib.store import stats as store

NOW = 1796047807


def dose_countings(n: int) -> list[store.Counting]:
    facts = [rules.DoseFact("2026-11-30", 9 + i % 8, 21, 395, 100001 + i % 3, "COVISHIELD", 1 + i % 2,
                            "vac_18_30", 1 + i % 3) for i in range(n)]
    return [store.Counting(f"dose-{i}", rules.dose_deltas(fact)) for i, fact in enumerate(facts)]


def race(workers: list) -> None:
    barrier = threading.Barrier(len(workers))
    errors = []

    def run(work):
        try:
            barrier.wait()
            work()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def counts(area: str) -> rules.Counts:
    return rules.Counts(store.rows(area, "2026-11-24"), "2026-11-30")


def test_racing_deliveries_of_overlapping_batches_count_every_dose_once(aws):
    countings = dose_countings(150)
    # Four workers: the whole stream, its first half twice (a redelivery racing the first delivery), its tail.
    batches = [countings, countings[:80], countings[:80], countings[60:]]
    added = []
    race([lambda batch=batch: added.append(store.apply(batch, NOW)) for batch in batches])
    assert sum(added) == 150
    for area in (rules.COUNTRY, rules.state_area(21), rules.district_area(395)):
        cube = {cell: n for cell, n in counts(area).now.items() if cell.startswith("c|")}
        assert sum(cube.values()) == 150
    assert store.apply(countings, NOW) == 0  # delivered once more, later: nothing


def test_a_batch_larger_than_a_transaction_is_split_and_still_counted_once(aws):
    countings = [store.Counting(f"dose-{i}", rules.dose_deltas(rules.DoseFact(
        "2026-11-30", 10, 1 + i % 30, 1000 + i, 5000 + i, "COVAXIN", 1, "vac_30_45", 2))) for i in range(60)]
    assert len(store._chunks(countings)) > 1  # 60 districts in 30 states: more than 100 items at once
    assert store.apply(countings, NOW) == 60 and store.apply(countings, NOW) == 0
    assert counts(rules.COUNTRY).now["c|COVAXIN|1|vac_30_45|2"] == 60


def test_racing_session_changes_at_one_site_count_it_while_it_holds_one(aws):
    image = {"date": "2026-11-30", "state_id": 21, "district_id": 395, "center_id": 100009, "fee_type": "Free"}
    opened = [(f"open-{vaccine}", None, {**image, "status": "ACTIVE", "session_id": vaccine})
              for vaccine in ("A", "B", "C", "D")]
    race([lambda change=change: stats.count_sessions([change], NOW) for change in opened])
    district = counts(rules.district_area(395))
    assert (district.day("2026-11-30")["s|govt"], district.day("2026-11-30")["t|govt"], district.now["T|govt"]) == \
        (4, 1, 1)
    cancelled = [(f"cancel-{vaccine}", {**image, "status": "ACTIVE", "session_id": vaccine},
                  {**image, "status": "CANCELLED", "session_id": vaccine}) for vaccine in ("A", "B", "C", "D")]
    race([lambda change=change: stats.count_sessions([change, change], NOW) for change in cancelled + cancelled])
    district = counts(rules.district_area(395))
    assert (district.day("2026-11-30")["s|govt"], district.day("2026-11-30")["t|govt"], district.now["T|govt"]) == \
        (0, 0, 0)
