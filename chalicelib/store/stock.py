"""Vaccine stock (docs/stock.md): batches per facility, opened vials per session, each session's count of
opened vials and its close, and the ledger the stock reports read.

Tables:
- `stock-batches` (centre, batch): the vaccine, expiry and doses per vial as first received, the vials
  received (ADD per receipt) and opened (ADD 1 per vial, only from the count as read and below the vials
  received: two doses racing to open a vial cannot both open one);
- `stock-vials` (session, `<batch>#<n>`: the batch's n-th vial at the session, put only if absent, so two
  openings racing for one need cannot both open one): each opened vial's facility number, doses, used
  (ADD 1 per dose, only below its doses, while it is open and its policy lasts), wasted (set at the close);
- `stock-sessions` (session): how many vials were opened at it (ADD 1 with each) and when it closed. A
  close is conditioned on the count it read, so a vial opened after the close read its vials fails it;
  a vial's opening is conditioned on the session not being closed;
- `stock-ledger` (area, period): counters, written in the same transactions as the receipt, the close
  and a late dose. A facility's items are written only by its own staff; a district's, a state's and
  the country's by many facilities at once, so their partition key carries a shard (`district#395#3`)
  as the public reports' counters do (store/stats.py), and a reader sums the shards.
A receipt's record is an audit entry (`stock#<centre>`, the table `audit`): who, when, what.
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.expressions.operand import Path
from pynamodb.transactions import TransactGet

from chalicelib.domain import stock as rules
from chalicelib.domain.records import AllocationRecord, BatchRecord, SessionRecord, VialRecord
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.common import Transaction, connection
from chalicelib.store.planning import AllocationItem, SessionItem, session_record
from chalicelib.store.registration import AuditItem, audit_entry
from chalicelib.store.stats import SHARDS, sharded

# The labels of a transaction's stock items: when only these refuse, the stock changed under the
# request (a vial emptied or opened, a session closed): read it again and retry.
VIAL, BATCH, SESSION_STOCK = "vial", "batch", "session stock"
STOCK_LABELS = frozenset({VIAL, BATCH, SESSION_STOCK})
LEDGER = "ledger"


class BatchItem(TeekaModel):
    """A batch of one vaccine at a facility."""

    Meta = table_meta("stock-batches")
    center_id = NumberAttribute(hash_key=True)
    batch = UnicodeAttribute(range_key=True)
    vaccine = UnicodeAttribute()
    expiry = UnicodeAttribute()  # ISO date, usable through it
    doses_per_vial = NumberAttribute()
    district_id = NumberAttribute()
    state_id = NumberAttribute()
    received_at = NumberAttribute()
    vials_received = NumberAttribute(default=0)
    vials_opened = NumberAttribute(default=0)


class VialItem(TeekaModel):
    """An opened vial, under the session it was opened at."""

    Meta = table_meta("stock-vials")
    session_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # <batch>#<the batch's n-th vial at the session, 6 digits>
    batch = UnicodeAttribute()
    number = NumberAttribute()
    vaccine = UnicodeAttribute()
    center_id = NumberAttribute()
    doses = NumberAttribute()
    expiry = UnicodeAttribute()
    opened_at = NumberAttribute()
    usable_until = NumberAttribute()
    opened_by = UnicodeAttribute()
    used = NumberAttribute(default=0)
    wasted = NumberAttribute(default=0)
    closed_at = NumberAttribute(null=True)


class SessionStockItem(TeekaModel):
    """A session's count of opened vials and its close: what a close and a vial's opening condition on."""

    Meta = table_meta("stock-sessions")
    session_id = UnicodeAttribute(hash_key=True)
    vials_opened = NumberAttribute(null=True)
    closed_at = NumberAttribute(null=True)


class LedgerItem(TeekaModel):
    """The stock reports' counters (cells are undeclared number attributes: `u|COVISHIELD`)."""

    Meta = table_meta("stock-ledger")
    area = UnicodeAttribute(hash_key=True)  # center#<id> | district#<id>#<shard> | state#<id>#<shard> | country#<shard>
    period = UnicodeAttribute(range_key=True)  # <ISO day> | all | x<ISO expiry day>


def batch_record(item: BatchItem) -> BatchRecord:
    return record_of(item, BatchRecord)


def vial_record(item: VialItem) -> VialRecord:
    return record_of(item, VialRecord)


# -- reads ---------------------------------------------------------------------------------------------

def batch(center_id: int, number: str) -> BatchRecord | None:
    try:
        return batch_record(BatchItem.get(center_id, number, consistent_read=True))
    except BatchItem.DoesNotExist:
        return None


def batches_at(center_id: int) -> list[BatchRecord]:
    """Every batch the centre received: one Query."""
    return [batch_record(item) for item in BatchItem.query(center_id, consistent_read=True)]


def vials(session_id: str, of_batch: str | None = None) -> list[VialRecord]:
    """The vials opened at a session (of one batch): one Query, consistent."""
    condition = VialItem.entry.startswith(f"{of_batch}#") if of_batch is not None else None
    return [vial_record(item) for item in VialItem.query(session_id, condition, consistent_read=True)]


def session_and_allocation(session_id: str, mobile: str) -> tuple[SessionRecord | None, AllocationRecord | None]:
    """The session and the caller's allocation to it, together: one TransactGetItems."""
    with TransactGet(connection=connection(SessionItem)) as transaction:
        session = transaction.get(SessionItem, session_id)
        allocation = transaction.get(AllocationItem, session_id, mobile)
    try:
        found_session: SessionRecord | None = session_record(session.get())
    except SessionItem.DoesNotExist:
        found_session = None
    try:
        found_allocation: AllocationRecord | None = record_of(allocation.get(), AllocationRecord)
    except AllocationItem.DoesNotExist:
        found_allocation = None
    return found_session, found_allocation


def ledger_rows(area: str, from_period: str) -> list[tuple[str, dict[str, int]]]:
    """An area's counter items from `from_period` on (its days from then, `all` and the expiry items
    sort after the days): one Query per shard for a shared area, one for a facility."""
    keys = [sharded(area, shard) for shard in range(SHARDS)] if rules.is_shared(area) else [area]
    found: list[tuple[str, dict[str, int]]] = []
    for key in keys:
        request: dict[str, Any] = {
            "TableName": LedgerItem.Meta.table_name, "KeyConditionExpression": "#a = :area AND #p >= :from",
            "ExpressionAttributeNames": {"#a": "area", "#p": "period"},
            "ExpressionAttributeValues": {":area": {"S": key}, ":from": {"S": from_period}}}
        while True:
            page = connection(LedgerItem).dispatch("Query", request)
            found += [(item["period"]["S"], {name: int(value["N"]) for name, value in item.items() if "|" in name})
                      for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found


# -- writes ---------------------------------------------------------------------------------------------

def _ledger(transaction: Transaction, moves: rules.Moves, shard: int) -> None:
    """Add the moves, each area on its own item (a shared area on `shard`)."""
    for (area, period), cells in sorted(moves.items()):
        key = sharded(area, shard) if rules.is_shared(area) else area
        transaction.change(f"{LEDGER} {area} {period}", LedgerItem(key, period),
                           [Path([name]).add(change) for name, change in sorted(cells.items())])


def receive(receipt: rules.Receipt, district_id: int, state_id: int, actor: str, now: int, moves: rules.Moves,
            shard: int | None = None) -> set[str] | None:
    """Add the receipt's vials to its batch (created as received, or only if it matches the batch as
    first received), its audit entry and its ledger moves, in one transaction; the labels that refused."""
    vaccine, expiry, per_vial = receipt.vaccine, receipt.expiry.isoformat(), receipt.doses_per_vial
    audit = audit_entry(f"stock#{receipt.center_id}", "stock received", actor, {}, {
        "batch": receipt.batch, "vaccine": vaccine, "expiry": expiry, "vials": receipt.vials,
        "doses_per_vial": per_vial}, now)

    def build(transaction: Transaction) -> None:
        transaction.change(BATCH, BatchItem(receipt.center_id, receipt.batch), [
            BatchItem.vaccine.set(BatchItem.vaccine | vaccine), BatchItem.expiry.set(BatchItem.expiry | expiry),
            BatchItem.doses_per_vial.set(BatchItem.doses_per_vial | per_vial),
            BatchItem.district_id.set(BatchItem.district_id | district_id),
            BatchItem.state_id.set(BatchItem.state_id | state_id),
            BatchItem.received_at.set(BatchItem.received_at | now),
            BatchItem.vials_opened.set(BatchItem.vials_opened | 0),
            BatchItem.vials_received.add(receipt.vials)],
            BatchItem.batch.does_not_exist() | ((BatchItem.vaccine == vaccine) & (BatchItem.expiry == expiry)
                                                & (BatchItem.doses_per_vial == per_vial)))
        transaction.put("audit", audit, AuditItem.at.does_not_exist())
        _ledger(transaction, moves, _shard(shard))

    return Transaction(BatchItem).attempt(build)


def receipts(center_id: int) -> list[dict]:
    """The centre's receipts by time (to the second): who, when, what (one Query of its audit entries)."""
    return [{"at": item.at, "actor": item.actor, **item.new.as_dict()}
            for item in AuditItem.query(f"stock#{center_id}", consistent_read=True)]


def _vial_key(vial: VialRecord) -> VialItem:
    return VialItem(vial.session_id, vial.entry)


def add_draw(transaction: Transaction, draw: rules.Draw, moment: int, shard: int | None = None) -> None:
    """A dose's draw on the stock, in the dose's own transaction (see domain/stock.Draw):
    - use: one more dose of the vial, only below its doses, while it is open and usable at the dose's time;
    - open: the batch's next vial (only from its count as read and below its vials received), the vial
      put only if absent, and the session's count of opened vials (only while it is open, or, for a vial
      opened and closed for a dose at a closed session, only once it is closed);
    - reclaim: one of a closed vial's wasted doses becomes a used one, only while it has one.
    `moves`: the ledger's, for a dose at a closed session."""
    vial = draw.vial
    if draw.kind == rules.USE:
        transaction.change(VIAL, _vial_key(vial), [VialItem.used.add(1)],
                           (VialItem.used < VialItem.doses) & VialItem.closed_at.does_not_exist()
                           & (VialItem.usable_until >= moment))
    elif draw.kind == rules.RECLAIM:
        transaction.change(VIAL, _vial_key(vial), [VialItem.used.add(1), VialItem.wasted.add(-1)],
                           (VialItem.wasted > 0) & VialItem.closed_at.exists())
    else:
        transaction.change(BATCH, BatchItem(vial.center_id, vial.batch), [BatchItem.vials_opened.add(1)],
                           (BatchItem.vials_opened == draw.opened)
                           & (BatchItem.vials_opened < BatchItem.vials_received))
        transaction.put(VIAL, item_of(vial, VialItem), VialItem.entry.does_not_exist())
        transaction.change(SESSION_STOCK, SessionStockItem(vial.session_id), [SessionStockItem.vials_opened.add(1)],
                           SessionStockItem.closed_at.exists() if draw.closes
                           else SessionStockItem.closed_at.does_not_exist())
    if draw.moves:
        _ledger(transaction, {key: dict(cells) for key, cells in draw.moves.items()}, _shard(shard))


def open_vial(draw: rules.Draw) -> set[str] | None:
    """A vial opened by the staff (no dose with it): its draw alone."""
    return Transaction(VialItem).attempt(lambda transaction: add_draw(transaction, draw, draw.vial.opened_at))


def close(session: SessionRecord, opened: int, closing: Sequence[VialRecord], read: Mapping[str, int],
          moves: rules.Moves, actor: str, now: int, shard: int | None = None) -> set[str] | None:
    """Close the session in one transaction: the session marked closed (only once), its count of opened
    vials still the `opened` it read (a vial opened since fails the close), each vial with doses left
    closed with them wasted (only if its used doses are still the ones `read`), and the ledger's moves."""
    def build(transaction: Transaction) -> None:
        transaction.change("session", SessionItem(session.session_id), [
            SessionItem.closed_at.set(now), SessionItem.closed_by.set(actor)], SessionItem.closed_at.does_not_exist())
        same_count = SessionStockItem.vials_opened == opened
        if opened == 0:
            same_count = SessionStockItem.vials_opened.does_not_exist() | same_count
        transaction.change(SESSION_STOCK, SessionStockItem(session.session_id),
                           [SessionStockItem.closed_at.set(now)],
                           SessionStockItem.closed_at.does_not_exist() & same_count)
        for vial in closing:
            transaction.change(f"{VIAL} {vial.entry}", _vial_key(vial), [
                VialItem.wasted.set(int(vial.wasted)), VialItem.closed_at.set(now)],
                (VialItem.used == read[vial.entry]) & VialItem.closed_at.does_not_exist())
        _ledger(transaction, moves, _shard(shard))

    return Transaction(SessionItem).attempt(build)


def _shard(shard: int | None) -> int:
    return random.randrange(SHARDS) if shard is None else shard


def load(receipts: Sequence[tuple[BatchRecord, str]], moves: rules.Moves) -> None:
    """Demo stock, written as given (each batch received once, by the actor named), in batches and
    unconditionally, its ledger's items as `moves` hold them (shared areas on shard 0): demo data only."""
    with BatchItem.batch_write() as writer:
        for record, _ in receipts:
            writer.save(item_of(record, BatchItem))
    with AuditItem.batch_write() as audit_writer:
        for record, actor in receipts:
            audit_writer.save(audit_entry(f"stock#{record.center_id}", "stock received", actor, {}, {
                "batch": record.batch, "vaccine": record.vaccine, "expiry": record.expiry,
                "vials": int(record.vials_received), "doses_per_vial": int(record.doses_per_vial)},
                int(record.received_at)))
    items = [{"PutRequest": {"Item": {
        "area": {"S": sharded(area, 0) if rules.is_shared(area) else area}, "period": {"S": period},
        **{name: {"N": str(change)} for name, change in cells.items()}}}} for (area, period), cells in moves.items()]
    for start in range(0, len(items), 25):
        pending = {LedgerItem.Meta.table_name: items[start:start + 25]}
        while pending:
            pending = connection(LedgerItem).dispatch("BatchWriteItem", {"RequestItems": pending}).get(
                "UnprocessedItems") or {}


def retry_label(failed: set[str]) -> bool:
    """Whether only stock items (or ledger items) refused: the stock changed meanwhile."""
    return bool(failed) and all(label in STOCK_LABELS or label.startswith((LEDGER, VIAL)) for label in failed)

