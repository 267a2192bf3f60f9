"""Planning by district and facility officers: centres, staff, sessions, and allocations.

Every use case checks the caller's scope against the centre's place (state, district, facility).
DynamoDB calls:
- create centre: UpdateItem (id counter) + PutItem;
- edit centre: GetItem + PutItem + Query (its future sessions) + one UpdateItem per future session
  (the centre's fields are copied on its sessions; edits are rare, searches are not);
- add staff: GetItem (centre) + UpdateItem (staff, conditional);
- create session: GetItem (centre) + PutItem (conditional: the id is derived from centre, date
  and vaccine, so a duplicate is refused by the write itself);
- plan in bulk: GetItem per centre + BatchGetItem (existing ids) + one TransactWriteItems per 100;
- edit capacity: GetItem + UpdateItem (conditional);
- where stock is tracked (services/stock.py), creating, planning and raising a capacity first check the
  stock expected at the centre: per centre, 1 Query (its batches) + 1 Query (its sessions up to the
  last day planned) + 1 Query (the vials of today's session of the vaccine, when it has one open);
- cancel: GetItem + UpdateItem (conditional) + GetItem (its slots as frozen) + Query (its appointments)
  + one TransactWriteItems per booked appointment (each place cancelled, its seats given back and its
  dose lock freed) + Query (allocations);
- allocate: GetItem (session) + GetItem (staff) + PutItem (conditional) + an SMS on the queue;
- my sessions: Query (allocations) + BatchGetItem (sessions).
"""
from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import errors, inputs, messages
from chalicelib.domain import planning as rules
from chalicelib.domain.calendar import format_cowin_date, local_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.records import CentreRecord, SessionRecord, SlotRecord
from chalicelib.domain.roles import SITE_STAFF, Principal
from chalicelib.observability import logger
from chalicelib.services import booking, stock
from chalicelib.services.availability import record
from chalicelib.services.metadata import district_states, place_names
from chalicelib.services.outbox import notify
from chalicelib.store import auth as staff_store
from chalicelib.store import planning as store

FIRST_CENTER_ID = 300001
MAX_PLAN_ROWS = 1000
SESSION_NAMESPACE = uuid.UUID("6f1c1a52-4a45-4d7e-9a59-7f8f3f0f2b11")


def session_id_for(center_id: int, day: date, vaccine: str) -> str:
    """One session per centre, date and vaccine: the id itself makes a duplicate impossible to write."""
    return str(uuid.uuid5(SESSION_NAMESPACE, f"{center_id}:{day.isoformat()}:{vaccine}"))


def _require_scope(principal: Principal, centre: CentreRecord | SessionRecord) -> None:
    if not principal.covers_centre(centre):
        raise ApiError(errors.OUT_OF_SCOPE)


def _centre(center_id: Any) -> CentreRecord:
    try:
        number = int(center_id)
    except (TypeError, ValueError):
        raise ApiError(errors.CENTER_NOT_FOUND) from None
    centre = store.get_centre(number)
    if centre is None:
        raise ApiError(errors.CENTER_NOT_FOUND)
    return centre


def _session(session_id: str) -> SessionRecord:
    session = store.get_session(session_id, consistent=True) if session_id else None
    if session is None:
        raise ApiError(errors.SESSION_NOT_FOUND)
    return session


def centre_view(centre: CentreRecord, profile: CountryProfile) -> dict:
    return {
        "center_id": int(centre.center_id), "name": centre.name, "address": centre.address,
        "block_name": centre.block_name, "district_id": int(centre.district_id), "state_id": int(centre.state_id),
        **place_names(profile, int(centre.state_id), int(centre.district_id)), "pincode": int(centre.pincode),
        "lat": float(centre.lat), "long": float(centre.long), "from": centre.opens, "to": centre.closes,
        "fee_type": centre.fee_type, "vaccine_fees": dict(centre.vaccine_fees),
        "local_names": {language: dict(names) for language, names in centre.local_names.items()},
        "active": bool(centre.active),
    }


def session_view(session: SessionRecord) -> dict:
    """The planner's view: capacities and bookings per dose and per slot, and the status."""
    values = record(session)
    return {
        "session_id": values["session_id"], "center_id": int(values["center_id"]), "name": values["name"],
        "date": format_cowin_date(values["date"]), "vaccine": values["vaccine"],
        "min_age_limit": int(values["min_age_limit"]),
        "max_age_limit": None if values.get("max_age_limit") is None else int(values["max_age_limit"]),
        "allow_all_age": bool(values["allow_all_age"]), "fee": values["fee"], "status": values["status"],
        "capacity_dose1": int(values["capacity_dose1"]), "capacity_dose2": int(values["capacity_dose2"]),
        "booked_dose1": int(values["booked_dose1"]), "booked_dose2": int(values["booked_dose2"]),
        "capacity_precaution": int(values["capacity_precaution"]),
        "booked_precaution": int(values["booked_precaution"]),
        "slots": [{"name": s["name"], "capacity": int(s["capacity"]), "booked": int(s["booked"])}
                  for s in values["slots"]],
    }


def create_centre(principal: Principal, body: Mapping[str, Any], profile: CountryProfile) -> dict:
    centre = rules.parse_centre(body, district_states(profile), profile)
    if not principal.covers(state_id=centre.state_id, district_id=centre.district_id):
        raise ApiError(errors.OUT_OF_SCOPE)
    item = store.add_centre(store.next_value("center_id", FIRST_CENTER_ID), centre)
    logger.info("centre created", extra={"center_id": int(item.center_id)})
    return centre_view(item, profile)


def update_centre(principal: Principal, center_id: Any, body: Mapping[str, Any], now: int,
                  profile: CountryProfile) -> dict:
    current = _centre(center_id)
    _require_scope(principal, current)
    merged = {**centre_view(current, profile), **{k: v for k, v in body.items() if v is not None}}
    centre = rules.parse_centre(merged, district_states(profile), profile)
    if not principal.covers(state_id=centre.state_id, district_id=centre.district_id):
        raise ApiError(errors.OUT_OF_SCOPE)
    active = merged.get("active", True)
    if not isinstance(active, bool):
        raise ApiError(errors.INVALID_INPUT, "active must be true or false")
    today = local_date(profile, now).isoformat()
    future = list(store.sessions_by_center(int(current.center_id), today, "9999-12-31"))
    if not active and any(s.status == "ACTIVE" for s in future):
        raise ApiError(errors.CENTRE_HAS_SESSIONS)
    item = store.replace_centre(int(current.center_id), centre, active)
    store.copy_centre_to_sessions(item, future)
    return centre_view(item, profile)


def list_centres(principal: Principal, district_id: Any, profile: CountryProfile) -> list[dict]:
    try:
        district = int(district_id)
    except (TypeError, ValueError):
        raise ApiError(errors.INVALID_DISTRICT) from None
    state = district_states(profile).get(district)
    if state is None:
        raise ApiError(errors.INVALID_DISTRICT)
    if not principal.covers(state_id=state, district_id=district):
        raise ApiError(errors.OUT_OF_SCOPE)
    return [centre_view(centre, profile) for centre in store.centres_in_district(district)]


def add_staff(principal: Principal, center_id: Any, body: Mapping[str, Any], profile: CountryProfile) -> dict:
    centre = _centre(center_id)
    _require_scope(principal, centre)
    mobile = inputs.mobile(body, "mobile", profile.mobile_pattern)
    role = str(inputs.field(body, "role")).strip().lower()
    if role not in SITE_STAFF:
        raise ApiError(errors.INVALID_STAFF_ROLE)
    name = inputs.person_name(inputs.field(body, "name"))
    if not staff_store.add_facility_staff(mobile, name, role, int(centre.state_id), int(centre.district_id),
                                          int(centre.center_id)):
        raise ApiError(errors.STAFF_ELSEWHERE)
    logger.info("staff added", extra={"mobile": mask_mobile(mobile), "center_id": int(centre.center_id)})
    return {"mobile": mask_mobile(mobile), "name": name, "role": role, "center_id": int(centre.center_id)}


def _plan_item(centre: CentreRecord, plan: rules.SessionPlan) -> SessionRecord:
    return store.new_session(session_id_for(int(centre.center_id), plan.date, plan.vaccine), centre, plan)


def create_session(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    centre = _centre(inputs.field(body, "center_id"))
    _require_scope(principal, centre)
    if not centre.active:
        raise ApiError(errors.CENTRE_INACTIVE)
    plan = rules.parse_session(body, centre, local_date(profile, now), profile)
    item = _plan_item(centre, plan)
    stock.require_within_stock(int(centre.center_id), [item], now, profile)
    if not store.create_session(item):
        raise ApiError(errors.DUPLICATE_SESSION)
    return session_view(item)


def parse_plan_csv(text: str) -> list[dict]:
    """CSV rows with the JSON fields as columns; `slots` as `09:00AM-11:00AM:25|11:00AM-01:00PM:25`
    (or bare names to share the capacity evenly)."""
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        row = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        slots = []
        for part in filter(None, row.get("slots", "").split("|")):
            name, _, capacity = part.strip().rpartition(":") if part.count(":") == 3 else (part.strip(), "", "")
            slots.append({"name": name, "capacity": capacity} if capacity else part.strip())
        row["slots"] = slots
        rows.append({key: value for key, value in row.items() if value not in ("", [])} | {"slots": slots})
    return rows


def plan_sessions(principal: Principal, rows: Sequence[Mapping[str, Any]], now: int, profile: CountryProfile) -> dict:
    """Validate the whole plan first; save all of it or none, with a per-row error report."""
    if not rows:
        raise ApiError(errors.INPUT_MISSING, "The plan has no sessions")
    if len(rows) > MAX_PLAN_ROWS:
        raise ApiError(errors.PLAN_INVALID, f"At most {MAX_PLAN_ROWS} sessions per plan")
    today = local_date(profile, now)
    centres: dict[int, CentreRecord | None] = {}
    items: list[tuple[int, SessionRecord]] = []  # (row number, item) of the rows that are valid on their own
    problems: list[dict] = []
    for number, row in enumerate(rows, start=1):
        try:
            if not isinstance(row, Mapping):
                raise ApiError(errors.INVALID_INPUT, "Each session must be an object")
            center_id = inputs.integer(row, "center_id")
            if center_id not in centres:
                centres[center_id] = store.get_centre(center_id)
            centre = centres[center_id]
            if centre is None:
                raise ApiError(errors.CENTER_NOT_FOUND)
            _require_scope(principal, centre)
            if not centre.active:
                raise ApiError(errors.CENTRE_INACTIVE)
            items.append((number, _plan_item(centre, rules.parse_session(row, centre, today, profile))))
        except ApiError as error:
            problems.append({"row": number, **error.body()})
    seen: dict[str, int] = {}
    for number, item in items:
        if item.session_id in seen:
            problems.append({"row": number, **ApiError(
                errors.DUPLICATE_SESSION, f"Same centre, date and vaccine as row {seen[item.session_id]}").body()})
        seen.setdefault(item.session_id, number)
    if not problems:
        taken = store.existing_active_sessions(list(seen))
        problems = [{"row": number, **ApiError(errors.DUPLICATE_SESSION).body()}
                    for number, item in items if item.session_id in taken]
    if not problems:
        problems = _beyond_stock(items, now, profile)
    if problems:
        raise ApiError(errors.PLAN_INVALID, extra={"rows": sorted(problems, key=lambda p: p["row"])})
    sessions = [item for _, item in items]
    if not store.create_sessions_all_or_none(sessions):
        raise ApiError(errors.PLAN_INVALID, "Another change to these sessions came first; nothing was saved")
    return {"created": len(sessions), "session_ids": [item.session_id for item in sessions]}


def _beyond_stock(items: list[tuple[int, SessionRecord]], now: int, profile: CountryProfile) -> list[dict]:
    """The plan's rows the stock expected at their centres cannot back (services/stock.py), centre by centre."""
    rows = {id(item): number for number, item in items}
    problems = []
    for center_id in sorted({int(item.center_id) for _, item in items}):
        at_centre = [item for _, item in items if int(item.center_id) == center_id]
        problems += [{"row": rows[id(item)], **error.body()}
                     for item, error in stock.check_within_stock(center_id, at_centre, now, profile)]
    return problems


def edit_capacity(principal: Principal, session_id: str, body: Mapping[str, Any], now: int,
                  profile: CountryProfile) -> dict:
    session = _session(session_id)
    _require_scope(principal, session)
    if session.status != "ACTIVE":
        raise ApiError(errors.SESSION_CANCELLED)
    if session.closed_at is not None:
        raise ApiError(errors.SESSION_CLOSED)
    dose1 = inputs.integer(body, "capacity_dose1")
    dose2 = inputs.integer(body, "capacity_dose2")
    vaccine = profile.vaccine(session.vaccine)
    if vaccine is None:
        raise ApiError(errors.UNKNOWN_VACCINE)
    precaution = rules.parse_precaution_capacity(body, vaccine, default=int(session.capacity_precaution))
    rules.check_capacity_edit((dose1, dose2, precaution), (int(session.booked_dose1), int(session.booked_dose2),
                                                           int(session.booked_precaution)))
    total = dose1 + dose2 + precaution
    booked = {slot.name: int(slot.booked) for slot in session.slots}
    if body.get("slots") is not None:
        slots = rules.parse_slots(body["slots"], total)
    elif total == sum(int(slot.capacity) for slot in session.slots):
        slots = tuple(rules.Slot(slot.name, int(slot.capacity)) for slot in session.slots)
    else:
        raise ApiError(errors.INVALID_CAPACITY, "The total changed: give the slots with their new capacities")
    rules.check_slot_edit(slots, booked)
    new_slots = tuple(SlotRecord(slot.name, slot.capacity, booked.get(slot.name, 0)) for slot in slots)
    edited = replace(session, capacity_dose1=dose1, capacity_dose2=dose2, capacity_precaution=precaution,
                     slots=new_slots)
    if rules.total_capacity(edited) > rules.total_capacity(session):  # less capacity never needs more stock
        stock.require_within_stock(int(session.center_id), [edited], now, profile)
    if not store.set_capacity(session, (dose1, dose2, precaution), new_slots):
        raise ApiError(errors.CAPACITY_BELOW_BOOKED, "Bookings changed meanwhile; look again and retry")
    return session_view(edited)


def cancel_session(principal: Principal, session_id: str, now: int) -> dict:
    """Cancel the session, then its bookings (each citizen told by SMS) and tell the allocated staff."""
    session = _session(session_id)
    _require_scope(principal, session)
    if session.closed_at is not None:
        raise ApiError(errors.SESSION_CLOSED, "This session is closed: it took place")
    if not store.cancel_session(session.session_id):
        raise ApiError(errors.SESSION_CANCELLED)
    cancelled = booking.cancel_for_session(session.session_id, now)
    logger.info("session cancelled", extra={"session_id": session.session_id, "appointments_cancelled": cancelled})
    for allocation in store.allocations_for_session(session.session_id):
        notify(allocation.mobile, messages.session_cancelled_for_staff(session.vaccine, session.name, session.date))
    return session_view(replace(session, status="CANCELLED"))


def allocate(principal: Principal, session_id: str, body: Mapping[str, Any], now: int,
             profile: CountryProfile) -> dict:
    session = _session(session_id)
    _require_scope(principal, session)
    if session.status != "ACTIVE":
        raise ApiError(errors.SESSION_CANCELLED)
    mobile = inputs.mobile(body, "mobile", profile.mobile_pattern)
    staff = staff_store.get_staff(mobile)
    roles = {role for role in staff.roles if role in SITE_STAFF} if staff is not None else set()
    if staff is None or not staff.active or not roles or staff.facility_id is None \
            or int(staff.facility_id) != int(session.center_id):
        raise ApiError(errors.NOT_FACILITY_STAFF)
    if store.allocate(session, mobile, sorted(roles)[0], principal.mobile, now):
            notify(mobile, messages.allocated(session.vaccine, session.name, session.address, session.date,
                                          session.opens, session.closes))
    return {"session_id": session.session_id, "mobile": mask_mobile(mobile), "role": sorted(roles)[0]}


def my_sessions(principal: Principal, now: int, profile: CountryProfile, days: int = 7) -> list[dict]:
    """A vaccinator's or verifier's allocated sessions from today on."""
    today = local_date(profile, now)
    allocations = list(store.allocations_of(principal.mobile, today.isoformat(),
                                            (today + timedelta(days=days - 1)).isoformat()))
    sessions = store.sessions_by_ids([a.session_id for a in allocations])
    roles = {a.session_id: a.role for a in allocations}
    return [{**session_view(s), "role": roles[s.session_id], "address": s.address, "from": s.opens, "to": s.closes}
            for s in sorted(sessions, key=lambda s: (s.date, int(s.center_id)))]

