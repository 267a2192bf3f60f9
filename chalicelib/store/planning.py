"""Planning tables: centres, their sessions, and staff allocations to sessions.

A session item carries its centre's public fields (denormalised), so every availability search is
answered from one index Query of sessions, with no join: `by-district-date`, `by-pincode-date`
and `by-center-date` (ISO dates sort, so a 7-day calendar is one key range).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.constants import STREAM_NEW_AND_OLD_IMAGE
from pynamodb.exceptions import DeleteError, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.domain.planning import Centre, SessionPlan
from chalicelib.domain.records import AllocationRecord, CentreRecord, SessionRecord, SlotRecord
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.common import Transaction, conditionally, is_condition_failure

GRID_DEGREES = 0.1  # about 11 km: a findByLatLong search reads a cell and its 8 neighbours


def grid_cell(lat: float, long: float) -> str:
    return f"{math.floor(lat / GRID_DEGREES)}:{math.floor(long / GRID_DEGREES)}"


def neighbouring_cells(lat: float, long: float) -> list[str]:
    row, col = math.floor(lat / GRID_DEGREES), math.floor(long / GRID_DEGREES)
    return [f"{row + dr}:{col + dc}" for dr in (-1, 0, 1) for dc in (-1, 0, 1)]


class CounterItem(TeekaModel):
    """Monotonic counters, e.g. the next numeric centre id."""

    Meta = table_meta("counters")
    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


def next_value(name: str, start: int) -> int:
    """Atomically the next number of a counter; the first call answers `start`."""
    item = CounterItem(name)
    item.update(actions=[CounterItem.value.set((CounterItem.value | (start - 1)) + 1)])
    return int(item.value)


class CentersByDistrict(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-district"
        projection = AllProjection()

    district_id = NumberAttribute(hash_key=True)
    center_id = NumberAttribute(range_key=True)


class CentersByCell(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-cell"
        projection = AllProjection()

    grid_cell = UnicodeAttribute(hash_key=True)
    center_id = NumberAttribute(range_key=True)


class CenterItem(TeekaModel):
    Meta = table_meta("centers")
    center_id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    address = UnicodeAttribute()
    block_name = UnicodeAttribute()
    district_id = NumberAttribute()
    state_id = NumberAttribute()
    pincode = NumberAttribute()
    lat = NumberAttribute()
    long = NumberAttribute()
    grid_cell = UnicodeAttribute()
    opens = UnicodeAttribute()  # HH:MM:SS, CoWIN's `from`
    closes = UnicodeAttribute()  # HH:MM:SS, CoWIN's `to`
    fee_type = UnicodeAttribute()  # Free | Paid
    # vaccine name -> fee as a string, for paid centres
    vaccine_fees: MapAttribute[str, Any] = MapAttribute(default=dict)
    # language -> {name, address, block_name}: CoWIN's *_l fields
    local_names: MapAttribute[str, Any] = MapAttribute(default=dict)
    active = BooleanAttribute(default=True)
    by_district = CentersByDistrict()
    by_cell = CentersByCell()


class SlotAttribute(MapAttribute):
    name = UnicodeAttribute()  # e.g. 09:00AM-11:00AM
    capacity = NumberAttribute()
    booked = NumberAttribute(default=0)


class SessionsByDistrict(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-district-date"
        projection = AllProjection()

    district_id = NumberAttribute(hash_key=True)
    date = UnicodeAttribute(range_key=True)


class SessionsByPincode(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-pincode-date"
        projection = AllProjection()

    pincode = NumberAttribute(hash_key=True)
    date = UnicodeAttribute(range_key=True)


class SessionsByCenter(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-center-date"
        projection = AllProjection()

    center_id = NumberAttribute(hash_key=True)
    date = UnicodeAttribute(range_key=True)


class SessionItem(TeekaModel):
    """One centre, one date, one vaccine: capacity per dose and per slot, and the centre's public fields."""

    Meta = table_meta("sessions")
    # Its stream tells the slot alerts when seats open (services/alerts.py): old and new images.
    Meta.stream_view_type = STREAM_NEW_AND_OLD_IMAGE
    session_id = UnicodeAttribute(hash_key=True)
    date = UnicodeAttribute()  # ISO YYYY-MM-DD, so a date range is a key range
    vaccine = UnicodeAttribute()
    min_age_limit = NumberAttribute()
    max_age_limit = NumberAttribute(null=True)
    allow_all_age = BooleanAttribute(default=False)
    capacity_dose1 = NumberAttribute()
    capacity_dose2 = NumberAttribute()
    booked_dose1 = NumberAttribute(default=0)
    booked_dose2 = NumberAttribute(default=0)
    capacity_precaution = NumberAttribute(default=0)
    booked_precaution = NumberAttribute(default=0)
    slots = ListAttribute(of=SlotAttribute)
    fee = UnicodeAttribute(default="0")
    status = UnicodeAttribute(default="ACTIVE")  # ACTIVE | CANCELLED
    # The centre, copied so a search needs no second read. Kept in step by update_centre.
    center_id = NumberAttribute()
    district_id = NumberAttribute()
    state_id = NumberAttribute()
    pincode = NumberAttribute()
    name = UnicodeAttribute()
    address = UnicodeAttribute()
    block_name = UnicodeAttribute()
    lat = NumberAttribute()
    long = NumberAttribute()
    opens = UnicodeAttribute()
    closes = UnicodeAttribute()
    fee_type = UnicodeAttribute()
    vaccine_fees: MapAttribute[str, Any] = MapAttribute(default=dict)
    local_names: MapAttribute[str, Any] = MapAttribute(default=dict)
    # Closed at the end of the day (store/stock.py): no more real-time doses.
    closed_at = NumberAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    by_district = SessionsByDistrict()
    by_pincode = SessionsByPincode()
    by_center = SessionsByCenter()


CENTRE_FIELDS_ON_SESSIONS = ("district_id", "state_id", "pincode", "name", "address", "block_name", "lat", "long",
                             "opens", "closes", "fee_type", "vaccine_fees", "local_names")
CENTRE_MAPS = ("vaccine_fees", "local_names")  # written as plain dicts


class AllocationsByStaff(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-staff-date"
        projection = AllProjection()

    mobile = UnicodeAttribute(hash_key=True)
    date = UnicodeAttribute(range_key=True)


class AllocationItem(TeekaModel):
    """A vaccinator or verifier allocated to a session."""

    Meta = table_meta("allocations")
    session_id = UnicodeAttribute(hash_key=True)
    mobile = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute()
    date = UnicodeAttribute()
    center_id = NumberAttribute()
    allocated_at = NumberAttribute()
    allocated_by = UnicodeAttribute()
    by_staff = AllocationsByStaff()


def centre_record(item: CenterItem) -> CentreRecord:
    return record_of(item, CentreRecord)


def session_record(item: SessionItem) -> SessionRecord:
    return record_of(item, SessionRecord, slots=tuple(
        SlotRecord(slot.name, int(slot.capacity), int(slot.booked)) for slot in item.slots))


def _slot_items(slots: Iterable[SlotRecord]) -> list[SlotAttribute]:
    return [SlotAttribute(name=slot.name, capacity=slot.capacity, booked=slot.booked) for slot in slots]


def _session_item(session: SessionRecord) -> SessionItem:
    return item_of(session, SessionItem, slots=_slot_items(session.slots),
                   **{name: dict(getattr(session, name)) for name in CENTRE_MAPS})


def get_centre(center_id: int) -> CentreRecord | None:
    try:
        return centre_record(CenterItem.get(center_id))
    except CenterItem.DoesNotExist:
        return None


def get_session(session_id: str, consistent: bool = False) -> SessionRecord | None:
    try:
        return session_record(SessionItem.get(session_id, consistent_read=consistent))
    except SessionItem.DoesNotExist:
        return None


def sessions_by_district(district_id: int, first: str, last: str) -> Iterator[SessionRecord]:
    return map(session_record, SessionItem.by_district.query(district_id, SessionItem.date.between(first, last)))


def sessions_by_pincode(pincode: int, first: str, last: str) -> Iterator[SessionRecord]:
    return map(session_record, SessionItem.by_pincode.query(pincode, SessionItem.date.between(first, last)))


def sessions_by_center(center_id: int, first: str, last: str) -> Iterator[SessionRecord]:
    return map(session_record, SessionItem.by_center.query(center_id, SessionItem.date.between(first, last)))


def centres_in_cell(cell: str) -> Iterator[CentreRecord]:
    return map(centre_record, CenterItem.by_cell.query(cell))


def centres_in_district(district_id: int) -> Iterator[CentreRecord]:
    return map(centre_record, CenterItem.by_district.query(district_id))


def _counts(counter, value: int):
    """A counter equals `value`; one added later than the session's item is absent, which counts 0."""
    return (counter == value) | counter.does_not_exist() if value == 0 else counter == value


def set_capacity(session: SessionRecord, capacities: tuple[int, int, int], slots: Sequence[SlotRecord]) -> bool:
    """Replace the capacities (dose 1, dose 2, precaution) and slots, only if the session is exactly as
    the caller read it: its bookings per dose and its slots with their bookings (a reschedule within the
    session moves bookings between slots without changing the dose counts), which the new values were
    checked against."""
    dose1, dose2, precaution = capacities
    return conditionally(lambda: SessionItem(session.session_id).update(
        actions=[SessionItem.capacity_dose1.set(dose1), SessionItem.capacity_dose2.set(dose2),
                 SessionItem.capacity_precaution.set(precaution), SessionItem.slots.set(_slot_items(slots)),
                 # A session written before precaution seats existed gets its counter, so bookings can take them.
                 SessionItem.booked_precaution.set(SessionItem.booked_precaution | 0)],
        condition=(SessionItem.status == "ACTIVE") & (SessionItem.booked_dose1 == session.booked_dose1)
        & (SessionItem.booked_dose2 == session.booked_dose2)
        & _counts(SessionItem.booked_precaution, int(session.booked_precaution))
        & (SessionItem.slots == _slot_items(session.slots)),
    ))


def cancel_session(session_id: str) -> bool:
    return conditionally(lambda: SessionItem(session_id).update(actions=[SessionItem.status.set("CANCELLED")],
                                                                condition=SessionItem.status == "ACTIVE"))


def allocations_of(mobile: str, first: str, last: str) -> Iterator[AllocationRecord]:
    return (record_of(item, AllocationRecord)
            for item in AllocationItem.by_staff.query(mobile, AllocationItem.date.between(first, last)))


def allocation(session_id: str, mobile: str) -> AllocationRecord | None:
    try:
        return record_of(AllocationItem.get(session_id, mobile), AllocationRecord)
    except AllocationItem.DoesNotExist:
        return None


def allocated_sessions(mobile: str, session_ids: set[str]) -> set[str]:
    """Which of these sessions the staff member is allocated to: one BatchGetItem per 100."""
    keys = [(session_id, mobile) for session_id in sorted(session_ids)]
    return {allocation.session_id for allocation in AllocationItem.batch_get(keys)} if keys else set()


def allocations_for_session(session_id: str) -> Iterator[AllocationRecord]:
    return (record_of(item, AllocationRecord) for item in AllocationItem.query(session_id))


def new_centre(center_id: int, centre: Centre, active: bool = True) -> CentreRecord:
    """The stored form of a validated `domain.planning.Centre`."""
    return CentreRecord(**{field.name: getattr(centre, field.name) for field in fields(Centre)},
                        center_id=center_id, grid_cell=grid_cell(centre.lat, centre.long), active=active)


def add_centre(center_id: int, centre: Centre) -> CentreRecord:
    record = new_centre(center_id, centre)
    item_of(record, CenterItem).save(condition=CenterItem.center_id.does_not_exist())
    return record


def replace_centre(center_id: int, centre: Centre, active: bool) -> CentreRecord:
    record = new_centre(center_id, centre, active)
    item_of(record, CenterItem).save()
    return record


def load(centres: Iterable[CentreRecord], sessions: Iterable[SessionRecord]) -> None:
    """Write centres and sessions as given, in batches, unconditionally: demo data and benchmarks."""
    with CenterItem.batch_write() as batch:
        for centre in centres:
            batch.save(item_of(centre, CenterItem))
    with SessionItem.batch_write() as sessions_batch:
        for session in sessions:
            sessions_batch.save(_session_item(session))


def new_session(session_id: str, centre: CentreRecord, plan: SessionPlan) -> SessionRecord:
    """A validated `domain.planning.SessionPlan` at `centre`, with the centre's fields."""
    return SessionRecord(
        session_id, date=plan.date.isoformat(), vaccine=plan.vaccine, min_age_limit=plan.min_age_limit,
        max_age_limit=plan.max_age_limit, allow_all_age=plan.allow_all_age, capacity_dose1=plan.capacity_dose1,
        capacity_dose2=plan.capacity_dose2, capacity_precaution=plan.capacity_precaution, booked_dose1=0,
        booked_dose2=0,
        slots=tuple(SlotRecord(slot.name, slot.capacity) for slot in plan.slots),
        fee=plan.fee, status="ACTIVE", center_id=int(centre.center_id),
        **{name: getattr(centre, name) for name in CENTRE_FIELDS_ON_SESSIONS if name not in CENTRE_MAPS},
        vaccine_fees=dict(centre.vaccine_fees), local_names=dict(centre.local_names),
    )


def copy_centre_to_sessions(centre: CentreRecord, sessions: list[SessionRecord]) -> None:
    """Refresh the centre's fields on its sessions, one UpdateItem each so bookings are never overwritten."""
    attributes = SessionItem.get_attributes()
    actions: list[Action] = [attributes[name].set(dict(value) if name in CENTRE_MAPS else value)
                             for name, value in ((name, getattr(centre, name)) for name in CENTRE_FIELDS_ON_SESSIONS)]
    for session in sessions:
        SessionItem(session.session_id).update(actions=actions)


def create_session(session: SessionRecord) -> bool:
    """Write a new session; refused if one with the same id (centre, date, vaccine) is active."""
    return conditionally(lambda: _session_item(session).save(
        condition=SessionItem.session_id.does_not_exist() | (SessionItem.status == "CANCELLED")))


def existing_active_sessions(session_ids: list[str]) -> set[str]:
    return {s.session_id for s in SessionItem.batch_get(session_ids) if s.status == "ACTIVE"}


def create_sessions_all_or_none(sessions: list[SessionRecord]) -> bool:
    """Each chunk of 100 is one transaction; if a later chunk is refused, the earlier ones are taken back."""
    written: list[SessionRecord] = []
    for start in range(0, len(sessions), 100):
        chunk = sessions[start:start + 100]
        try:
            with Transaction(SessionItem) as transaction:
                for session in chunk:
                    transaction.put(session.session_id, _session_item(session),
                                    condition=SessionItem.session_id.does_not_exist()
                                    | (SessionItem.status == "CANCELLED"))
        except TransactWriteError:
            for session in written:
                _delete_unbooked(session)
            return False
        written.extend(chunk)
    return True


def _delete_unbooked(session: SessionRecord) -> None:
    try:
        SessionItem(session.session_id).delete(
            condition=(SessionItem.booked_dose1 == 0) & (SessionItem.booked_dose2 == 0)
            & _counts(SessionItem.booked_precaution, 0))
    except DeleteError as error:
        if not is_condition_failure(error):
            raise


def sessions_by_ids(session_ids: list[str]) -> list[SessionRecord]:
    return [session_record(item) for item in SessionItem.batch_get(session_ids)] if session_ids else []


def allocate(session: SessionRecord, mobile: str, role: str, by: str, now: int) -> bool:
    """True when newly allocated; False when this person was already allocated to the session."""
    return conditionally(lambda: AllocationItem(
        session.session_id, mobile, role=role, date=session.date, center_id=int(session.center_id), allocated_at=now,
        allocated_by=by).save(condition=AllocationItem.mobile.does_not_exist()))
