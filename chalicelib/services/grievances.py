"""Grievances, CoWIN's "Raise an Issue" (docs/grievances.md): a citizen raises an issue about a member
of their account; an area admin whose area holds it reviews it, then resolves it (which applies the
repair, in the same transaction as the ticket's move) or rejects it with a reason. The citizen is
texted at every step.

Repairs never edit or delete a dose record (domain/dose_history.py): a dose's facts are superseded by a
correction; a dose that was not the person's is voided and recorded again, as a copy, on whoever
received it; each changed certificate is issued again (the old one revoked as superseded) and a
certificate left without its dose is revoked in the repair's transaction.

DynamoDB calls (each read is the repair's own question of the records; tests/api/test_dynamodb_calls.py):
- raise: GetItem (the member, on the caller's mobile) + what the kind asks now of the records (a dose's:
  Query of the doses and of the certificate slots, per person; a merge's: GetItem of the other
  registration; a transfer's consent: UpdateItem x2, as a login) + TransactWriteItems (ticket, its first
  event, the mobile's open count, the member's mark) + the SMS on the queue;
- transfer consent: the OTP's TransactWriteItems + GetItem (language), as a login's;
- a ticket: Query (ticket + history); my tickets: Query (by-mobile); a district's: Query (by-district);
- review or reject: Query + TransactWriteItems (ticket, event, [count, mark]);
- resolve: Query + GetItem (the member, still on the mobile) + the kind's reads, as when raised, + one
  TransactWriteItems (ticket, event, count, mark and the repair's items).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.secrets import get_secrets
from chalicelib.config import CountryProfile, Settings
from chalicelib.domain import errors, identity, inputs, messages
from chalicelib.domain import grievances as rules
from chalicelib.domain import international as international_rules
from chalicelib.domain.calendar import local_date
from chalicelib.domain.dose_history import (
    Change,
    Standing,
    in_order,
    is_precaution_place,
    restated,
    series_problem,
    standing,
)
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile, mask_passport
from chalicelib.domain.records import BeneficiaryRecord, DoseRecord, GrievanceEventRecord, GrievanceRecord
from chalicelib.domain.roles import AREA_ADMINS, Principal
from chalicelib.observability import logger, metrics
from chalicelib.services import auth, locker, registration, views
from chalicelib.services.metadata import district_states
from chalicelib.services.outbox import notify, request_certificates
from chalicelib.store import certificates as certificate_store
from chalicelib.store import grievances as store
from chalicelib.store import locker as locker_store
from chalicelib.store import registration as people
from chalicelib.store import vaccination as doses
from chalicelib.store.common import Transaction

LIST_LIMIT = 100  # the newest tickets a list shows: a district's week of issues at a busy time


# -- citizens ------------------------------------------------------------------------------------------

def request_transfer_consent(principal: Principal, body: Mapping[str, Any], now: int, settings: Settings) -> dict:
    """Text the mobile a member is to move to an OTP naming the member; its owner tells the citizen the
    code if they agree, and the citizen raises the transfer with it."""
    profile = settings.country
    person = registration.owned(principal.mobile, rules.parse_member(body, "beneficiary_reference_id", profile))
    to_mobile = inputs.mobile(body, "to_mobile", profile.mobile_pattern)
    if to_mobile == principal.mobile:
        raise ApiError(errors.INVALID_INPUT, "to_mobile must be another mobile number")
    return {"txnId": auth.logins(settings).request_grievance_consent(
        rules.TRANSFER, principal.mobile, person.beneficiary_reference_id, to_mobile, now)}


def request_merge_consent(principal: Principal, body: Mapping[str, Any], now: int, settings: Settings) -> dict:
    """Text the mobile of the other registration to merge an OTP naming it; its owner (the same person,
    on their other mobile) tells the citizen the code. The answer is the same whether or not that
    registration exists or is on another mobile: nothing is learnt of a stranger's id."""
    profile = settings.country
    registration.owned(principal.mobile, rules.parse_member(body, "beneficiary_reference_id", profile))
    other_id = rules.parse_member(body, "other_reference_id", profile)
    other = people.get(other_id)
    if other is None or other.mobile == principal.mobile:  # none, or on this mobile: no consent to ask
        return {"txnId": str(uuid.uuid4())}
    return {"txnId": auth.logins(settings).request_grievance_consent(rules.MERGE, principal.mobile, other_id,
                                                                     other.mobile, now)}


def raise_issue(principal: Principal, body: Mapping[str, Any], consent: Callable[[], tuple[str, str]] | None,
                now: int, settings: Settings) -> dict:
    """Open a ticket about a member of the caller's account; a transfer carries the consent the other
    mobile gave (`consent` reads it: the transaction id and the OTP's SHA-256, as a login sends them)."""
    profile = settings.country
    issue = rules.parse_issue(body, profile, local_date(profile, now))
    person = registration.owned(principal.mobile, issue.beneficiary_reference_id)
    details = dict(issue.details)
    read: dict[str, BeneficiaryRecord | None] = {}  # the other people the checks read, for the preview
    if issue.kind == rules.TRANSFER:
        _consented(consent, rules.TRANSFER, principal, person.beneficiary_reference_id, details["to_mobile"], now,
                   settings)
    elif issue.kind == rules.MERGE:
        other = read[details["other_reference_id"]] = people.get(details["other_reference_id"])
        if other is None or other.mobile != principal.mobile:  # another mobile's registration: its consent
            _consented(consent, rules.MERGE, principal, details["other_reference_id"],
                       other.mobile if other else None, now, settings)
    elif issue.kind == rules.PASSPORT:
        details.update(_passport(person, body, profile, now))
    elif issue.kind == rules.WRONG_PERSON and "recipient_reference_id" in details:
        recipient_id = details["recipient_reference_id"]
        read[recipient_id] = registration.owned(principal.mobile, recipient_id)
    ticket = store.new_ticket(issue.kind, principal.mobile, person.beneficiary_reference_id,
                              *_area(person, issue, profile), now, details, issue.description, rules.OPEN)
    # Whether the repair can be made at all is told now, not after days in a queue; the officer's
    # resolution asks again of the records as they are then.
    _repair(ticket, rules.Decision(rules.RESOLVE), principal.mobile, now, profile, preview=person, read=read)
    failed = store.open_ticket(ticket, profile.grievances_open_per_mobile)
    if failed:
        if store.LIMIT_LABEL in failed:
            raise ApiError(errors.GRIEVANCES_OPEN_LIMIT)
        if store.MEMBER_LABEL in failed:
            raise ApiError(errors.GRIEVANCE_OPEN_FOR_MEMBER)
        raise ApiError(errors.GRIEVANCE_BUSY)
    metrics.add_metric(name="GrievanceRaised", unit="Count", value=1)
    notify(principal.mobile, messages.grievance_moved(ticket.ticket_id, rules.OPEN, rules.KINDS[ticket.kind], ""))
    return view(ticket, [], profile)


def _consented(consent: Callable[[], tuple[str, str]] | None, kind: str, principal: Principal, reference_id: str,
               mobile: str | None, now: int, settings: Settings) -> None:
    """The other mobile's owner gave the code for this issue (kind, citizen, registration), from `mobile`;
    every refusal is a login's (USRAUT0014)."""
    if consent is None:
        raise ApiError(errors.OTP_REQUIRED)
    consented = auth.logins(settings).confirm_grievance_consent(*consent(), kind, principal.mobile, reference_id,
                                                                now)
    if mobile is None or consented != mobile:
        raise ApiError(errors.INVALID_OTP)


def _passport(person: BeneficiaryRecord, body: Mapping[str, Any], profile: CountryProfile, now: int) -> dict:
    if person.passport_number:
        raise ApiError(errors.TRAVEL_DETAILS_ADDED)
    details = international_rules.parse_travel_details(body, profile, person.name, int(person.birth_year),
                                                       local_date(profile, now))
    return {"passport_number": details.passport_number, "birth_date": details.birth_date,
            "surname": details.surname}


def _area(person: BeneficiaryRecord, issue: rules.Issue, profile: CountryProfile) -> tuple[int, int]:
    """Where the issue is handled: the centre of the dose it is about, else of the member's latest dose,
    else the district the citizen names."""
    places = person.dose_places
    number = issue.details.get("dose") or (max(int(n) for n in places) if places else None)
    place = places.get(str(number)) if number else None
    if place is not None:
        return int(place["state_id"]), int(place["district_id"])
    if issue.kind in (rules.DOSE_DETAILS, rules.WRONG_PERSON):
        raise ApiError(errors.DOSE_NOT_FOUND)
    state_id = district_states(profile).get(issue.district_id) if issue.district_id else None
    if state_id is None or issue.district_id is None:
        raise ApiError(errors.GRIEVANCE_NO_AREA)
    return state_id, issue.district_id


def mine(principal: Principal, profile: CountryProfile) -> dict:
    tickets = store.raised_by(principal.mobile, LIST_LIMIT)
    return {"grievances": [view(ticket, None, profile) for ticket in tickets]}


def one(principal: Principal, ticket_id: str, profile: CountryProfile) -> dict:
    ticket, history = _readable(principal, ticket_id)
    return view(ticket, history, profile)


def _readable(principal: Principal, ticket_id: str) -> tuple[GrievanceRecord, list[GrievanceEventRecord]]:
    """The ticket, for the citizen who raised it or an area admin whose area holds it; the same 404 for
    every other caller and for no such ticket."""
    try:
        ticket_id = str(uuid.UUID(ticket_id))
    except ValueError:
        raise ApiError(errors.GRIEVANCE_NOT_FOUND) from None
    ticket, history = store.ticket_with_history(ticket_id)
    if ticket is None or not (ticket.raised_by == principal.mobile or _handles(principal, ticket)):
        raise ApiError(errors.GRIEVANCE_NOT_FOUND)
    return ticket, history


def _handles(principal: Principal, ticket: GrievanceRecord) -> bool:
    return principal.has_any(AREA_ADMINS) and principal.covers(state_id=int(ticket.state_id),
                                                                district_id=int(ticket.district_id))


# -- officers ------------------------------------------------------------------------------------------

def in_area(principal: Principal, query: Mapping[str, str], profile: CountryProfile) -> dict:
    """An area's tickets (newest first), of one status if asked: a district admin's own district, or
    the district a state or national admin names."""
    raw = query.get("district_id") or (str(principal.scope.district_id) if principal.scope.district_id else "")
    if not raw:
        raise ApiError(errors.INPUT_MISSING, "Input parameter missing: district_id")
    district_id = inputs.integer({"district_id": raw}, "district_id", 1, 10**6)
    state_id = district_states(profile).get(district_id)
    if state_id is None or not principal.covers(state_id=state_id, district_id=district_id):
        raise ApiError(errors.OUT_OF_SCOPE)
    status = query.get("status") or None
    if status is not None and status not in (rules.OPEN, rules.IN_REVIEW, *rules.CLOSED):
        raise ApiError(errors.INVALID_INPUT, "status must be open, in_review, resolved or rejected")
    tickets = store.in_district(district_id, LIST_LIMIT, status)
    return {"grievances": [view(ticket, None, profile) for ticket in tickets]}


def act(principal: Principal, ticket_id: str, action: str, body: Mapping[str, Any], now: int,
        settings: Settings) -> dict:
    """An officer's move of a ticket: review, resolve (applying its repair) or reject."""
    profile = settings.country
    decision = rules.parse_decision(action, body, profile)
    ticket, _ = _readable(principal, ticket_id)
    if not _handles(principal, ticket):
        raise ApiError(errors.GRIEVANCE_NOT_FOUND)
    if ticket.raised_by == principal.mobile:  # staff are citizens too: another officer handles their issue
        raise ApiError(errors.GRIEVANCE_OWN)
    status = rules.next_status(ticket.status, action)
    repair = _repair(ticket, decision, principal.mobile, now, profile) if action == rules.RESOLVE else None
    moved, failed = store.move(ticket, status, principal.mobile, decision.note, now,
                               repair.build if repair else None)
    if failed:
        if store.TICKET_LABEL in failed or store.CONFLICT in failed:
            raise ApiError(errors.GRIEVANCE_STATE, "Someone moved this issue meanwhile: look at it again")
        logger.info("grievance repair refused", extra={"labels": sorted(failed)})
        if ticket.kind == rules.PASSPORT and "claim" in failed:  # another person's, registered meanwhile
            raise ApiError(errors.DUPLICATE_ID, "This passport is already registered; one passport can belong to "
                                                "one person only")
        if "new account" in failed:
            raise ApiError(errors.BENEFICIARY_LIMIT, "The mobile the member moves to has as many beneficiaries as "
                                                     "it may")
        raise ApiError(errors.GRIEVANCE_BUSY)
    if status == rules.RESOLVED:
        metrics.add_metric(name="GrievanceResolved", unit="Count", value=1)
    elif status == rules.REJECTED:
        metrics.add_metric(name="GrievanceRejected", unit="Count", value=1)
    notify(ticket.raised_by, messages.grievance_moved(ticket.ticket_id, status, "", decision.note))
    if repair is not None:
        for reference_id, numbers in repair.certificates:
            request_certificates(reference_id, numbers)
        for reference_id, number in repair.withdrawn:
            locker.certificate_changed(reference_id, number, profile)
        for mobile, text in repair.texts:
            notify(mobile, text)
    return view(moved, None, profile)


# -- repairs -------------------------------------------------------------------------------------------

@dataclass
class Repair:
    """What resolving a ticket writes (in the ticket's own transaction), then which certificates to ask
    for at once (the sweep would find them too) and whom else to text."""

    parts: list[Callable[[Transaction], None]] = field(default_factory=list)
    certificates: list[tuple[str, list[int]]] = field(default_factory=list)
    texts: list[tuple[str, messages.Sms]] = field(default_factory=list)
    withdrawn: list[tuple[str, int]] = field(default_factory=list)  # doses left without a certificate

    def build(self, transaction: Transaction) -> None:
        for part in self.parts:
            part(transaction)


def _refuse(why: str) -> ApiError:
    return ApiError(errors.GRIEVANCE_NOT_REPAIRABLE, f"This repair cannot be made: {why}")


def _member(reference_id: str, mobile: str) -> BeneficiaryRecord:
    person = people.get(reference_id)
    if person is None or person.mobile != mobile:
        raise _refuse("the member is no longer on the account that raised the issue")
    return person


def _unbooked(person: BeneficiaryRecord) -> BeneficiaryRecord:
    """A person a repair may change: one with an open appointment keeps it until it is cancelled (the
    repair's transaction asks again)."""
    if any((person.appointment_dose1, person.appointment_dose2, person.appointment_dose3)):
        raise _refuse(f"beneficiary ****{person.beneficiary_reference_id[-4:]} has an open appointment: "
                      "cancel it first")
    return person


def _repair(ticket: GrievanceRecord, decision: rules.Decision, officer: str, now: int, profile: CountryProfile,
            preview: BeneficiaryRecord | None = None,
            read: Mapping[str, BeneficiaryRecord | None] | None = None) -> Repair:
    """The repair a ticket asks for, from the records as they are now; refused (409) with the reason
    when it cannot be made. `preview`: the member just read, when the ticket is being raised (nothing
    is written then), with the other people its checks `read` (by reference id)."""
    person = preview or _member(ticket.beneficiary_reference_id, ticket.raised_by)
    resolving = preview is None  # an appointment opened meanwhile is asked of when resolving, not raising
    if resolving and ticket.kind != rules.PASSPORT:
        _unbooked(person)
    details, kind, repair = ticket.details, ticket.kind, Repair()
    reason = f"grievance {ticket.ticket_id}: {rules.KINDS[kind]}"
    if kind == rules.PASSPORT:
        if person.passport_number:
            raise _refuse("the member's passport details were added meanwhile")
        claim = identity.claim_key(get_secrets().id_hmac_key, profile.passport_id_type, details["passport_number"])
        repair.parts.append(people.travel_details(
            person, details["passport_number"], claim, details["birth_date"], details["surname"],
            mask_passport(details["passport_number"]), officer, now))
        repair.certificates.append((person.beneficiary_reference_id, list(range(1, int(person.doses_given) + 1))))
    elif kind in (rules.TRANSFER, rules.UNKNOWN_MEMBER):
        _move_or_remove(person, kind, details, decision, officer, now, profile, repair, preview is not None)
    elif kind == rules.DOSE_DETAILS:
        _correct_dose(person, details, officer, now, profile, reason, repair)
    else:  # MERGE, WRONG_PERSON: doses change hands
        _hand_over(person, ticket, officer, now, profile, reason, repair, resolving, read or {})
    return repair


def _move_or_remove(person: BeneficiaryRecord, kind: str, details: Mapping[str, Any], decision: rules.Decision,
                    officer: str, now: int, profile: CountryProfile, repair: Repair, preview: bool) -> None:
    """A transfer moves the member to the mobile that consented; an unknown member leaves the account:
    removed if never vaccinated, else moved to where the officer found them."""
    reference_id = person.beneficiary_reference_id
    if kind == rules.UNKNOWN_MEMBER and int(person.doses_given) == 0:
        def remove(transaction: Transaction) -> None:
            people.removal(transaction, person)
            locker_store.unlinking(transaction, reference_id)

        repair.parts.append(remove)
        return
    to_mobile = details["to_mobile"] if kind == rules.TRANSFER else decision.to_mobile
    if to_mobile is None:
        if preview:
            return
        raise _refuse("this member holds doses: resolve it with the mobile they can be reached at (to_mobile), "
                      "or reject it")
    if to_mobile == person.mobile:
        raise _refuse("the member is on that mobile already")
    slots = certificate_store.slots(reference_id)

    def move(transaction: Transaction) -> None:
        people.moving(transaction, person, to_mobile, profile.max_beneficiaries_per_mobile, officer, now)
        certificate_store.rehome(transaction, slots, to_mobile)
        locker_store.unlinking(transaction, reference_id)

    repair.parts.append(move)
    repair.texts.append((to_mobile, messages.member_moved_here(reference_id)))


def _facts(history: list[Standing], profile: CountryProfile) -> list[DoseRecord]:
    """Each number's dose as it now stands (its record's place, its current facts), as the person's
    item summarises them."""
    return [replace(dose.record, vaccine=dose.current.vaccine, batch=dose.current.batch,
                    given_at=int(dose.current.given_at), given_on=dose.current.given_on,
                    precaution=is_precaution_place(number, history, profile))
            for number, dose in enumerate(history, start=1)]


def _history(person: BeneficiaryRecord) -> tuple[list[Standing], list]:
    """A person's doses in order, and their certificate slots: one Query each."""
    return in_order(standing(doses.history(person.beneficiary_reference_id)).values()), \
        certificate_store.slots(person.beneficiary_reference_id)


def _check(history: list[Standing], whose: str, profile: CountryProfile) -> None:
    problem = series_problem(history, profile)
    if problem:
        raise _refuse(f"{whose} history would not be a series: {problem}")


def _restate(person: BeneficiaryRecord, before: list[Standing], after: list[Standing], slots: list, *, reason: str,
             officer: str, now: int, profile: CountryProfile, repair: Repair, corrections: tuple = (),
             removes_person: bool = False) -> None:
    changes: list[Change] = restated(before, after)
    if not changes and not corrections:
        return
    repair.parts.append(doses.restatement(
        person, len(before), changes, _facts(after, profile), slots, reason=reason, actor=officer, now=now,
        corrections=corrections, removes_person=removes_person))
    first = min([c.dose for c in changes] + [int(fix.dose) for fix in corrections])
    repair.certificates.append((person.beneficiary_reference_id, list(range(first, len(after) + 1))))
    repair.withdrawn += [(person.beneficiary_reference_id, int(slot.dose)) for slot in slots
                         if int(slot.dose) > len(after) and slot.issued_id]


def _correct_dose(person: BeneficiaryRecord, details: Mapping[str, Any], officer: str, now: int,
                  profile: CountryProfile, reason: str, repair: Repair) -> None:
    """A dose's vaccine, date or batch as it should read: a correction supersedes them; a new date that
    changes the doses' order renumbers them (each moved dose voided and recorded again at its number)."""
    before, slots = _history(person)
    number = int(details["dose"])
    if number > len(before):
        raise _refuse(f"the member has no dose {number}")
    target = before[number - 1]
    given_on = details.get("date", target.current.given_on)
    shift = (date.fromisoformat(given_on) - date.fromisoformat(target.current.given_on)).days
    corrected = doses.new_correction(target.record, target.current, reason=reason, recorded_by=officer, now=now,
                                     vaccine=details.get("vaccine"), batch=details.get("batch"), given_on=given_on,
                                     given_at=_same_time(int(target.current.given_at), shift, profile))
    after = in_order([Standing(d.record, corrected) if d is target else d for d in before])
    _check(after, "the member's", profile)
    same_order = [d.record.record_id for d in after] == [d.record.record_id for d in before]
    if same_order:
        after = [Standing(d.record, corrected, (*d.corrections, corrected)) if d is target else d for d in after]
    _restate(person, before, after, slots, reason=reason, officer=officer, now=now, profile=profile, repair=repair,
             corrections=(corrected,) if same_order else ())


def _same_time(given_at: int, days: int, profile: CountryProfile) -> int:
    """The moment `days` later at the same local time of day (a corrected date keeps the time)."""
    zone = ZoneInfo(profile.time_zone)
    moment = datetime.fromtimestamp(given_at, zone)
    return int(datetime.combine(moment.date() + timedelta(days=days), time(moment.hour, moment.minute, moment.second),
                                zone).timestamp())


def _hand_over(person: BeneficiaryRecord, ticket: GrievanceRecord, officer: str, now: int,
               profile: CountryProfile, reason: str, repair: Repair, resolving: bool,
               read: Mapping[str, BeneficiaryRecord | None]) -> None:
    """A merge: the other registration's doses join the member's history (in the order given) and it is
    removed. A wrong person: the dose leaves the member's history for the recipient's (or nobody's).
    `read`: the other people already read (when raising); resolving reads them now."""
    details = ticket.details
    before, slots = _history(person)
    if ticket.kind == rules.MERGE:
        other_id = str(details["other_reference_id"])
        other = read[other_id] if other_id in read else people.get(other_id)
        if other is None or not rules.same_person(person, other):
            raise _refuse("no registration of the same person (name, birth year and gender) has that id")
        if resolving:
            _unbooked(other)
        other_before, other_slots = _history(other)
        if not other_before or not before:
            raise _refuse("a merge joins two registrations that each hold doses")
        after = in_order([*before, *other_before])
        _check(after, "the merged", profile)
        _restate(person, before, after, slots, reason=reason, officer=officer, now=now, profile=profile, repair=repair)
        _restate(other, other_before, [], other_slots, reason=reason, officer=officer, now=now, profile=profile,
                 repair=repair, removes_person=True)
        repair.texts.append((other.mobile, messages.member_merged(other.beneficiary_reference_id,
                                                                   person.beneficiary_reference_id)))
        return
    number = int(details["dose"])
    if number > len(before):
        raise _refuse(f"the member has no dose {number}")
    moving = before[number - 1]
    remaining = [d for d in before if d is not moving]
    _check(remaining, "the member's", profile)
    recipient_id = details.get("recipient_reference_id")
    if recipient_id:
        recipient = read.get(str(recipient_id)) or _member(str(recipient_id), ticket.raised_by)
        if resolving:
            _unbooked(recipient)
        recipient_before, recipient_slots = _history(recipient)
        received = in_order([*recipient_before, moving])
        _check(received, "the recipient's", profile)
        _restate(recipient, recipient_before, received, recipient_slots, reason=reason, officer=officer, now=now,
                 profile=profile, repair=repair)
    _restate(person, before, remaining, slots, reason=reason, officer=officer, now=now, profile=profile,
             repair=repair)


# -- views ---------------------------------------------------------------------------------------------

def view(ticket: GrievanceRecord, history: list[GrievanceEventRecord] | None, profile: CountryProfile) -> dict:
    """A ticket as its citizen and its officers see it (mobiles and passports masked); with its history
    when read alone."""
    details = dict(ticket.details)
    if "to_mobile" in details:
        details["to_mobile"] = mask_mobile(str(details["to_mobile"]))
    if "passport_number" in details:
        details["passport_number"] = mask_passport(str(details["passport_number"]))
    shown = {
        "ticket_id": ticket.ticket_id, "type": ticket.kind, "status": ticket.status,
        "beneficiary_reference_id": ticket.beneficiary_reference_id, "details": details,
        "description": ticket.description, "state_id": int(ticket.state_id), "district_id": int(ticket.district_id),
        "opened_at": views.moment(ticket.opened_at, profile), "updated_at": views.moment(ticket.updated_at, profile),
        "officer": mask_mobile(ticket.officer) if ticket.officer else None, "note": ticket.note or "",
    }
    if history is not None:
        shown["history"] = [{"status": event.status, "at": views.moment(event.at, profile),
                             "by": mask_mobile(event.actor), "note": event.note} for event in history]
    return shown
