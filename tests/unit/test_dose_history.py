"""A person's doses as they stand, and how a repair restates them (chalicelib/domain/dose_history.py)."""
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain.dose_history import (
    CORRECTION,
    DOSE,
    Standing,
    dose_entry,
    in_order,
    restated,
    series_problem,
    standing,
)
from chalicelib.domain.records import DoseRecord

INDIA = load_pack("in")
DAY = date(2021, 6, 1)


def record(dose: int, entry: str | None = None, day: date = DAY, vaccine: str = "COVISHIELD", **more) -> DoseRecord:
    entry = entry or dose_entry(dose)
    return DoseRecord("12345678901234", entry, kind=DOSE, record_id=f"r-{entry}", dose=dose, vaccine=vaccine,
                      batch="B1", given_at=0, given_on=day.isoformat(), mobile="9876543210", recorded_at=0,
                      recorded_by="x", **more)


def fix(of: DoseRecord, n: int, **changes) -> DoseRecord:
    return replace(of, entry=f"{of.entry}#fix#{n}", kind=CORRECTION, record_id=f"f-{of.entry}-{n}", **changes)


def test_the_latest_correction_stands_and_a_voided_record_does_not():
    one, two = record(1), record(2, day=DAY + timedelta(days=90))
    entries = [one, fix(one, 1, batch="B2"), fix(one, 2, batch="B3"), two, fix(two, 1, voided=True)]
    doses = standing(entries)
    assert list(doses) == [1] and doses[1].current.batch == "B3" and len(doses[1].corrections) == 2


def test_a_record_keyed_after_a_voided_one_stands_with_its_own_corrections_only():
    voided_one = record(1)
    again = record(1, entry=dose_entry(1, 1), day=DAY + timedelta(days=9))
    entries = sorted([voided_one, fix(voided_one, 1, voided=True), again, fix(again, 1, batch="B9")],
                     key=lambda e: e.entry)  # as the Query returns them
    doses = standing(entries)
    assert doses[1].record is again and doses[1].current.batch == "B9" and len(doses[1].corrections) == 1


def test_a_series_is_one_vaccine_one_dose_a_day_then_the_precaution_the_pack_allows():
    def history(*doses):
        return [Standing(r, r) for r in (record(n, day=DAY + timedelta(days=100 * n), vaccine=v)
                                         for n, v in enumerate(doses, 1))]

    assert series_problem(history("COVISHIELD", "COVISHIELD", "COVISHIELD"), INDIA) is None
    assert "dose 2 would be COVAXIN" in series_problem(history("COVISHIELD", "COVAXIN"), INDIA)
    assert "no dose 4" in series_problem(history(*["COVISHIELD"] * 4), INDIA)
    same_day = [Standing(r, r) for r in (record(1), record(2))]
    assert "one day" in series_problem(same_day, INDIA)


people_doses = st.lists(st.integers(0, 400), min_size=0, max_size=3, unique=True)


@given(people_doses, people_doses)
def test_a_restatement_changes_exactly_the_numbers_whose_record_changes(mine, theirs):
    """Merging two people's doses: every number whose dose is another record is voided and retaken,
    the rest untouched, and applying the changes gives the merged history number by number."""
    before = [Standing(r, r) for r in (record(n, entry=f"mine{n}", day=DAY + timedelta(days=d))
                                       for n, d in enumerate(sorted(mine), 1))]
    other = [Standing(r, r) for r in (record(n, entry=f"theirs{n}", day=DAY + timedelta(days=d + 1000))
                                      for n, d in enumerate(sorted(theirs), 1))]
    after = in_order([*before, *other])
    changes = restated(before, after)
    result = {i + 1: s.record.record_id for i, s in enumerate(before)}
    for change in changes:
        assert change.voids is None or result[change.dose] == change.voids.record.record_id
        if change.takes is None:
            del result[change.dose]
        else:
            result[change.dose] = change.takes.record.record_id
    assert result == {i + 1: s.record.record_id for i, s in enumerate(after)}
    assert all(c.dose > len(before) or c.voids is not None for c in changes)
    assert len(changes) == len(other)  # their doses come after mine: only new numbers change
