"""Vaccine stock at the facilities (docs/stock.md): receiving it, opening a vial at a session, where a
dose draws from, closing a session (its open vials' unused doses recorded as wastage), planning within
the stock, and the stock report. Nothing here applies where the pack's `stock_tracking` is off.

DynamoDB calls:
- receive: 1 GetItem (the centre, for its place) + 1 TransactWriteItems (the batch, the receipt's audit
  entry, the ledger: the facility's day, campaign and expiry items, and one shard of its district's,
  state's and country's) + 1 GetItem (the batch: its totals to answer, or what a refusal names);
- open a vial: 1 TransactGetItems (session, the caller's allocation) + 1 Query (the batch's vials at the
  session: the new one's key) + 1 GetItem (the batch) + 1 TransactWriteItems (the batch's opened count,
  the vial, the session's count of opened vials);
- a dose's draw, in the dose's own transaction: + 1 Query (the session's vials of its batch); + 1 GetItem
  (the batch) only when the dose opens the next vial (+ 1 Query again when every vial of it is opened);
- close: 1 TransactGetItems (session, allocation) + 1 Query (the session's vials) + 1 TransactWriteItems
  (the session, its count, each vial with doses left, the ledger);
- report: 1 GetItem (the centre) + 1 Query for a facility; 8 Queries (the shards) for a district or state;
- a planning check: per centre, 1 Query (its batches) + 1 Query (its sessions up to the last day planned)
  + 1 Query (the vials of today's session of the vaccine, when it has one still open).
A transaction refused by the stock (a vial emptied or opened, a session closed meanwhile) or in conflict
with another is read again and retried, at most ATTEMPTS times.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from chalicelib.config import CountryProfile
from chalicelib.domain import errors, inputs
from chalicelib.domain import stock as rules
from chalicelib.domain import vaccination as dose_rules
from chalicelib.domain.calendar import format_cowin_date, local_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.planning import total_capacity
from chalicelib.domain.records import BatchRecord, DoseRecord, SessionRecord, VialRecord
from chalicelib.domain.roles import Principal, Role
from chalicelib.observability import logger, metrics
from chalicelib.services.metadata import district_states
from chalicelib.services.views import moment
from chalicelib.store import planning as planning_store
from chalicelib.store import stock as store
from chalicelib.store.common import StoreError, is_conflict

ATTEMPTS = 6  # a vial emptied, a vial opened or a session closed meanwhile: read again and retry
MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit: a close's session, count, vials and ledger items must fit
T = TypeVar("T")


def require_tracking(profile: CountryProfile) -> None:
    if not profile.stock_tracking:
        raise ApiError(errors.STOCK_NOT_TRACKED)


def guarded(work: Callable[[], T]) -> T:
    """DynamoDB failing under a stock write (throttled, say) is a clear 503: nothing was half-written, the
    client retries."""
    try:
        return work()
    except StoreError:
        logger.exception("stock write failed in DynamoDB")
        raise ApiError(errors.VACCINATION_BUSY) from None


def retried(attempt: Callable[[], T | None]) -> T:
    """Run `attempt` until it answers (not None): None means the stock changed under it; a transaction
    in conflict with another is tried again too. Each retry waits a few milliseconds more."""
    for tries in range(ATTEMPTS):
        try:
            done = attempt()
        except StoreError as error:
            if not is_conflict(error):
                raise
            done = None
        if done is not None:
            return done
        metrics.add_metric(name="StockRetry", unit="Count", value=1)
        time.sleep(random.uniform(0, 0.01 * (tries + 1)))
    raise ApiError(errors.VACCINATION_BUSY, "The stock changed too often meanwhile, please try again")


# -- views -------------------------------------------------------------------------------------------------

def batch_view(batch: BatchRecord) -> dict:
    return {"center_id": int(batch.center_id), "batch": batch.batch, "vaccine": batch.vaccine,
            "expiry_date": format_cowin_date(batch.expiry), "doses_per_vial": int(batch.doses_per_vial),
            "vials_received": int(batch.vials_received), "vials_opened": int(batch.vials_opened),
            "doses_unopened": rules.unopened_doses(batch)}


def vial_view(vial: VialRecord, now: int, profile: CountryProfile) -> dict:
    if vial.closed_at is not None:
        status = "closed"
    elif int(vial.used) >= int(vial.doses):
        status = "empty"
    else:
        status = "open" if now <= int(vial.usable_until) else "past its open-vial time"
    return {"vial_id": vial.vial_id, "session_id": vial.session_id, "batch": vial.batch, "number": int(vial.number),
            "vaccine": vial.vaccine, "doses": int(vial.doses), "used": int(vial.used), "wasted": int(vial.wasted),
            "left": max(int(vial.doses) - int(vial.used) - int(vial.wasted), 0), "status": status,
            "opened_at": moment(vial.opened_at, profile), "usable_until": moment(vial.usable_until, profile),
            "opened_by": mask_mobile(vial.opened_by), "closed_at": moment(vial.closed_at, profile)}


# -- receiving ----------------------------------------------------------------------------------------------

def receive(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """Vials of a batch received at a centre, by its facility admin or an area admin covering it. The same
    batch again adds vials; its vaccine, expiry and doses per vial must be the ones first received."""
    require_tracking(profile)
    today = local_date(profile, now)
    receipt = rules.parse_receipt(body, today, profile)
    centre = planning_store.get_centre(receipt.center_id)
    if centre is None:
        raise ApiError(errors.CENTER_NOT_FOUND)
    if not principal.covers_centre(centre):
        raise ApiError(errors.OUT_OF_SCOPE)
    district_id, state_id = int(centre.district_id), int(centre.state_id)
    moves = rules.receipt_moves(receipt, district_id, state_id, today)

    def attempt() -> BatchRecord | None:
        failed = store.receive(receipt, district_id, state_id, principal.mobile, now, moves)
        found = store.batch(receipt.center_id, receipt.batch)
        if failed is not None and store.BATCH in failed and found is not None and not rules.matches(found, receipt):
            raise rules.mismatch(found)
        return found if failed is None else None

    batch = guarded(lambda: retried(attempt))
    metrics.add_metric(name="StockReceived", unit="Count", value=receipt.doses)
    logger.info("stock received", extra={"center_id": receipt.center_id, "batch": receipt.batch,
                                         "vials": receipt.vials})
    return {**batch_view(batch), "received": {"vials": receipt.vials, "doses": receipt.doses,
                                              "received_at": moment(now, profile),
                                              "received_by": mask_mobile(principal.mobile)}}


# -- at the session -------------------------------------------------------------------------------------------

def _at_session(principal: Principal, session_id: str) -> SessionRecord:
    """The session, for a vaccinator allocated to it or its centre's facility admin."""
    session, allocation = store.session_and_allocation(session_id, principal.mobile) if session_id else (None, None)
    if session is None:
        raise ApiError(errors.SESSION_NOT_FOUND)
    if not principal.covers_centre(session):
        raise ApiError(errors.OUT_OF_SCOPE)
    if Role.FACILITY_ADMIN in principal.roles:
        return session
    if allocation is None or allocation.role != Role.VACCINATOR:
        raise ApiError(errors.NOT_ALLOCATED)
    return session


def open_vial(principal: Principal, session_id: str, body: Mapping[str, Any], now: int,
              profile: CountryProfile) -> dict:
    """A vial of the named batch opened at today's session: the facility's next vial of it, usable for
    the vaccine's open-vial policy from now. Doses then draw on it (the one whose time ends first)."""
    require_tracking(profile)
    number = dose_rules.parse_batch(body)
    session = _at_session(principal, session_id)
    today = local_date(profile, now)
    _check_open_session(session, today)

    def attempt() -> rules.Draw | None:
        at_session = len(store.vials(session.session_id, number)) + 1
        draw = rules.opened_vial(store.batch(int(session.center_id), number), session.vaccine,
                                 session_id=session.session_id, at_session=at_session, moment=now, day=today,
                                 opened_by=principal.mobile,
                                 policy_seconds=profile.open_vial_seconds_of(session.vaccine))
        failed = store.open_vial(draw)
        if failed is not None and store.SESSION_STOCK in failed:
            raise ApiError(errors.SESSION_CLOSED)
        return draw if failed is None else None

    draw = guarded(lambda: retried(attempt))
    metrics.add_metric(name="VialOpened", unit="Count", value=1)
    return vial_view(draw.vial, now, profile)


def _check_open_session(session: SessionRecord, today: date) -> None:
    if session.status != "ACTIVE":
        raise ApiError(errors.SESSION_CANCELLED)
    if session.closed_at is not None:
        raise ApiError(errors.SESSION_CLOSED)
    if date.fromisoformat(session.date) != today:
        raise ApiError(errors.SESSION_NOT_TODAY, "Vials are opened at today's sessions only")


def draw(dose: DoseRecord, session: SessionRecord, now: int, profile: CountryProfile) -> rules.Draw:
    """Where `dose` comes from (domain/stock.py): an open vial of its batch at its session with a dose
    left and usable at the dose's time; else the facility's next vial of the batch, opened by this dose.
    At a closed session (an offline dose given before the close), one of a closed vial's wasted doses
    becomes a used one; else a vial is opened and closed for it. Raises when the batch had expired on the
    dose's day, was never received at the centre, or has no vial left."""
    closed = session.closed_at is not None
    day, given_at = date.fromisoformat(dose.given_on), rules.drawn_at(dose.source, int(dose.given_at),
                                                                      int(dose.recorded_at))
    vials = store.vials(session.session_id, dose.batch)
    found = rules.reusable(vials, dose.batch, given_at, day, closed, profile.clock_skew_seconds)
    batch = store.batch(int(session.center_id), dose.batch) if found is None else None
    if found is None and batch is not None and int(batch.vials_opened) >= int(batch.vials_received):
        # Every vial is opened: maybe one after the vials were read. Read them again, after the batch, so
        # that "none left" is never said while an opened vial holds a dose for this one.
        vials = store.vials(session.session_id, dose.batch)
        found = rules.reusable(vials, dose.batch, given_at, day, closed, profile.clock_skew_seconds)
    if found is None:
        found = rules.opened_vial(batch, dose.vaccine,
                                  session_id=session.session_id, at_session=len(vials) + 1, moment=given_at, day=day,
                                  opened_by=dose.vaccinator or dose.recorded_by,
                                  policy_seconds=profile.open_vial_seconds_of(dose.vaccine), used=1,
                                  closed_at=now if closed else None)
    if closed:
        found = replace(found, moves=rules.late_dose_moves(found, dose.given_on, int(session.district_id),
                                                           int(session.state_id)))
    return found


def close_session(principal: Principal, session_id: str, now: int, profile: CountryProfile) -> dict:
    """Close the session: in one transaction, each of its vials still holding doses is closed with them
    recorded as wastage, the session is marked closed (no more doses in real time), and the ledger counts
    its used and wasted doses. Closing it again changes nothing and answers the same."""
    require_tracking(profile)
    session = _at_session(principal, session_id)
    if session.closed_at is None and date.fromisoformat(session.date) > local_date(profile, now):
        raise ApiError(errors.SESSION_NOT_STARTED)

    read = [session]  # as the first attempt read it; a retry reads it again

    def attempt() -> tuple[list[VialRecord], bool] | None:
        current = read.pop() if read else planning_store.get_session(session.session_id, consistent=True)
        vials = store.vials(session.session_id)
        if current is None or current.closed_at is not None:
            read.append(current or session)
            return vials, False
        closing = rules.closing(vials, now)
        moves = rules.close_moves(vials, closing, session.date, int(session.district_id), int(session.state_id))
        if 2 + len(closing) + len(moves) > MAX_TRANSACTION_ITEMS:  # some 80 vials still holding doses
            raise ApiError(errors.TOO_MANY_OPEN_VIALS, f"{len(closing)} vials still hold doses: more than one "
                                                       "transaction can close at once")
        failed = store.close(session, len(vials), closing, {v.entry: int(v.used) for v in vials}, moves,
                             principal.mobile, now)
        if failed is None:
            by_entry = {v.entry: v for v in closing}
            return [by_entry.get(v.entry, v) for v in vials], True
        return None

    vials, closed_now = guarded(lambda: retried(attempt))
    closed_at = now if closed_now else read[-1].closed_at
    closed_by = principal.mobile if closed_now else read[-1].closed_by
    if closed_now:
        metrics.add_metric(name="SessionClosed", unit="Count", value=1)
        logger.info("session closed", extra={"session_id": session.session_id, "vials": len(vials)})
    return {"session_id": session.session_id, "vaccine": session.vaccine, "date": format_cowin_date(session.date),
            "closed_at": moment(closed_at, profile), "closed_by": mask_mobile(closed_by) if closed_by else None,
            "already_closed": not closed_now, "vials_opened": len(vials),
            "used": sum(int(v.used) for v in vials), "wasted": sum(int(v.wasted) for v in vials),
            "vials": [vial_view(v, now, profile) for v in vials]}


# -- planning within the stock --------------------------------------------------------------------------------

def claim(session: SessionRecord, vials: Sequence[VialRecord], now: int) -> rules.Claim:
    """A session's claim on its centre's stock: its capacity, what its vials gave and still hold usable now."""
    return rules.Claim(session.session_id, date.fromisoformat(session.date), total_capacity(session),
                       drawn=sum(int(v.used) for v in vials),
                       left_open=sum(int(v.doses) - int(v.used) for v in vials
                                     if v.closed_at is None and now <= int(v.usable_until)))


def check_within_stock(center_id: int, planned: Sequence[SessionRecord], now: int, profile: CountryProfile,
                       ) -> list[tuple[SessionRecord, ApiError]]:
    """The planned sessions (new ones, or new capacities) at one centre that its stock cannot back, each
    with its error naming the stock available (domain/stock.beyond_stock). None where stock is not tracked."""
    if not profile.stock_tracking or not planned:
        return []
    today = local_date(profile, now)
    last = max(session.date for session in planned)
    batches = store.batches_at(center_id)
    planned_ids = {session.session_id for session in planned}
    others = [s for s in planning_store.sessions_by_center(center_id, today.isoformat(), last)
              if s.status == "ACTIVE" and s.closed_at is None]
    vaccines = {session.vaccine for session in planned}
    opened = {s.session_id: store.vials(s.session_id) for s in [*others, *planned]
              if s.date == today.isoformat() and s.closed_at is None and s.vaccine in vaccines}
    problems = []
    for vaccine in sorted(vaccines):
        mine = [s for s in planned if s.vaccine == vaccine]
        claims = [claim(s, opened.get(s.session_id, ()), now) for s in mine]
        other_claims = [claim(s, opened.get(s.session_id, ()), now) for s in others
                        if s.vaccine == vaccine and s.session_id not in planned_ids]
        by_id = {s.session_id: s for s in mine}
        problems += [(by_id[c.session_id], rules.beyond_stock_error(c, available, vaccine))
                     for c, available in rules.beyond_stock(claims, other_claims, batches, vaccine, today)]
    return problems


def require_within_stock(center_id: int, planned: Sequence[SessionRecord], now: int, profile: CountryProfile) -> None:
    problems = check_within_stock(center_id, planned, now, profile)
    if problems:
        raise problems[0][1]


# -- the report ----------------------------------------------------------------------------------------------

def report(principal: Principal, query: Mapping[str, str], now: int, profile: CountryProfile) -> dict:
    """Per vaccine, for a facility, a district or a state over a period (at most 31 days): received, used
    and wasted in it, the wastage rate, on hand now, and the days it lasts at the period's average use."""
    require_tracking(profile)
    first = inputs.cowin_date(query.get("from"), "from")
    last = inputs.cowin_date(query.get("to"), "to")
    dose_rules.report_range(first, last)
    area, place, where = _report_area(principal, query, profile)
    if not principal.covers(**place):
        raise ApiError(errors.OUT_OF_SCOPE)
    lines = rules.stock_lines(store.ledger_rows(area, first.isoformat()), first, last, local_date(profile, now),
                              [vaccine.name for vaccine in profile.vaccines])
    return {**where, "area": area, "from": format_cowin_date(first), "to": format_cowin_date(last),
            "as_of": moment(now, profile), "vaccines": [rules.line_view(line) for line in lines]}


def _report_area(principal: Principal, query: Mapping[str, str], profile: CountryProfile,
                 ) -> tuple[str, dict[str, int], dict[str, int]]:
    """The area asked for (a centre, a district or a state; by default the caller's own), its place for
    the scope check, and how the answer names it."""
    scope = principal.scope
    if query.get("center_id") or (not query.get("district_id") and not query.get("state_id")
                                   and scope.facility_id is not None):
        center_id = inputs.integer(query, "center_id") if query.get("center_id") else int(scope.facility_id or 0)
        centre = planning_store.get_centre(center_id)
        if centre is None:
            raise ApiError(errors.CENTER_NOT_FOUND)
        return (rules.centre_area(center_id), {"state_id": int(centre.state_id),
                                               "district_id": int(centre.district_id), "facility_id": center_id},
                {"center_id": center_id})
    states = district_states(profile)
    if query.get("district_id") or (not query.get("state_id") and scope.district_id is not None):
        district_id = inputs.integer(query, "district_id") if query.get("district_id") else int(scope.district_id or 0)
        if district_id not in states:
            raise ApiError(errors.INVALID_DISTRICT)
        return (rules.district_area(district_id), {"state_id": states[district_id], "district_id": district_id},
                {"district_id": district_id})
    if query.get("state_id") or scope.state_id is not None:
        state_id = inputs.integer(query, "state_id") if query.get("state_id") else int(scope.state_id or 0)
        if state_id not in set(states.values()):
            raise ApiError(errors.INVALID_STATE)
        return rules.state_area(state_id), {"state_id": state_id}, {"state_id": state_id}
    raise ApiError(errors.INPUT_MISSING, "Input parameter missing: center_id, district_id or state_id")
