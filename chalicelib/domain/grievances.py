"""Grievances, CoWIN's "Raise an Issue" (docs/grievances.md): what a citizen may raise, the ticket's
states and who moves them, and the rules a repair must keep. Pure: the services read and write.

A ticket is opened by a citizen about a member of their own account, and moved by an area admin whose
area holds it (the centre of the dose it is about, or the district the citizen names): open → in review
→ resolved or rejected (rejected from open too). Only resolving changes anything, and it does so in
the same transaction as the ticket's move, so a repair is applied once or not at all.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import errors, inputs
from chalicelib.domain.booking import parse_dose, reference_ids
from chalicelib.domain.errors import ApiError
from chalicelib.domain.messages import N_
from chalicelib.domain.records import BeneficiaryRecord
from chalicelib.domain.vaccination import parse_batch

# The kinds of issue, each with what the SMS calls it.
MERGE = "merge_records"  # two registrations of one person, each holding dose 1: one history
TRANSFER = "transfer_member"  # a member moves to another mobile, whose owner consents by OTP
UNKNOWN_MEMBER = "unknown_member"  # a member on my account is not mine
DOSE_DETAILS = "dose_details"  # a dose's vaccine, date or batch is wrong (a date may change its number)
WRONG_PERSON = "wrong_person"  # a dose recorded for this member was given to another (or to none of mine)
PASSPORT = "passport"  # add passport details the certificate lacks
KINDS = {
    MERGE: N_("merge two records"), TRANSFER: N_("move a member to another mobile"),
    UNKNOWN_MEMBER: N_("a member who is not yours"), DOSE_DETAILS: N_("wrong dose details"),
    WRONG_PERSON: N_("dose recorded for the wrong person"), PASSPORT: N_("add passport details"),
}

OPEN, IN_REVIEW, RESOLVED, REJECTED = "open", "in_review", "resolved", "rejected"
CLOSED = frozenset({RESOLVED, REJECTED})
REVIEW, RESOLVE, REJECT = "review", "resolve", "reject"
# Which state each officer action moves a ticket from, and to.
MOVES: dict[str, tuple[frozenset[str], str]] = {
    REVIEW: (frozenset({OPEN}), IN_REVIEW),
    RESOLVE: (frozenset({IN_REVIEW}), RESOLVED),
    REJECT: (frozenset({OPEN, IN_REVIEW}), REJECTED),
}
DESCRIPTION_LENGTH = 500
NOTE_LENGTH = 300


@dataclass(frozen=True)
class Issue:
    """What a citizen raised: its kind, the member it is about, the kind's details, in their words."""

    kind: str
    beneficiary_reference_id: str
    details: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    district_id: int | None = None  # where to raise it, when no dose of the member says


@dataclass(frozen=True)
class Decision:
    """An officer's move: what they did and why (a reason is required to reject); to resolve an unknown
    member who holds doses, the mobile the officer found them at."""

    action: str
    note: str = ""
    to_mobile: str | None = None


def consent_binding(kind: str, citizen: str, reference_id: str) -> str:
    """What a consent OTP of another mobile's owner is bound to: this kind of issue, raised by this citizen,
    about that registration (their member to transfer, or the other registration to merge); never a
    login's, nor an operator's."""
    return f"{kind}#{citizen}#{reference_id}"


def next_status(status: str, action: str) -> str:
    """The state `action` moves a ticket in `status` to; refused (409) from any other state."""
    sources, target = MOVES[action]
    if status not in sources:
        raise ApiError(errors.GRIEVANCE_STATE, f"This issue is {status.replace('_', ' ')}: it cannot be "
                                               f"{'put in review' if action == REVIEW else action + 'ed'}")
    return target


def parse_member(body: Mapping[str, Any], name: str, profile: CountryProfile) -> str:
    return reference_ids([inputs.text(body, name, max_length=20)], profile)[0]


def parse_issue(body: Mapping[str, Any], profile: CountryProfile, today: date) -> Issue:
    kind = inputs.text(body, "type", max_length=40)
    if kind not in KINDS:
        raise ApiError(errors.INVALID_INPUT, f"type must be one of {', '.join(KINDS)}")
    reference_id = parse_member(body, "beneficiary_reference_id", profile)
    description = inputs.text(body, "description", DESCRIPTION_LENGTH, lines=True) \
        if body.get("description") not in (None, "") else ""
    district_id = inputs.integer(body, "district_id", 1, 10**6) if body.get("district_id") not in (None, "") else None
    details: dict[str, Any] = {}
    if kind == MERGE:
        details["other_reference_id"] = parse_member(body, "other_reference_id", profile)
        if details["other_reference_id"] == reference_id:
            raise ApiError(errors.INVALID_INPUT, "other_reference_id must be another registration")
    elif kind == TRANSFER:
        details["to_mobile"] = inputs.mobile(body, "to_mobile", profile.mobile_pattern)
    elif kind in (DOSE_DETAILS, WRONG_PERSON):
        details["dose"] = parse_dose(body)
    if kind == DOSE_DETAILS:
        details.update(_dose_details(body, profile, today))
    elif kind == WRONG_PERSON and body.get("recipient_reference_id") not in (None, ""):
        details["recipient_reference_id"] = parse_member(body, "recipient_reference_id", profile)
        if details["recipient_reference_id"] == reference_id:
            raise ApiError(errors.INVALID_INPUT, "recipient_reference_id must be another member")
    return Issue(kind, reference_id, details, description, district_id)


def _dose_details(body: Mapping[str, Any], profile: CountryProfile, today: date) -> dict[str, Any]:
    """The facts of a dose as they should read: any of vaccine, date (DD-MM-YYYY, not in the future)
    and batch; at least one."""
    details: dict[str, Any] = {}
    if body.get("vaccine") not in (None, ""):
        vaccine = profile.vaccine(inputs.text(body, "vaccine", 40).upper())
        if vaccine is None:
            raise ApiError(errors.INVALID_INPUT, "vaccine must be one of the programme's vaccines")
        details["vaccine"] = vaccine.name
    if body.get("date") not in (None, ""):
        day = inputs.cowin_date(inputs.text(body, "date", 10))
        if day > today:
            raise ApiError(errors.INVALID_DATE, "date must not be in the future")
        details["date"] = day.isoformat()
    if body.get("batch") not in (None, ""):
        details["batch"] = parse_batch(body)
    if not details:
        raise ApiError(errors.INPUT_MISSING, "Say what the dose should read: vaccine, date or batch")
    return details


def parse_decision(action: str, body: Mapping[str, Any], profile: CountryProfile) -> Decision:
    note_given = body.get("reason") not in (None, "")
    if action == REJECT and not note_given:
        raise ApiError(errors.INPUT_MISSING, "Input parameter missing: reason (a rejection says why)")
    note = inputs.text(body, "reason", NOTE_LENGTH) if note_given else ""
    to_mobile = inputs.mobile(body, "to_mobile", profile.mobile_pattern) \
        if action == RESOLVE and body.get("to_mobile") not in (None, "") else None
    return Decision(action, note, to_mobile)


def same_person(one: BeneficiaryRecord, other: BeneficiaryRecord) -> bool:
    """Whether two registrations can be one person's, as far as Teeka knows them: the same name (any
    case and spacing), birth year and gender. The officer who resolves a merge checks the rest."""
    def name(person: BeneficiaryRecord) -> str:
        return " ".join(person.name.casefold().split())

    return (name(one), int(one.birth_year), int(one.gender_id)) == (
        name(other), int(other.birth_year), int(other.gender_id))
