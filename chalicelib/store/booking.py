"""Appointments, and the writes that keep capacity honest.

A booking is one transaction: the session's counters for the dose and the slot go up only while
they stay within capacity; each beneficiary takes the dose's appointment only if it holds none; an
appointment item per beneficiary records it. Cancelling and rescheduling undo exactly what booking
did, conditioned on the appointment still being booked, so capacity comes back exactly once.

The beneficiary item carries a summary of its active appointment per dose (`appointment_dose1/2`):
it is the one-appointment-per-dose lock, and it lets the beneficiary list show appointments without
another read.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactGet

from chalicelib.domain.programmes import PRECAUTION
from chalicelib.domain.records import AppointmentRecord, BookingRequestRecord, SessionRecord, SlotRecord
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.common import Transaction, connection, is_condition_failure
from chalicelib.store.planning import SessionItem, session_record
from chalicelib.store.registration import BeneficiaryItem, beneficiary_record

BOOKED, CANCELLED, COMPLETED = "BOOKED", "CANCELLED", "COMPLETED"
PENDING, CONFIRMED, REJECTED = "PENDING", "CONFIRMED", "REJECTED"


class AppointmentsBySession(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-session"
        projection = AllProjection()

    session_id = UnicodeAttribute(hash_key=True)
    beneficiary_reference_id = UnicodeAttribute(range_key=True)


class AppointmentItem(TeekaModel):
    """One beneficiary's place in an appointment; a family booking shares the appointment id."""

    Meta = table_meta("appointments")
    appointment_id = UnicodeAttribute(hash_key=True)
    beneficiary_reference_id = UnicodeAttribute(range_key=True)
    mobile = UnicodeAttribute()
    session_id = UnicodeAttribute()
    center_id = NumberAttribute()
    date = UnicodeAttribute()  # ISO
    slot = UnicodeAttribute()
    dose = NumberAttribute()
    precaution = BooleanAttribute(default=False)  # the dose after a completed primary series
    status = UnicodeAttribute(default=BOOKED)  # BOOKED | CANCELLED | COMPLETED
    cancelled_reason = UnicodeAttribute(null=True)
    reschedules = NumberAttribute(default=0)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    # At the centre (see store.vaccination): the door check; the security codes tried since the last
    # right one, each counted before it is judged (locked at the country's limit); the dose that completed it.
    verified_at = NumberAttribute(null=True)
    verified_by = UnicodeAttribute(null=True)
    code_attempts = NumberAttribute(default=0)
    completed_at = NumberAttribute(null=True)
    dose_record_id = UnicodeAttribute(null=True)
    by_session = AppointmentsBySession()


@dataclass(frozen=True)
class Seat:
    """Where a booking sits in a session: the dose, the capacity it takes (`programmes.seat_kind`:
    dose1, dose2 or precaution) and the slot (by its list position)."""

    session: SessionRecord
    dose: int
    kind: str
    slot_index: int

    @property
    def slot(self) -> SlotRecord:
        return self.session.slots[self.slot_index]


def seat_counters(kind: str):
    """A session's capacity and booked counters of one kind of dose (`programmes.seat_kind`)."""
    return getattr(SessionItem, f"capacity_{kind}"), getattr(SessionItem, f"booked_{kind}")


def dose_lock(dose: int):
    """The beneficiary's one-appointment-per-dose lock (`appointment_doseN`)."""
    return getattr(BeneficiaryItem, f"appointment_dose{dose}")


def _take(seat: Seat, count: int):
    """Actions and condition that take `count` seats, only if they are free and nothing moved under us."""
    capacity, booked = seat_counters(seat.kind)
    dose_capacity = int(getattr(seat.session, capacity.attr_name))
    slot = SessionItem.slots[seat.slot_index]
    condition = ((SessionItem.status == "ACTIVE") & SessionItem.closed_at.does_not_exist()
                 & (capacity == dose_capacity) & (booked <= dose_capacity - count)
                 & (slot["name"] == seat.slot.name) & (slot["capacity"] == int(seat.slot.capacity))
                 & (slot["booked"] <= int(seat.slot.capacity) - count))
    return [booked.add(count), slot["booked"].add(count)], condition


def _give_back(seat: Seat, count: int):
    _, booked = seat_counters(seat.kind)
    slot = SessionItem.slots[seat.slot_index]
    return ([booked.add(-count), slot["booked"].add(-count)],
            (slot["name"] == seat.slot.name) & (booked >= count) & (slot["booked"] >= count))


def read_for_booking(session_ids: Sequence[str], reference_ids: Sequence[str]):
    """Sessions and beneficiaries in one consistent read (TransactGetItems); absent ones are None."""
    with TransactGet(connection=connection(SessionItem)) as transaction:
        sessions = [transaction.get(SessionItem, session_id) for session_id in session_ids]
        people = [transaction.get(BeneficiaryItem, reference_id) for reference_id in reference_ids]
    return ([session_record(item) if (item := _value(f)) else None for f in sessions],
            [beneficiary_record(item) if (item := _value(f)) else None for f in people])


def _value(future):
    try:
        return future.get()
    except (SessionItem.DoesNotExist, BeneficiaryItem.DoesNotExist):
        return None


def appointment_record(item: AppointmentItem) -> AppointmentRecord:
    return record_of(item, AppointmentRecord)


def appointment_of(appointment_id: str, reference_id: str) -> AppointmentRecord | None:
    try:
        return appointment_record(AppointmentItem.get(appointment_id, reference_id, consistent_read=True))
    except AppointmentItem.DoesNotExist:
        return None


def appointment(appointment_id: str) -> list[AppointmentRecord]:
    return [appointment_record(item) for item in AppointmentItem.query(appointment_id, consistent_read=True)]


def for_session(session_id: str) -> Iterable[AppointmentRecord]:
    return (appointment_record(item) for item in AppointmentItem.by_session.query(session_id))


def new_appointments(appointment_id: str, reference_ids: list[str], mobile: str, seat: Seat,
                     now: int) -> list[AppointmentRecord]:
    """One appointment, one record per beneficiary in it (all of them booked on the same seat)."""
    session = seat.session
    return [AppointmentRecord(appointment_id, reference_id, mobile=mobile, session_id=session.session_id,
                            center_id=int(session.center_id), date=session.date, slot=seat.slot.name, dose=seat.dose,
                            precaution=seat.kind == PRECAUTION, status=BOOKED, reschedules=0, created_at=now,
                            updated_at=now)
            for reference_id in reference_ids]


def book(seat: Seat, items: list[AppointmentRecord], summary: dict,
         also: Callable[[Transaction], None] | None = None) -> set[str] | None:
    """Take the seats and the appointments in one transaction, with whatever `also` adds (an operator's
    record and count, see store.assisted). None when booked; otherwise the labels of what refused:
    "session", "beneficiary:<id>", "appointment:<id>", or those of `also`'s items."""
    actions, condition = _take(seat, len(items))
    lock = dose_lock(seat.dose)
    def build(transaction: Transaction) -> None:
        transaction.change("session", SessionItem(seat.session.session_id), actions, condition)
        for item in items:
            ref = item.beneficiary_reference_id
            transaction.change(f"beneficiary:{ref}", BeneficiaryItem(ref), [lock.set(summary)],
                               (BeneficiaryItem.mobile == item.mobile) & lock.does_not_exist()
                               & (BeneficiaryItem.doses_given == seat.dose - 1))
            transaction.put(f"appointment:{ref}", item_of(item, AppointmentItem),
                            AppointmentItem.appointment_id.does_not_exist())
        if also is not None:
            also(transaction)

    return Transaction(SessionItem, client_request_token=items[0].appointment_id).attempt(build)


def _booked_at(seat: Seat):
    """The appointment is still booked in exactly the session and slot whose seat the caller gives
    back: every transition away from a seat is conditioned on it, so two transitions racing on one
    appointment (a cancel and a reschedule, two reschedules) cannot both give a seat back."""
    return ((AppointmentItem.status == BOOKED) & (AppointmentItem.session_id == seat.session.session_id)
            & (AppointmentItem.slot == seat.slot.name))


def move(old: Seat, new: Seat, items: list[AppointmentRecord], summary: dict, limit: int, now: int) -> set[str] | None:
    """Reschedule: give back the old seats, take the new ones, and repoint the appointments, at once.
    A door check done for the old place does not carry over."""
    count = len(items)

    def build(transaction: Transaction) -> None:
        if old.session.session_id == new.session.session_id:
            give_actions, give_condition = _give_back(old, count)
            take_actions, take_condition = _take(new, count)
            # One item can appear once in a transaction: the dose counter is unchanged, the slots swap.
            transaction.change("session", SessionItem(new.session.session_id),
                               [give_actions[1], take_actions[1]], give_condition & take_condition)
        else:
            transaction.change("old-session", SessionItem(old.session.session_id), *_give_back(old, count))
            transaction.change("session", SessionItem(new.session.session_id), *_take(new, count))
        lock = dose_lock(new.dose)
        for item in items:
            ref = item.beneficiary_reference_id
            transaction.change(f"appointment:{ref}", AppointmentItem(item.appointment_id, ref), [
                AppointmentItem.session_id.set(new.session.session_id), AppointmentItem.slot.set(new.slot.name),
                AppointmentItem.date.set(new.session.date), AppointmentItem.center_id.set(new.session.center_id),
                AppointmentItem.reschedules.add(1), AppointmentItem.updated_at.set(now),
                AppointmentItem.verified_at.remove(), AppointmentItem.verified_by.remove()],
                _booked_at(old) & (AppointmentItem.reschedules < limit))
            transaction.change(f"beneficiary:{ref}", BeneficiaryItem(ref), [lock.set(summary)],
                               lock["appointment_id"] == item.appointment_id)

    return Transaction(SessionItem).attempt(build)


def cancel(seat: Seat, items: list[AppointmentRecord], reason: str, now: int,
           also: Callable[[Transaction], None] | None = None) -> set[str] | None:
    """Cancel these beneficiaries' places (booked at `seat`, as read), freeing their dose locks and
    giving the seats back, with whatever `also` adds (an operator's record and count)."""
    def build(transaction: Transaction) -> None:
        transaction.change("session", SessionItem(seat.session.session_id), *_give_back(seat, len(items)))
        for item in items:
            ref = item.beneficiary_reference_id
            transaction.change(f"appointment:{ref}", AppointmentItem(item.appointment_id, ref), [
                AppointmentItem.status.set(CANCELLED), AppointmentItem.cancelled_reason.set(reason),
                AppointmentItem.updated_at.set(now)],
                _booked_at(seat))
            lock = dose_lock(int(item.dose))
            transaction.change(f"beneficiary:{ref}", BeneficiaryItem(ref), [lock.remove()],
                               lock["appointment_id"] == item.appointment_id)
        if also is not None:
            also(transaction)

    return Transaction(SessionItem).attempt(build)


class BookingRequestItem(TeekaModel):
    """A booking taken in surge mode: PENDING until the worker books it (CONFIRMED) or cannot (REJECTED)."""

    Meta = table_meta("booking-requests")
    appointment_id = UnicodeAttribute(hash_key=True)
    mobile = UnicodeAttribute()
    request: MapAttribute[str, Any] = MapAttribute()  # the schedule body as the citizen sent it
    status = UnicodeAttribute(default=PENDING)  # PENDING | CONFIRMED | REJECTED
    reason_code = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    expires_at = TTLAttribute()


def save_request(appointment_id: str, mobile: str, request: dict, now: int, kept_seconds: int) -> None:
    """A queued booking request, PENDING until the worker settles it; kept `kept_seconds` for its status."""
    BookingRequestItem(appointment_id, mobile=mobile, request=request, status=PENDING, created_at=now, updated_at=now,
                       expires_at=datetime.fromtimestamp(now + kept_seconds, tz=UTC),
                       ).save(condition=BookingRequestItem.appointment_id.does_not_exist())


def get_request(appointment_id: str) -> BookingRequestRecord | None:
    try:
        return record_of(BookingRequestItem.get(appointment_id, consistent_read=True), BookingRequestRecord)
    except BookingRequestItem.DoesNotExist:
        return None


def settle_request(appointment_id: str, status: str, now: int, code: str | None = None,
                   reason: str | None = None) -> None:
    """Record the worker's outcome. A confirmation always wins (a duplicate delivery that found the
    seats gone must not turn it into a rejection); a rejection only settles a pending request."""
    actions: list[Action] = [BookingRequestItem.status.set(status), BookingRequestItem.updated_at.set(now)]
    if code is not None:
        actions += [BookingRequestItem.reason_code.set(code), BookingRequestItem.reason.set(reason or "")]
    condition = BookingRequestItem.appointment_id.exists()
    if status != CONFIRMED:
        condition &= BookingRequestItem.status == PENDING
    try:
        BookingRequestItem(appointment_id).update(actions=actions, condition=condition)
    except UpdateError as error:
        if not is_condition_failure(error):
            raise
