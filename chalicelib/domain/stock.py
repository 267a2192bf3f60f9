"""Vaccine stock rules, pure (docs/stock.md): a receipt, which vial a dose comes from, closing a session,
the ledger's counters, the stock report's arithmetic, and planning within the stock.

A facility receives batches (vaccine, batch number, expiry, vials, doses per vial); a vial is opened at
a session, by the staff or by the dose that needs it; every dose draws one dose from an opened vial of
its batch at its session; at the session's close, the doses left in its opened vials are wastage.
The same rules run before every write, and the write's conditions re-check what could change between
(a vial's doses, the batch's opened vials, the session's close).
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import errors, inputs
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.records import BatchRecord, VialRecord
from chalicelib.domain.vaccination import parse_batch

MAX_VIALS = 100_000  # in one receipt
MAX_DOSES_PER_VIAL = 50
USE, OPEN, RECLAIM = "use", "open", "reclaim"


# -- receiving stock ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Receipt:
    """Vials of one batch received at a facility."""

    center_id: int
    vaccine: str
    batch: str
    expiry: date  # usable through this day
    vials: int
    doses_per_vial: int

    @property
    def doses(self) -> int:
        return self.vials * self.doses_per_vial


def parse_receipt(body: Mapping[str, Any], today: date, profile: CountryProfile) -> Receipt:
    vaccine = profile.vaccine(inputs.text(body, "vaccine", max_length=40).upper())
    if vaccine is None:
        raise ApiError(errors.UNKNOWN_VACCINE)
    raw_expiry = body.get("expiry_date")
    try:
        expiry = inputs.cowin_date(raw_expiry if isinstance(raw_expiry, str) else None, "expiry_date")
    except ApiError as error:
        raise error if error.error is errors.INPUT_MISSING and raw_expiry is None else ApiError(
            errors.INVALID_EXPIRY) from None
    if expiry < today:
        raise ApiError(errors.INVALID_EXPIRY, f"This batch expired on {format_cowin_date(expiry)}: expired stock is "
                                              "not received")
    return Receipt(center_id=inputs.integer(body, "center_id"), vaccine=vaccine.name, batch=parse_batch(body),
                   expiry=expiry, vials=_count(body, "vials", MAX_VIALS, errors.INVALID_VIALS),
                   doses_per_vial=_count(body, "doses_per_vial", MAX_DOSES_PER_VIAL, errors.INVALID_DOSES_PER_VIAL))


def _count(body: Mapping[str, Any], name: str, most: int, error: errors.ErrorCode) -> int:
    try:
        value = inputs.integer(body, name)
    except ApiError as refused:
        raise refused if refused.error is errors.INPUT_MISSING else ApiError(error) from None
    if not 1 <= value <= most:
        raise ApiError(error)
    return value


def matches(batch: BatchRecord, receipt: Receipt) -> bool:
    """The same batch again: only more vials of it, never other details."""
    return (batch.vaccine, batch.expiry, int(batch.doses_per_vial)) == (
        receipt.vaccine, receipt.expiry.isoformat(), receipt.doses_per_vial)


def mismatch(batch: BatchRecord) -> ApiError:
    return ApiError(errors.BATCH_MISMATCH, f"Batch {batch.batch} was first received as {batch.vaccine}, "
                                           f"{int(batch.doses_per_vial)} doses a vial, expiring on "
                                           f"{format_cowin_date(batch.expiry)}: receive it with those details")


def expired(expiry: str | date, day: date) -> bool:
    """A batch may be used through its expiry date, not after it."""
    return day > (date.fromisoformat(expiry) if isinstance(expiry, str) else expiry)


def unopened_doses(batch: BatchRecord) -> int:
    return (int(batch.vials_received) - int(batch.vials_opened)) * int(batch.doses_per_vial)


# -- which vial a dose comes from ----------------------------------------------------------------------

def vial_entry(batch: str, at_session: int) -> str:
    """A vial's sort key under its session: the batch, then which of the batch's vials at the session it is
    (the first, the second: 6 digits, so they sort). Two openings racing for one need compute the same
    key, and only one may put it."""
    return f"{batch}#{at_session:06d}"


def drawn_at(source: str, given_at: int, recorded_at: int) -> int:
    """When a dose draws on its vial, as the open-vial policy judges it: a dose recorded in real time,
    when the server records it (a client's claimed `given_at` may lie up to a day back, and must not
    stretch a vial's hours); an offline one, when the device says it was given."""
    return given_at if source == "offline" else recorded_at


def usable_at(vial: VialRecord, moment: int, skew: int) -> bool:
    """Opened by then (a device's clock may run `skew` behind the server's), and within its open-vial policy."""
    return int(vial.opened_at) - skew <= moment <= int(vial.usable_until)


@dataclass(frozen=True)
class Draw:
    """Where one dose comes from: `use` a dose of an open vial; `open` the facility's next vial of the
    batch (`opened` as read: the write is conditioned on it, and on the vial's key at the session being
    free); `reclaim` one of a closed vial's wasted doses, for a dose given before its session closed and
    synced after."""

    kind: str
    vial: VialRecord  # as read (use, reclaim) or as it will be written (open)
    opened: int = 0  # open: the batch's vials opened, as read
    # The ledger's moves, for a dose at a session already closed (whose close counted the vial already).
    moves: Mapping[tuple[str, str], Mapping[str, int]] = field(default_factory=dict)

    @property
    def closes(self) -> bool:
        """A vial opened for a dose at a session already closed: closed at once, its other doses wasted."""
        return self.kind == OPEN and self.vial.closed_at is not None


def reusable(vials: Iterable[VialRecord], batch: str, moment: int, day: date, session_closed: bool,
             skew: int) -> Draw | None:
    """A dose of `batch` given at `moment` (on `day`) from a vial already opened at its session: at an open
    session, a vial still open, usable then and with a dose left (the one whose policy ends first); at a
    closed session, a closed vial usable then with wasted doses. None when the dose needs a new vial.
    Raises when the batch had expired on the dose's day."""
    mine = [vial for vial in vials if vial.batch == batch]
    if mine and expired(mine[0].expiry, day):
        raise _expired(batch, mine[0].expiry)
    if session_closed:
        found = [v for v in mine if v.closed_at is not None and int(v.wasted) > 0 and usable_at(v, moment, skew)]
    else:
        found = [v for v in mine if v.closed_at is None and int(v.used) < int(v.doses) and usable_at(v, moment, skew)]
    if not found:
        return None
    chosen = min(found, key=lambda v: (int(v.usable_until), int(v.number)))
    return Draw(RECLAIM if session_closed else USE, chosen)


def opened_vial(batch: BatchRecord | None, vaccine: str, *, session_id: str, at_session: int, moment: int,
                day: date, opened_by: str, policy_seconds: int, used: int = 0, closed_at: int | None = None) -> Draw:
    """The facility's next vial of `batch` (its number: the batch's vials opened + 1), opened at `moment` at
    the session as the batch's `at_session`-th vial there (those read + 1), with `used` doses drawn already
    (a dose that opens a vial draws its first dose). `closed_at`: opened for a dose at a session already
    closed, the vial is closed at once and its other doses wasted. Raises when the centre never received
    the batch, it is of another vaccine, it had expired on `day`, or no vial of it is left."""
    if batch is None:
        raise ApiError(errors.NO_SUCH_BATCH)
    if batch.vaccine != vaccine:
        raise ApiError(errors.WRONG_VACCINE, f"Batch {batch.batch} is {batch.vaccine}, not {vaccine}")
    if expired(batch.expiry, day):
        raise _expired(batch.batch, batch.expiry)
    opened = int(batch.vials_opened)
    if opened >= int(batch.vials_received):
        raise ApiError(errors.NO_VIAL_LEFT, f"All {int(batch.vials_received)} vials of batch {batch.batch} "
                                            "received at this centre are opened")
    doses = int(batch.doses_per_vial)
    vial = VialRecord(session_id, vial_entry(batch.batch, at_session), batch=batch.batch, number=opened + 1,
                      vaccine=batch.vaccine, center_id=int(batch.center_id), doses=doses, expiry=batch.expiry,
                      opened_at=moment, usable_until=moment + policy_seconds, opened_by=opened_by, used=used,
                      wasted=doses - used if closed_at is not None else 0, closed_at=closed_at)
    return Draw(OPEN, vial, opened=opened)


def _expired(batch: str, expiry: str) -> ApiError:
    return ApiError(errors.BATCH_EXPIRED, f"Batch {batch} expired on {format_cowin_date(expiry)}")


# -- closing a session -----------------------------------------------------------------------------------

def closing(vials: Iterable[VialRecord], now: int) -> list[VialRecord]:
    """The vials a session's close writes: every one still open with doses left, its unused doses wasted.
    (An emptied vial has nothing to record, and no dose can draw on it.)"""
    return [replace(v, wasted=int(v.doses) - int(v.used), closed_at=now)
            for v in vials if v.closed_at is None and int(v.used) < int(v.doses)]


# -- the ledger -----------------------------------------------------------------------------------------
# Counters per area (a facility, a district, a state, the country) and period: a day's item (ISO date),
# the campaign so far (`all`), and per expiry date (`x<ISO date>`) the unopened doses of batches that
# expire that day. Cells, per vaccine: `r|V` received, `u|V` used, `w|V` wasted (doses), `n|V` unopened
# (in expiry items). A facility is written by its own staff only; the others are sharded like the
# public reports' counters (store/stock.py).

ALL = "all"
EXPIRY = "x"
RECEIVED, USED, WASTED, UNOPENED = "r", "u", "w", "n"
Moves = dict[tuple[str, str], dict[str, int]]  # (area, period) -> cell -> change


def centre_area(center_id: int) -> str:
    return f"center#{center_id}"


def district_area(district_id: int) -> str:
    return f"district#{district_id}"


def state_area(state_id: int) -> str:
    return f"state#{state_id}"


COUNTRY = "country"
SHARED_AREAS = ("district#", "state#", COUNTRY)  # written by many facilities: sharded


def areas(center_id: int, district_id: int, state_id: int) -> tuple[str, ...]:
    return centre_area(center_id), district_area(district_id), state_area(state_id), COUNTRY


def is_shared(area: str) -> bool:
    return area.startswith(SHARED_AREAS)


def cell(kind: str, vaccine: str) -> str:
    return f"{kind}|{vaccine}"


def expiry_period(expiry: str | date) -> str:
    return f"{EXPIRY}{expiry if isinstance(expiry, str) else expiry.isoformat()}"


def _moves(where: tuple[str, ...], changes: Iterable[tuple[str, str, int]]) -> Moves:
    """Each (period, cell, change) in every area of `where`, zero changes left out."""
    moves: Moves = defaultdict(dict)
    for period, name, change in changes:
        for area in where:
            moves[(area, period)][name] = moves[(area, period)].get(name, 0) + change
    return {key: kept for key, cells in moves.items() if (kept := {n: c for n, c in cells.items() if c})}


def merged(all_moves: Iterable[Moves]) -> Moves:
    """Several events' moves as one: each cell's changes added."""
    total: Moves = defaultdict(dict)
    for moves in all_moves:
        for key, cells in moves.items():
            for name, change in cells.items():
                total[key][name] = total[key].get(name, 0) + change
    return dict(total)


def receipt_moves(receipt: Receipt, district_id: int, state_id: int, day: date) -> Moves:
    doses = receipt.doses
    return _moves(areas(receipt.center_id, district_id, state_id), [
        (day.isoformat(), cell(RECEIVED, receipt.vaccine), doses), (ALL, cell(RECEIVED, receipt.vaccine), doses),
        (expiry_period(receipt.expiry), cell(UNOPENED, receipt.vaccine), doses)])


def close_moves(vials: Sequence[VialRecord], closed: Sequence[VialRecord], day: str, district_id: int,
                state_id: int) -> Moves:
    """What a session's close adds: its vials' used doses and the wasted ones, on the session's day and
    the campaign's, and its opened vials taken off their batches' unopened doses."""
    changes: list[tuple[str, str, int]] = []
    for vial in vials:
        changes += [(day, cell(USED, vial.vaccine), int(vial.used)), (ALL, cell(USED, vial.vaccine), int(vial.used)),
                    (expiry_period(vial.expiry), cell(UNOPENED, vial.vaccine), -int(vial.doses))]
    for vial in closed:
        changes += [(day, cell(WASTED, vial.vaccine), int(vial.wasted)),
                    (ALL, cell(WASTED, vial.vaccine), int(vial.wasted))]
    return _moves(areas(int(vials[0].center_id), district_id, state_id), changes) if vials else {}


def late_dose_moves(draw: Draw, day: str, district_id: int, state_id: int) -> Moves:
    """A dose at a session already closed (given before the close, synced after): one of a vial's wasted
    doses becomes a used one, or a vial opened and closed for it (its other doses wasted)."""
    vial, vaccine = draw.vial, draw.vial.vaccine
    if draw.kind == RECLAIM:
        changes = [(period, cell(kind, vaccine), change) for period in (day, ALL)
                   for kind, change in ((USED, 1), (WASTED, -1))]
    elif draw.closes:
        changes = [(period, cell(kind, vaccine), change) for period in (day, ALL)
                   for kind, change in ((USED, int(vial.used)), (WASTED, int(vial.wasted)))]
        changes.append((expiry_period(vial.expiry), cell(UNOPENED, vaccine), -int(vial.doses)))
    else:
        return {}
    return _moves(areas(int(vial.center_id), district_id, state_id), changes)


# -- the report -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StockLine:
    """One vaccine's stock in an area over a period, and on hand now."""

    vaccine: str
    received: int
    used: int
    wasted: int
    on_hand: int  # received and not used, wasted or expired unopened, now
    expired: int  # unopened doses of batches past their expiry, now
    days: int  # in the period

    @property
    def wastage_rate(self) -> float | None:
        """WHO's: of the doses opened in the period, the share not given (None when none were opened)."""
        return wastage_rate(self.used, self.wasted)

    @property
    def days_of_stock_left(self) -> float | None:
        return days_left(self.on_hand, self.used, self.days)


def wastage_rate(used: int, wasted: int) -> float | None:
    opened = used + wasted
    return round(wasted / opened, 4) if opened > 0 else None


def days_left(on_hand: int, used: int, days: int) -> float | None:
    """How long what is on hand lasts at the period's average daily use (None: nothing was used)."""
    if used <= 0 or days <= 0:
        return None
    return round(max(on_hand, 0) * days / used, 1)


def stock_lines(rows: Iterable[tuple[str, Mapping[str, int]]], first: date, last: date, today: date,
                vaccines: Sequence[str]) -> list[StockLine]:
    """An area's ledger rows (period, cells; a period once per shard) as one line per vaccine: the
    period's received, used and wasted; on hand and expired now."""
    period: dict[str, int] = defaultdict(int)
    every: dict[str, int] = defaultdict(int)
    gone: dict[str, int] = defaultdict(int)
    first_day, last_day, today_day = first.isoformat(), last.isoformat(), today.isoformat()
    for name, cells in rows:
        for key, value in cells.items():
            if name == ALL:
                every[key] += int(value)
            elif name.startswith(EXPIRY) and name[len(EXPIRY):] < today_day:
                gone[key] += int(value)
            elif first_day <= name <= last_day:
                period[key] += int(value)
    seen = {key.split("|", 1)[1] for key in (*period, *every, *gone)}
    lines = []
    for vaccine in [v for v in vaccines if v in seen] + sorted(seen - set(vaccines)):
        expired_now = gone.get(cell(UNOPENED, vaccine), 0)
        lines.append(StockLine(
            vaccine, received=period.get(cell(RECEIVED, vaccine), 0), used=period.get(cell(USED, vaccine), 0),
            wasted=period.get(cell(WASTED, vaccine), 0),
            on_hand=every.get(cell(RECEIVED, vaccine), 0) - every.get(cell(USED, vaccine), 0)
            - every.get(cell(WASTED, vaccine), 0) - expired_now,
            expired=expired_now, days=(last - first).days + 1))
    return lines


def line_view(line: StockLine) -> dict:
    return {"vaccine": line.vaccine, "received": line.received, "used": line.used, "wasted": line.wasted,
            "wastage_rate": line.wastage_rate, "on_hand": line.on_hand, "expired": line.expired,
            "average_daily_use": round(line.used / line.days, 2), "days_of_stock_left": line.days_of_stock_left}


CSV_FIELDS = ("area", "from", "to", "vaccine", "received", "used", "wasted", "wastage_rate", "on_hand", "expired",
              "average_daily_use", "days_of_stock_left")


def report_csv(report: Mapping[str, Any]) -> str:
    """The report's lines as CSV, one row per vaccine, the area and period on each (empty: no value)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for line in report["vaccines"]:
        writer.writerow({"area": report["area"], "from": report["from"], "to": report["to"],
                         **{k: "" if v is None else v for k, v in line.items()}})
    return out.getvalue()


# -- planning within the stock ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """A session's claim on a centre's stock of its vaccine: its capacity (over all its doses), the doses
    already drawn for it, and the doses left in its open vials still usable (only a session of today
    can have opened vials)."""

    session_id: str
    day: date
    capacity: int
    drawn: int = 0
    left_open: int = 0

    @property
    def on_unopened(self) -> int:
        """What it still needs from unopened vials: its open vials' doses serve it alone, first."""
        return max(self.capacity - self.drawn - self.left_open, 0)


def expected_unopened(batches: Iterable[BatchRecord], vaccine: str, day: date) -> int:
    """Unopened doses of the vaccine's batches at the centre that have not expired on `day`."""
    return sum(unopened_doses(b) for b in batches if b.vaccine == vaccine and not expired(b.expiry, day))


def available_for(claim: Claim, others: Iterable[Claim], batches: Iterable[BatchRecord], vaccine: str,
                  today: date) -> int:
    """The stock that can back `claim`'s capacity (the rule of docs/stock.md, "Planning within the stock"):
    the unopened doses of the vaccine's batches not expired on its day, less what the centre's other
    sessions of the vaccine from today up to its day still need of them, plus what is already drawn for
    it and left in its own open vials."""
    before = [c for c in others if c.session_id != claim.session_id and today <= c.day <= claim.day]
    return (expected_unopened(batches, vaccine, claim.day) - sum(c.on_unopened for c in before)
            + claim.drawn + claim.left_open)


def beyond_stock(planned: Sequence[Claim], others: Sequence[Claim], batches: Sequence[BatchRecord], vaccine: str,
                 today: date) -> list[tuple[Claim, int]]:
    """The planned sessions the stock cannot back, each with the stock available to it. The planned
    sessions count against each other as the centre's other sessions do."""
    problems = []
    for claim in planned:
        available = available_for(claim, [*others, *planned], batches, vaccine, today)
        if claim.capacity > available:
            problems.append((claim, available))
    return problems


def beyond_stock_error(claim: Claim, available: int, vaccine: str) -> ApiError:
    return ApiError(errors.BEYOND_STOCK, f"Only {max(available, 0)} doses of {vaccine} are expected at the centre "
                                         f"for a session on {format_cowin_date(claim.day)} (unopened doses of "
                                         "batches not expired then, less its other sessions up to that day, plus "
                                         f"what its own open vials hold): its capacity is {claim.capacity}")
