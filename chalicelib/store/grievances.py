"""Grievance tickets and their histories, one table (docs/grievances.md).

Items, by (key, entry):
- (ticket id, "ticket"): the ticket; indexed by the citizen's mobile and by district (the officers' list);
- (ticket id, "event#<version>"): each step of its history, written in the step's own transaction;
- ("mobile#<mobile>", "open"): how many of the mobile's tickets are open (the per-mobile limit);
- ("member#<reference id>", "open"): the open ticket about a member, one at a time, so two repairs of
  one person never race.
Opening writes all four at once; a move changes the ticket only if it is still as the officer read it
(its version), with its event, and a closing move gives back the count and the member's place, in the
same transaction as the repair it applies.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.domain.grievances import CLOSED
from chalicelib.domain.records import GrievanceEventRecord, GrievanceRecord
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.common import StoreError, Transaction, is_conflict

TICKET, OPEN_MARK = "ticket", "open"
# The labels of the items a ticket's transactions hold, as a refusal names them.
TICKET_LABEL, LIMIT_LABEL, MEMBER_LABEL = "grievance:ticket", "grievance:limit", "grievance:member"
CONFLICT = "conflict"


class TicketsByMobile(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-mobile"
        projection = AllProjection()

    raised_by = UnicodeAttribute(hash_key=True)
    opened_at = NumberAttribute(range_key=True)


class TicketsByDistrict(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-district"
        projection = AllProjection()

    district_id = NumberAttribute(hash_key=True)
    opened_at = NumberAttribute(range_key=True)


class GrievanceItem(TeekaModel):
    Meta = table_meta("grievances")
    key = UnicodeAttribute(hash_key=True)  # the ticket id, or a mobile's or member's mark
    entry = UnicodeAttribute(range_key=True)
    # The ticket's (see GrievanceRecord); an event's status, actor, at and note.
    kind = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    raised_by = UnicodeAttribute(null=True)
    beneficiary_reference_id = UnicodeAttribute(null=True)
    state_id = NumberAttribute(null=True)
    district_id = NumberAttribute(null=True)
    opened_at = NumberAttribute(null=True)
    updated_at = NumberAttribute(null=True)
    version = NumberAttribute(null=True)
    details: MapAttribute[str, object] = MapAttribute(null=True)
    description = UnicodeAttribute(null=True)
    officer = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    actor = UnicodeAttribute(null=True)
    at = NumberAttribute(null=True)
    ticket_id = UnicodeAttribute(null=True)  # a ticket's own id; on a member's mark, its open ticket
    open_count = NumberAttribute(null=True)  # on a mobile's mark: its open tickets
    by_mobile = TicketsByMobile()
    by_district = TicketsByDistrict()


def _ticket_item(ticket: GrievanceRecord) -> GrievanceItem:
    item = item_of(ticket, GrievanceItem)
    item.key = ticket.ticket_id
    return item


def _ticket(item: GrievanceItem) -> GrievanceRecord:
    return record_of(item, GrievanceRecord, ticket_id=item.key)


def _event(ticket: GrievanceRecord) -> GrievanceItem:
    """The step that left the ticket as it is: keyed by the ticket's version, so a history reads in order
    (and two steps from one version cannot both be written)."""
    return GrievanceItem(ticket.ticket_id, f"event#{int(ticket.version):04d}", status=ticket.status,
                         actor=ticket.officer or ticket.raised_by, at=int(ticket.updated_at), note=ticket.note or "")


def new_ticket(kind: str, raised_by: str, reference_id: str, state_id: int, district_id: int, now: int,
               details: dict, description: str, status: str) -> GrievanceRecord:
    return GrievanceRecord(str(uuid.uuid4()), TICKET, kind=kind, status=status, raised_by=raised_by,
                           beneficiary_reference_id=reference_id, state_id=state_id, district_id=district_id,
                           opened_at=now, updated_at=now, details=details, description=description)


def open_ticket(ticket: GrievanceRecord, open_limit: int) -> set[str] | None:
    """The ticket, its first event, one more open on the mobile (below the limit) and the member's
    mark (none open yet): one TransactWriteItems. None when opened, else the labels that refused."""
    def build(transaction: Transaction) -> None:
        transaction.put(TICKET_LABEL, _ticket_item(ticket), GrievanceItem.key.does_not_exist())
        transaction.put("grievance:event", _event(ticket), GrievanceItem.key.does_not_exist())
        transaction.change(LIMIT_LABEL, GrievanceItem(f"mobile#{ticket.raised_by}", OPEN_MARK),
                           [GrievanceItem.open_count.add(1)],
                           GrievanceItem.open_count.does_not_exist() | (GrievanceItem.open_count < open_limit))
        transaction.put(MEMBER_LABEL, GrievanceItem(f"member#{ticket.beneficiary_reference_id}", OPEN_MARK,
                                                    ticket_id=ticket.ticket_id), GrievanceItem.key.does_not_exist())

    return _attempt(build)


def _attempt(build: Callable[[Transaction], None]) -> set[str] | None:
    """Commit a ticket's transaction: None, or the labels that refused; CONFLICT when DynamoDB cancelled it
    because another transaction was writing the same items at that moment (two officers at once, a mobile's
    issues raised at once): nothing was written, and someone else's write came first."""
    try:
        return Transaction(GrievanceItem).attempt(build)
    except StoreError as error:
        if not is_conflict(error):
            raise
        return {CONFLICT}


def move(ticket: GrievanceRecord, status: str, officer: str, note: str, now: int,
         repair: Callable[[Transaction], None] | None = None) -> tuple[GrievanceRecord, set[str] | None]:
    """Move the ticket as read (its version) to `status` with its event, and, when that closes it, give
    back the mobile's count and the member's mark; `repair` adds its items to the same transaction.
    Returns the ticket as moved and None, or the labels that refused (TICKET_LABEL: someone moved it first;
    CONFLICT: another transaction was writing these items at that moment)."""
    moved = replace(ticket, status=status, officer=officer, note=note or None, updated_at=now,
                    version=int(ticket.version) + 1)

    def build(transaction: Transaction) -> None:
        transaction.put(TICKET_LABEL, _ticket_item(moved), GrievanceItem.version == int(ticket.version))
        transaction.put("grievance:event", _event(moved), GrievanceItem.key.does_not_exist())
        if status in CLOSED:
            transaction.change(LIMIT_LABEL, GrievanceItem(f"mobile#{ticket.raised_by}", OPEN_MARK),
                               [GrievanceItem.open_count.add(-1)], GrievanceItem.open_count > 0)
            transaction.remove(MEMBER_LABEL, GrievanceItem(f"member#{ticket.beneficiary_reference_id}", OPEN_MARK),
                               GrievanceItem.ticket_id == ticket.ticket_id)
        if repair is not None:
            repair(transaction)

    return moved, _attempt(build)


def ticket_with_history(ticket_id: str) -> tuple[GrievanceRecord | None, list[GrievanceEventRecord]]:
    """A ticket and its events, oldest first: one Query."""
    ticket, events = None, []
    for item in GrievanceItem.query(ticket_id, consistent_read=True):
        if item.entry == TICKET:
            ticket = _ticket(item)
        else:
            events.append(GrievanceEventRecord(ticket_id, item.entry, status=item.status or "", actor=item.actor or "",
                                               at=int(item.at or 0), note=item.note or ""))
    return ticket, events


def raised_by(mobile: str, limit: int) -> list[GrievanceRecord]:
    """A mobile's tickets, newest first: one Query."""
    return [_ticket(item) for item in GrievanceItem.by_mobile.query(mobile, scan_index_forward=False, limit=limit)]


def in_district(district_id: int, limit: int, status: str | None = None) -> list[GrievanceRecord]:
    """A district's tickets (of one status), newest first: one Query."""
    condition = GrievanceItem.status == status if status else None
    return [_ticket(item) for item in GrievanceItem.by_district.query(
        district_id, filter_condition=condition, scan_index_forward=False, limit=limit)]
