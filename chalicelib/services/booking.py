"""Booking: schedule, reschedule and cancel appointments without ever overselling a session.

DynamoDB calls:
- schedule: 1 TransactGetItems (the session and every beneficiary, one consistent snapshot the rules
  need: limits, slots, capacity; age, dose history, ownership) + 1 TransactWriteItems (session
  counters, each beneficiary's dose lock, each appointment: all or none). Two round trips is the
  minimum: the rules need the current values, and the write must be one atomic unit. Then 1 Query
  of the mobile's slot alerts (at most a handful of items), to expire those the booking answers, and
  1 BatchWriteItem of the day-before reminder (a reschedule writes one too).
- reschedule: 1 Query (the appointment) + 1 TransactGetItems (old and new session, beneficiaries)
  + 1 TransactWriteItems.
- cancel: 1 Query (the appointment) + 1 GetItem (its session, for the slot) + 1 TransactWriteItems
  (again, from the Query, if a reschedule moved it meanwhile).
Each change queues one SMS; a failed SMS never undoes a booking.

An operator books and cancels for a citizen through these same use cases, as an `Agent`: only in
sessions of their area, their record and count joining the very transaction (no extra call), and the
SMS naming them (docs/assisted-registration.md).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.adapters.secrets import get_secrets
from chalicelib.config import MAX_DOSE_NUMBER, CountryProfile
from chalicelib.domain import assisted, captcha, errors, inputs, limits, messages, programmes
from chalicelib.domain import booking as rules
from chalicelib.domain.calendar import format_cowin_date, local_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.records import AppointmentRecord, BeneficiaryRecord, SessionRecord
from chalicelib.observability import logger, metrics
from chalicelib.services import alerts, idempotency, reminders
from chalicelib.services.outbox import notify
from chalicelib.store import auth as auth_store
from chalicelib.store import booking as store
from chalicelib.store import limits as limit_store
from chalicelib.store import planning as planning_store
from chalicelib.store.booking import BOOKED, Seat
from chalicelib.store.common import StoreError, Transaction, is_throttled

ATTEMPTS = 3  # a capacity edit racing a booking makes it re-read and try again


@dataclass(frozen=True)
class Agent:
    """Someone acting for the mobile's owner (an operator, see services/assisted.py): the sessions they
    may book and cancel in, what each booking or cancellation also writes in its own transaction (their
    record and their count for the day), and who the citizen's SMS names."""

    covers: Callable[[SessionRecord], bool]
    also: Callable[[str, list[AppointmentRecord]], Callable[[Transaction], None]]  # (action, the places)
    by: messages.Operator


class AgentRefused(Exception):
    """What the agent added refused the booking's or the cancellation's transaction (their day is full)."""


def _agents(failed: set[str]) -> bool:
    """Whether an item the agent added refused (any label but the booking's own)."""
    return any(label not in ("session", "old-session") and not label.startswith(("beneficiary:", "appointment:"))
               for label in failed)


def _within(agent: Agent | None, session: SessionRecord) -> None:
    if agent is not None and not agent.covers(session):
        raise ApiError(errors.OUT_OF_SCOPE)


def session_facts(session: SessionRecord) -> rules.SessionFacts:
    return rules.SessionFacts(
        date=date.fromisoformat(session.date), vaccine=session.vaccine, min_age_limit=int(session.min_age_limit),
        max_age_limit=None if session.max_age_limit is None else int(session.max_age_limit),
        allow_all_age=bool(session.allow_all_age), status=session.status,
        slots=tuple(slot.name for slot in session.slots),
        closed_at=None if session.closed_at is None else int(session.closed_at))


def beneficiary_facts(person: BeneficiaryRecord, holding: AppointmentRecord | None = None) -> rules.BeneficiaryFacts:
    """`holding`: the appointment being rescheduled, whose dose does not count as already booked."""
    numbers = range(1, MAX_DOSE_NUMBER + 1)
    booked = {dose for dose in numbers if getattr(person, f"appointment_dose{dose}") is not None}
    if holding is not None:
        booked.discard(int(holding.dose))
    dates = [getattr(person, f"dose{dose}_date") for dose in numbers][:int(person.doses_given)]
    return rules.BeneficiaryFacts(
        reference_id=person.beneficiary_reference_id, birth_year=int(person.birth_year),
        doses_given=int(person.doses_given), vaccine=person.vaccine,
        dose_dates=tuple(date.fromisoformat(day) for day in dates if day), booked_doses=frozenset(booked),
        occupation=person.occupation, comorbidity=person.comorbidity_ind == "Y")


def seat_kind(people: list[BeneficiaryRecord], dose: int, profile: CountryProfile) -> str:
    """The capacity a booking of `dose` for these people takes; one kind per appointment."""
    kinds = {programmes.seat_kind(dose, profile.vaccine(person.vaccine) if person.vaccine else None)
             for person in people}
    if len(kinds) > 1:
        raise ApiError(errors.MIXED_DOSE_KINDS)
    return kinds.pop()


def kind_of(appointment: AppointmentRecord) -> str:
    """The capacity a booked appointment holds."""
    return programmes.kind_of(int(appointment.dose), bool(appointment.precaution))


def _seat(session: SessionRecord, dose: int, kind: str, slot: str) -> Seat:
    index = next((i for i, s in enumerate(session.slots) if s.name == slot), None)
    if index is None:
        raise ApiError(errors.INVALID_SLOT)
    return Seat(session, dose, kind, index)


def _require_seats(seat: Seat, count: int) -> None:
    capacity = int(getattr(seat.session, f"capacity_{seat.kind}"))
    booked = int(getattr(seat.session, f"booked_{seat.kind}"))
    if rules.seats_left(capacity, booked, int(seat.slot.capacity), int(seat.slot.booked)) < count:
        raise ApiError(errors.FULLY_BOOKED)


def _summary(appointment_id: str, seat: Seat) -> dict:
    session = seat.session
    return {"appointment_id": appointment_id, "session_id": session.session_id, "center_id": int(session.center_id),
            "name": session.name, "block_name": session.block_name, "state_id": int(session.state_id),
            "district_id": int(session.district_id), "from": session.opens, "to": session.closes,
            "dose": seat.dose, "date": session.date, "slot": seat.slot.name}


def _owned_people(people: list[BeneficiaryRecord | None], mobile: str) -> list[BeneficiaryRecord]:
    owned = [person for person in people if person is not None and person.mobile == mobile]
    if len(owned) != len(people):
        raise ApiError(errors.BENEFICIARY_NOT_FOUND)
    return owned


def _check_people(people: list[BeneficiaryRecord], session: SessionRecord, dose: int, profile: CountryProfile,
                  holding: dict[str, AppointmentRecord] | None = None) -> None:
    facts = session_facts(session)
    for person in people:
        if profile.id_verification_required_for_booking and not person.id_verified:
            raise ApiError(errors.ID_VERIFICATION_NEEDED)
        held = (holding or {}).get(person.beneficiary_reference_id)
        rules.check_eligible(beneficiary_facts(person, held), facts, dose, profile)


def _where(seat: Seat) -> messages.Place:
    return messages.Place(seat.session.name, seat.session.address, format_cowin_date(seat.session.date),
                          seat.slot.name)


def _stop_waiting(mobile: str, reference_ids: list[str], dose: int, now: int) -> None:
    """The booked people's slot alerts for this dose expire; a failure here never undoes the booking
    (the alert then lapses by its own date)."""
    try:
        alerts.booked(mobile, reference_ids, dose, now)
    except Exception:
        metrics.add_metric(name="AlertsNotExpired", unit="Count", value=1)
        logger.exception("slot alerts of a booking could not be expired", extra={"mobile": mask_mobile(mobile)})


def attempt(operation: str, mobile: str, key: str | None, body: Any, now: int, profile: CountryProfile,
            work: Callable[[], dict], lambda_context: Any = None) -> dict:
    """Every booking attempt (schedule, reschedule, cancel) counts against the mobile's window, replays
    included; then `work` runs once per Idempotency-Key (when the client sends one)."""
    window = limits.window(limits.Limit("booking", profile.booking_attempts_per_window,
                                        profile.booking_window_seconds), mobile, now)
    if not limit_store.hit(window):
        metrics.add_metric(name="BookingRateLimited", unit="Count", value=1)
        raise limits.refused(window, now)
    return idempotency.once(operation, mobile, key, body, work, lambda_context)


CAPTCHA_VALID_SECONDS = 300


def new_captcha(mobile: str, now: int) -> str:
    """A fresh captcha for the mobile (replacing any earlier one); returns its SVG."""
    text = captcha.new_text()
    auth_store.save_captcha(mobile, captcha.digest(get_secrets().otp_pepper, mobile, text), now + CAPTCHA_VALID_SECONDS)
    return captcha.svg(text)


def check_captcha(mobile: str, body: Mapping[str, Any], now: int, profile: CountryProfile) -> None:
    """When the country requires it, the typed captcha must match the mobile's latest one; any guess
    uses it up, right or wrong."""
    if not profile.captcha_required:
        return
    answer = body.get("captcha")
    if not isinstance(answer, str) or not answer.strip() or not captcha.accepted(
            get_secrets().otp_pepper, mobile, answer, auth_store.take_captcha(mobile), now):
        raise ApiError(errors.INVALID_CAPTCHA)


def security_code_of(appointment_id: str) -> str:
    """The appointment's door code: derived, never stored (see `domain.booking.security_code`)."""
    return rules.security_code(get_secrets().otp_pepper, appointment_id)


class Overloaded(Exception):
    """DynamoDB throttled the booking: the caller may queue it instead (surge mode)."""


def schedule(mobile: str, body: Mapping[str, Any], now: int, profile: CountryProfile,
             appointment_id: str | None = None, agent: Agent | None = None) -> str:
    """Book a session's slot for 1-4 beneficiaries of `mobile`; returns the appointment id.
    `appointment_id` is given by the surge worker, so that a repeated delivery books at most once;
    `agent`, by an operator booking for the mobile's owner."""
    try:
        return _schedule(mobile, body, now, profile, appointment_id, agent)
    except StoreError as error:
        if is_throttled(error):
            metrics.add_metric(name="BookingThrottled", unit="Count", value=1)
            raise Overloaded from error
        logger.exception("booking failed in DynamoDB", extra={"mobile": mask_mobile(mobile)})
        raise ApiError(errors.BOOKING_BUSY) from None


def _schedule(mobile: str, body: Mapping[str, Any], now: int, profile: CountryProfile,
              appointment_id: str | None, agent: Agent | None) -> str:
    request = rules.parse_schedule(body, profile)
    appointment_id = appointment_id or str(uuid.uuid4())
    code = security_code_of(appointment_id)
    for _ in range(ATTEMPTS):
        [session], people = store.read_for_booking([request.session_id], request.beneficiaries)
        if session is None or request.center_id not in (None, int(session.center_id)):
            raise ApiError(errors.BOOKING_SESSION_NOT_FOUND)
        _within(agent, session)
        people = _owned_people(people, mobile)
        rules.check_session(session_facts(session), request.slot, local_date(profile, now))
        _check_people(people, session, request.dose, profile)
        seat = _seat(session, request.dose, seat_kind(people, request.dose, profile), request.slot)
        _require_seats(seat, len(people))
        items = store.new_appointments(appointment_id, [person.beneficiary_reference_id for person in people], mobile,
                                       seat, now)
        try:
            failed = store.book(seat, items, _summary(appointment_id, seat),
                                None if agent is None else agent.also(assisted.BOOK, items))
        except StoreError as error:
            # The answer was lost (a timeout): the write may still have landed. Only the item can tell.
            if is_throttled(error) or not store.appointment(appointment_id):
                raise
            failed = None
        if failed is None:
            metrics.add_metric(name="Booked", unit="Count", value=len(items))
            notify(mobile, messages.booked(appointment_id, request.dose, len(items), _where(seat), code,
                                           None if agent is None else agent.by))
            _stop_waiting(mobile, [item.beneficiary_reference_id for item in items], request.dose, now)
            reminders.for_appointment(appointment_id, mobile, _where(seat), seat.session.date, now, profile)
            return appointment_id
        if any(label.startswith("appointment:") for label in failed) and store.appointment(appointment_id):
            return appointment_id  # this very appointment was already booked (a redelivered request)
        if any(label.startswith("beneficiary:") for label in failed):
            raise ApiError(errors.ALREADY_BOOKED)
        if _agents(failed):
            raise AgentRefused
        # The session refused: it filled up, was cancelled or was edited meanwhile. Look again.
    raise ApiError(errors.FULLY_BOOKED)


def _active(mobile: str, appointment_id: str) -> list[AppointmentRecord]:
    items = [item for item in store.appointment(appointment_id) if item.mobile == mobile] if appointment_id else []
    if not items:
        raise ApiError(errors.APPOINTMENT_NOT_FOUND)
    return items


def reschedule(mobile: str, body: Mapping[str, Any], now: int, profile: CountryProfile) -> None:
    appointment_id = inputs.text(body, "appointment_id", max_length=64)
    new_session_id = inputs.text(body, "session_id", max_length=64)
    slot = inputs.text(body, "slot", max_length=40).upper()
    items = [item for item in _active(mobile, appointment_id) if item.status == BOOKED]
    if not items:
        raise ApiError(errors.NOT_CANCELLABLE, "Nothing is left to reschedule in this appointment")
    if max(int(item.reschedules) for item in items) >= profile.reschedule_limit:
        raise ApiError(errors.RESCHEDULE_LIMIT, f"An appointment can be rescheduled at most "
                                                f"{profile.reschedule_limit} times")
    old_session_id, dose = items[0].session_id, int(items[0].dose)
    today = local_date(profile, now)
    for _ in range(ATTEMPTS):
        session_ids = list(dict.fromkeys([old_session_id, new_session_id]))
        sessions, people = store.read_for_booking(session_ids, [item.beneficiary_reference_id for item in items])
        old, new = sessions[0], sessions[-1]
        if new is None:
            raise ApiError(errors.BOOKING_SESSION_NOT_FOUND)
        if date.fromisoformat(old.date) < today:
            raise ApiError(errors.NOT_CANCELLABLE, "The appointment's date has passed")
        rules.check_session(session_facts(new), slot, today)
        kind = kind_of(items[0])
        old_seat, new_seat = _seat(old, dose, kind, items[0].slot), _seat(new, dose, kind, slot)
        if old_seat.session.session_id == new_seat.session.session_id and old_seat.slot_index == new_seat.slot_index:
            return  # already there
        _check_people(_owned_people(people, mobile), new, dose, profile,
                      {item.beneficiary_reference_id: item for item in items})
        _require_seats(new_seat, len(items))
        failed = store.move(old_seat, new_seat, items, _summary(appointment_id, new_seat), profile.reschedule_limit,
                            now)
        if failed is None:
            notify(mobile, messages.rescheduled(appointment_id, _where(new_seat)))
            reminders.for_appointment(appointment_id, mobile, _where(new_seat), new_seat.session.date, now,
                                      profile)
            return
        if any(label.startswith(("appointment:", "beneficiary:")) for label in failed):
            raise ApiError(errors.NOT_CANCELLABLE, "The appointment changed meanwhile; look again")
    raise ApiError(errors.FULLY_BOOKED)


def cancel(mobile: str, body: Mapping[str, Any], now: int, profile: CountryProfile,
           agent: Agent | None = None) -> None:
    """Cancel some of an appointment's places; `agent`: by an operator, for the mobile's owner."""
    appointment_id = inputs.text(body, "appointment_id", max_length=64)
    chosen = set(rules.reference_ids(body.get("beneficiariesToCancel"), profile, "beneficiariesToCancel"))
    for _ in range(ATTEMPTS):
        items = [item for item in _active(mobile, appointment_id) if item.beneficiary_reference_id in chosen]
        if len(items) != len(chosen):
            raise ApiError(errors.BENEFICIARY_NOT_FOUND, "A beneficiary to cancel is not in this appointment")
        if any(item.status != BOOKED for item in items):
            raise ApiError(errors.NOT_CANCELLABLE)
        if date.fromisoformat(items[0].date) < local_date(profile, now):
            raise ApiError(errors.NOT_CANCELLABLE, "The appointment's date has passed")
        session = planning_store.get_session(items[0].session_id, consistent=True)
        if session is None:  # sessions are cancelled, never deleted
            raise ApiError(errors.BOOKING_SESSION_NOT_FOUND)
        _within(agent, session)
        reason = "cancelled by the citizen" if agent is None else "cancelled by an operator for the citizen"
        failed = store.cancel(_seat(session, int(items[0].dose), kind_of(items[0]), items[0].slot), items, reason,
                              now, None if agent is None else agent.also(assisted.CANCEL, items))
        if failed is None:
            metrics.add_metric(name="Cancelled", unit="Count", value=len(items))
            notify(mobile, messages.cancelled(appointment_id, len(items), None if agent is None else agent.by))
            return
        if _agents(failed):
            raise AgentRefused
        # Moved (a reschedule) or its slot edited meanwhile: read it again and cancel it where it is now.
    raise ApiError(errors.NOT_CANCELLABLE, "The appointment changed meanwhile; look again")


def cancel_for_session(session_id: str, now: int) -> int:
    """A cancelled session's bookings: each cancelled, its seats given back and its dose lock freed,
    each mobile told once. Returns how many places were cancelled."""
    session = planning_store.get_session(session_id, consistent=True)  # its slots as they stand, now frozen
    if session is None:
        return 0
    places: dict[tuple[str, str], list[AppointmentRecord]] = {}
    for item in store.for_session(session.session_id):
        if item.status == BOOKED:
            places.setdefault((item.appointment_id, item.slot), []).append(item)
    told: set[str] = set()
    cancelled = 0
    for (appointment_id, slot), items in places.items():
        seat = _seat(session, int(items[0].dose), kind_of(items[0]), slot)
        if store.cancel(seat, items, "session cancelled", now) is None:
            cancelled += len(items)
        else:  # someone cancelled or moved part of it meanwhile: the rest, one by one
            cancelled += sum(store.cancel(seat, [item], "session cancelled", now) is None for item in items)
        mobile = items[0].mobile
        if mobile not in told:
            told.add(mobile)
            notify(mobile, messages.session_cancelled_for_citizen(session.name, session.date, appointment_id))
    return cancelled
