"""Vaccine stock rules, pure (chalicelib/domain/stock.py), each against a plain statement of it: which vial a
dose comes from, expiry, the next vial, closing, the ledger's arithmetic through whole days of receipts,
doses, closes and late offline doses, the report's sums (wastage rate, days left), and planning within
the stock."""
from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain import stock as rules
from chalicelib.domain import vaccination as dose_rules
from chalicelib.domain.booking import SessionFacts
from chalicelib.domain.errors import ApiError
from chalicelib.domain.planning import SessionPlan, Slot, total_capacity
from chalicelib.domain.records import BatchRecord, VialRecord
from tests.unit.test_vaccination_rules import code_of, person

PROFILE = load_pack("in")
DAY = date(2026, 11, 23)
NOON = 1_795_461_000  # 2026-11-23T12:00:00+05:30
SKEW = 300


def vial(number: int = 1, *, batch: str = "B1", doses: int = 10, used: int = 0, wasted: int = 0, opened_at: int = NOON,
         until: int | None = None, closed_at: int | None = None, expiry: str = "2027-01-31") -> VialRecord:
    return VialRecord("s1", rules.vial_entry(batch, number), batch=batch, number=number, vaccine="COVISHIELD",
                      center_id=100001, doses=doses, expiry=expiry, opened_at=opened_at,
                      usable_until=opened_at + 4 * 3600 if until is None else until, opened_by="9000000006",
                      used=used, wasted=wasted, closed_at=closed_at)


def batch(received: int = 5, opened: int = 0, *, per_vial: int = 10, expiry: str = "2027-01-31",
          vaccine: str = "COVISHIELD", number: str = "B1") -> BatchRecord:
    return BatchRecord(100001, number, vaccine, expiry, per_vial, 395, 21, 0, vials_received=received,
                       vials_opened=opened)


# -- which vial ---------------------------------------------------------------------------------------------

vials_strategy = st.lists(st.builds(
    lambda number, doses, used, opened, span, closed, wasted: vial(
        number, doses=doses, used=min(used, doses), opened_at=NOON + opened, until=NOON + opened + span,
        closed_at=NOON + 9000 if closed else None, wasted=min(wasted, doses - min(used, doses)) if closed else 0),
    st.integers(1, 30), st.integers(1, 10), st.integers(0, 10), st.integers(-20_000, 20_000),
    st.integers(0, 20_000), st.booleans(), st.integers(0, 10)), max_size=8, unique_by=lambda v: v.number)


@given(vials_strategy, st.integers(-25_000, 25_000), st.booleans())
def test_property_a_dose_uses_the_usable_vial_with_room_whose_time_ends_first_or_none(vials, offset, closed):
    """Plainly: at an open session, of the vials still open, usable at the dose's time (opened by then,
    give or take the clock skew, and within the policy) and with a dose left, the one whose policy ends
    first (then the lower number); at a closed session, the same of the closed vials with a wasted dose."""
    moment = NOON + offset
    if closed:
        candidates = [v for v in vials if v.closed_at is not None and v.wasted > 0]
    else:
        candidates = [v for v in vials if v.closed_at is None and v.used < v.doses]
    candidates = [v for v in candidates if v.opened_at - SKEW <= moment <= v.usable_until]
    found = rules.reusable(vials, "B1", moment, DAY, closed, SKEW)
    if not candidates:
        assert found is None
    else:
        assert found is not None and found.kind == (rules.RECLAIM if closed else rules.USE)
        assert found.vial == min(candidates, key=lambda v: (v.usable_until, v.number))


def test_another_batchs_vials_are_never_drawn_on():
    assert rules.reusable([vial(batch="B2")], "B1", NOON, DAY, False, SKEW) is None


@pytest.mark.parametrize(("expiry", "day", "expired"), [("2026-11-23", DAY, False), ("2026-11-22", DAY, True),
                                                        ("2026-11-24", DAY, False)])
def test_a_batch_may_be_used_through_its_expiry_date_not_after(expiry, day, expired):
    assert rules.expired(expiry, day) is expired
    refused = code_of(lambda: rules.reusable([vial(expiry=expiry)], "B1", NOON, day, False, SKEW))
    assert refused == ("STOCK0007" if expired else None)
    opening = code_of(lambda: rules.opened_vial(batch(expiry=expiry), "COVISHIELD", session_id="s1", at_session=1,
                                                moment=NOON, day=day, opened_by="x", policy_seconds=60))
    assert opening == ("STOCK0007" if expired else None)


@given(st.integers(1, 500), st.integers(0, 500), st.integers(1, 50), st.integers(60, 10 ** 6), st.booleans())
def test_property_the_next_vial_is_the_one_after_those_opened_while_any_is_left(received, opened, per_vial, policy,
                                                                              closes):
    def open_it():
        return rules.opened_vial(batch(received, opened, per_vial=per_vial), "COVISHIELD", session_id="s1",
                                 at_session=3, moment=NOON, day=DAY, opened_by="x", policy_seconds=policy, used=1,
                                 closed_at=NOON + 5 if closes else None)

    if opened >= received:
        assert code_of(open_it) == "STOCK0008"
        return
    draw = open_it()
    assert draw.kind == rules.OPEN and draw.opened == opened and draw.vial.number == opened + 1
    assert draw.vial.entry == "B1#000003" and draw.vial.vial_id == f"B1#{opened + 1}"  # its key at the session
    assert (draw.vial.doses, draw.vial.used, draw.vial.usable_until) == (per_vial, 1, NOON + policy)
    assert draw.closes is closes and draw.vial.wasted == (per_vial - 1 if closes else 0)
    assert draw.vial.used + draw.vial.wasted <= draw.vial.doses


def test_a_batch_never_received_or_of_another_vaccine_opens_no_vial():
    def opened(found):
        return code_of(lambda: rules.opened_vial(found, "COVISHIELD", session_id="s1", at_session=1, moment=NOON,
                                                 day=DAY,
                                                 opened_by="x", policy_seconds=60))

    assert opened(None) == "STOCK0006"
    assert opened(batch(vaccine="COVAXIN")) == "VACCIN0002"


def test_the_policy_is_the_vaccines_own_else_the_countrys():
    assert PROFILE.open_vial_seconds == 4 * 3600 and PROFILE.open_vial_seconds_of("COVISHIELD") == 4 * 3600
    covaxin = dataclasses.replace(PROFILE.vaccine("COVAXIN"), open_vial_seconds=28 * 24 * 3600)
    other = PROFILE.with_overrides({"vaccines": [covaxin if v.name == "COVAXIN" else v for v in PROFILE.vaccines],
                                    "open_vial_seconds": 600})
    assert other.open_vial_seconds_of("COVAXIN") == 28 * 24 * 3600 and other.open_vial_seconds_of("COVISHIELD") == 600


# -- a closed session refuses doses in real time --------------------------------------------------------------

def test_a_closed_session_refuses_real_time_doses_and_later_ones_but_takes_an_offline_dose_given_before():
    closed = SessionFacts(date=DAY, vaccine="COVISHIELD", min_age_limit=18, max_age_limit=None, allow_all_age=False,
                          status="ACTIVE", slots=(), closed_at=NOON)

    def check(**kwargs):
        return code_of(lambda: dose_rules.check_dose(person(), closed, 1, "COVISHIELD", DAY, PROFILE, **kwargs))

    assert check() == "VACCIN0021"
    assert check(given_at=NOON - 60) == "VACCIN0021"  # in real time: refused however early it was given
    assert check(given_at=NOON - 60, offline=True) is None
    assert check(given_at=NOON + 60, offline=True) == "VACCIN0021"


# -- closing, and the ledger through whole days ---------------------------------------------------------------

def test_closing_wastes_what_open_vials_hold_and_leaves_emptied_and_closed_ones():
    vials = [vial(1, used=10), vial(2, used=3), vial(3, used=0), vial(4, used=2, wasted=8, closed_at=NOON)]
    closing = rules.closing(vials, NOON + 100)
    assert [(v.number, v.wasted, v.closed_at) for v in closing] == [(2, 7, NOON + 100), (3, 10, NOON + 100)]


class Centre:
    """A plain model of one centre's stock through a day, driven by the rules as the store applies them, and
    the ledger as the store writes it (moves added to counters)."""

    def __init__(self, per_vial: int, received: int) -> None:
        self.batch = batch(received, 0, per_vial=per_vial)
        self.vials: list[VialRecord] = []
        self.closed_at: int | None = None
        self.ledger: dict[tuple[str, str], Counter] = {}
        self.given = 0
        self.move(rules.receipt_moves(rules.Receipt(100001, "COVISHIELD", "B1", date(2027, 1, 31), received,
                                                    per_vial), 395, 21, DAY))

    def move(self, moves) -> None:
        for key, cells in moves.items():
            self.ledger.setdefault(key, Counter()).update(cells)

    def dose(self, moment: int) -> bool:
        try:
            draw = rules.reusable(self.vials, "B1", moment, DAY, self.closed_at is not None, SKEW) or \
                rules.opened_vial(self.batch, "COVISHIELD", session_id="s1", at_session=len(self.vials) + 1,
                                  moment=moment, day=DAY, opened_by="x",
                                  policy_seconds=3600, used=1, closed_at=NOON + 10 ** 6 if self.closed_at else None)
        except ApiError:
            return False
        if draw.kind == rules.OPEN:
            self.batch = dataclasses.replace(self.batch, vials_opened=self.batch.vials_opened + 1)
            self.vials.append(draw.vial)
        else:
            change = {"used": draw.vial.used + 1}
            if draw.kind == rules.RECLAIM:
                change["wasted"] = draw.vial.wasted - 1
            self.vials = [dataclasses.replace(v, **change) if v == draw.vial else v for v in self.vials]
        if self.closed_at is not None:
            self.move(rules.late_dose_moves(draw, DAY.isoformat(), 395, 21))
        self.given += 1
        return True

    def close(self, moment: int) -> None:
        if self.closed_at is not None:
            return
        closing = {v.entry: v for v in rules.closing(self.vials, moment)}
        self.move(rules.close_moves(self.vials, list(closing.values()), DAY.isoformat(), 395, 21))
        self.vials = [closing.get(v.entry, v) for v in self.vials]
        self.closed_at = moment


@settings(max_examples=150)
@given(st.integers(1, 10), st.integers(1, 8), st.lists(st.tuples(st.sampled_from(["dose", "late", "close"]),
                                                                  st.integers(0, 3 * 3600)), max_size=60))
def test_property_the_ledger_counts_exactly_the_doses_given_and_wasted_and_stock_never_goes_negative(
        per_vial, received, events):
    """Plainly: after the close, the ledger's used doses are the doses given, its wasted ones what the
    opened vials held besides, every vial's used and wasted doses are within its doses, no more vials are
    opened than received, and what is on hand is the unopened vials' doses."""
    centre = Centre(per_vial, received)
    for kind, offset in events:
        if kind == "close":
            centre.close(NOON + offset)
        elif kind == "late" and centre.closed_at is not None:
            centre.dose(min(NOON + offset, centre.closed_at))
        elif kind == "dose" and centre.closed_at is None:
            centre.dose(NOON + offset)
    centre.close(NOON + 4 * 3600)
    assert centre.batch.vials_opened <= received and len(centre.vials) == centre.batch.vials_opened
    assert all(0 <= v.used and 0 <= v.wasted and v.used + v.wasted <= v.doses for v in centre.vials)
    assert all(v.used + v.wasted == v.doses for v in centre.vials)  # after the close, every dose is accounted for
    for area in ("center#100001", "district#395", "state#21", "country"):
        rows = [(period, cells) for (key, period), cells in centre.ledger.items() if key == area]
        [line] = rules.stock_lines(rows, DAY, DAY, DAY, ["COVISHIELD"])
        assert (line.received, line.used) == (received * per_vial, centre.given)
        assert line.wasted == sum(v.wasted for v in centre.vials)
        assert line.on_hand == (received - centre.batch.vials_opened) * per_vial >= 0
        assert line.expired == 0
        later = rules.stock_lines(rows, DAY, DAY, date(2027, 2, 1), ["COVISHIELD"])[0]  # after the batch expired
        assert later.expired == line.on_hand and later.on_hand == 0


def test_a_late_dose_at_a_closed_session_moves_a_wasted_dose_to_used_or_a_whole_vial():
    reclaim = rules.Draw(rules.RECLAIM, vial(used=3, wasted=7, closed_at=NOON))
    moves = rules.late_dose_moves(reclaim, "2026-11-23", 395, 21)
    assert moves[("center#100001", "2026-11-23")] == {"u|COVISHIELD": 1, "w|COVISHIELD": -1}
    assert moves[("country", rules.ALL)] == {"u|COVISHIELD": 1, "w|COVISHIELD": -1}
    opened = rules.opened_vial(batch(), "COVISHIELD", session_id="s1", at_session=1, moment=NOON, day=DAY,
                               opened_by="x",
                               policy_seconds=60, used=1, closed_at=NOON + 5)
    moves = rules.late_dose_moves(opened, "2026-11-23", 395, 21)
    assert moves[("state#21", "2026-11-23")] == {"u|COVISHIELD": 1, "w|COVISHIELD": 9}
    assert moves[("district#395", "x2027-01-31")] == {"n|COVISHIELD": -10}
    assert rules.late_dose_moves(rules.Draw(rules.USE, vial()), "2026-11-23", 395, 21) == {}


# -- the report -----------------------------------------------------------------------------------------------

@given(st.integers(0, 10 ** 6), st.integers(0, 10 ** 6))
def test_property_the_wastage_rate_is_the_share_of_opened_doses_not_given(used, wasted):
    rate = rules.wastage_rate(used, wasted)
    if used + wasted == 0:
        assert rate is None
    else:
        assert rate is not None and 0 <= rate <= 1 and abs(rate - wasted / (used + wasted)) <= 0.00005


@given(st.integers(-100, 10 ** 6), st.integers(0, 10 ** 5), st.integers(1, 31))
def test_property_days_of_stock_left_is_on_hand_over_the_average_daily_use(on_hand, used, days):
    left = rules.days_left(on_hand, used, days)
    if used == 0:
        assert left is None
    else:
        assert left is not None and abs(left - max(on_hand, 0) / (used / days)) <= 0.05 + 1e-9


@given(st.lists(st.tuples(st.sampled_from(["2026-11-20", "2026-11-21", "2026-11-23", "all", "x2026-11-22",
                                           "x2026-12-31"]),
                          st.sampled_from(["r", "u", "w", "n"]), st.integers(-50, 500)), max_size=40),
       st.integers(0, 7))
def test_property_shards_sum_as_one_item_and_each_period_counts_where_it_belongs(cells, shards):
    """Plainly: received, used and wasted are the day items' within the period; on hand is the campaign's
    received less used, wasted and the unopened doses of batches expired before today."""
    rows = [(period, {f"{kind}|COVISHIELD": n}) for period, kind, n in cells]
    split = [(period, {name: n // (shards + 1) + (n % (shards + 1) if s == 0 else 0)})
             for period, one in rows for name, n in one.items() for s in range(shards + 1)]
    first, last, today = date(2026, 11, 21), date(2026, 11, 23), date(2026, 11, 23)
    whole = rules.stock_lines(rows, first, last, today, ["COVISHIELD"])
    assert whole == rules.stock_lines(split, first, last, today, ["COVISHIELD"])

    def total(periods, kind):
        return sum(n for period, k, n in cells if period in periods and k == kind)

    counted = {"2026-11-21", "2026-11-23", "all", "x2026-11-22"}
    if not any(period in counted for period, _, _ in cells):  # nothing in the period, the campaign or the expired
        assert whole == []
        return
    [line] = whole
    days = ("2026-11-21", "2026-11-23")
    assert (line.received, line.used, line.wasted) == (total(days, "r"), total(days, "u"), total(days, "w"))
    assert line.expired == total(("x2026-11-22",), "n")
    assert line.on_hand == total(("all",), "r") - total(("all",), "u") - total(("all",), "w") - line.expired
    assert line.days == 3


def test_the_csv_has_one_row_per_vaccine_with_the_area_and_period():
    line = rules.StockLine("COVISHIELD", received=100, used=30, wasted=5, on_hand=65, expired=0, days=5)
    text = rules.report_csv({"area": "center#100001", "from": "01-11-2026", "to": "05-11-2026",
                             "vaccines": [rules.line_view(line)]})
    assert text.splitlines() == [",".join(rules.CSV_FIELDS),
                                 "center#100001,01-11-2026,05-11-2026,COVISHIELD,100,30,5,0.1429,65,0,6.0,10.8"]


# -- planning within the stock ------------------------------------------------------------------------------------

claims = st.lists(st.builds(lambda n, day, capacity, drawn, left: rules.Claim(
    f"s{n}", DAY + timedelta(days=day), capacity, min(drawn, capacity) if day == 0 else 0, left if day == 0 else 0),
    st.integers(0, 40), st.integers(0, 8), st.integers(1, 200), st.integers(0, 50), st.integers(0, 10)),
    max_size=6, unique_by=lambda c: c.session_id)
batches = st.lists(st.builds(lambda n, received, opened, per_vial, day: batch(
    received, min(opened, received), per_vial=per_vial, expiry=(DAY + timedelta(days=day)).isoformat(),
    number=f"B{n}"), st.integers(0, 9), st.integers(0, 40), st.integers(0, 40), st.integers(1, 20),
    st.integers(-1, 10)), max_size=4, unique_by=lambda b: b.batch)


@given(claims, claims, batches)
def test_property_a_session_is_planned_only_within_the_stock_expected_on_its_date(planned, others, stock):
    """Plainly (docs/stock.md): a planned session's capacity, less what is already drawn for it and left in
    its own open vials, must fit in the unopened doses of the vaccine's batches not expired on its day,
    after the other sessions (planned, or being planned) from today up to that day take what they still need
    of those unopened doses (their capacity, less what they drew and hold open)."""
    others = [c for c in others if c.session_id not in {p.session_id for p in planned}]
    refused = dict((claim.session_id, available) for claim, available in
                   rules.beyond_stock(planned, others, stock, "COVISHIELD", DAY))
    for claim in planned:
        unopened = sum((b.vials_received - b.vials_opened) * b.doses_per_vial for b in stock
                       if date.fromisoformat(b.expiry) >= claim.day)
        before = sum(max(c.capacity - c.drawn - c.left_open, 0) for c in [*others, *planned]
                     if c.session_id != claim.session_id and DAY <= c.day <= claim.day)
        fits = claim.capacity - claim.drawn - claim.left_open <= unopened - before
        assert (claim.session_id not in refused) == fits
        if not fits:
            assert refused[claim.session_id] == unopened - before + claim.drawn + claim.left_open


def test_another_vaccines_batches_back_nothing():
    assert rules.expected_unopened([batch(5, vaccine="COVAXIN")], "COVISHIELD", DAY) == 0
    assert rules.expected_unopened([batch(5, 2)], "COVISHIELD", DAY) == 30


def test_a_sessions_capacity_is_every_one_of_its_doses():
    plan = SessionPlan(1, DAY, "COVISHIELD", 18, None, False, 40, 20, (Slot("09:00AM-01:00PM", 60),), "0")
    assert total_capacity(plan) == 60

    @dataclasses.dataclass(frozen=True)
    class WithPrecaution:  # a third dose's capacity, when sessions carry one, counts without a change
        capacity_dose1: int
        capacity_dose2: int
        capacity_dose3: int
        booked_dose1: int = 0

    assert total_capacity(WithPrecaution(10, 5, 7)) == 22


# -- a receipt ----------------------------------------------------------------------------------------------------

def test_a_receipt_reads_every_field_and_refuses_expired_stock():
    body = {"center_id": "100001", "vaccine": "covishield", "batch": "4121z025", "expiry_date": "31-01-2027",
            "vials": "5", "doses_per_vial": 10}
    receipt = rules.parse_receipt(body, DAY, PROFILE)
    assert receipt == rules.Receipt(100001, "COVISHIELD", "4121Z025", date(2027, 1, 31), 5, 10)
    assert receipt.doses == 50
    assert code_of(lambda: rules.parse_receipt({**body, "expiry_date": "22-11-2026"}, DAY, PROFILE)) == "STOCK0002"
    assert code_of(lambda: rules.parse_receipt({**body, "expiry_date": "23-11-2026"}, DAY, PROFILE)) is None
    first = batch(5, per_vial=10, expiry="2027-01-31", number="4121Z025")
    assert rules.matches(first, receipt)
    assert not rules.matches(first, dataclasses.replace(receipt, doses_per_vial=20))
