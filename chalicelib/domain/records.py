"""What the store keeps and gives back: one frozen dataclass per kind of stored thing, field for field.

The store turns its items into these on every read and back on every write (`store/base.py`), so no
use case sees PynamoDB; `tests/service/test_store_contracts.py` checks that each record and its table
model name the same fields. A change is a new record (`dataclasses.replace`), written by the store.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from chalicelib.domain.planning import Centre


@dataclass(frozen=True)
class BeneficiaryRecord:
    beneficiary_reference_id: str
    mobile: str
    name: str
    birth_year: int
    gender_id: int
    photo_id_type: int
    id_claim: str  # HMAC of the normalised ID: the number itself is never stored
    id_last4: str
    comorbidity_ind: str
    consent_version: str
    created_at: int
    id_verified: bool = False
    id_verification_txn: str | None = None
    id_verification_attempts: int = 0  # OTP tries on the current transaction
    corrected: bool = False
    doses_given: int = 0
    vaccine: str | None = None
    dose1_date: str | None = None  # ISO date
    dose2_date: str | None = None
    dose3_date: str | None = None
    precaution_vaccine: str | None = None  # the precaution dose's, when given (`vaccine` is the series')
    occupation: str | None = None  # one of the pack's occupations, as declared at registration
    # The active appointment per dose (a summary, see store.booking): also the one-per-dose lock.
    appointment_dose1: Mapping[str, Any] | None = None
    appointment_dose2: Mapping[str, Any] | None = None
    appointment_dose3: Mapping[str, Any] | None = None
    # Where each dose was given (`dose_place`), by dose number.
    dose_places: Mapping[str, Any] = field(default_factory=dict)
    # Travel details, added once for the international certificates: the passport (its claim keeps it
    # unique among all photo IDs), the full date of birth, and the surname as the passport prints it.
    passport_number: str | None = None
    passport_claim: str | None = None
    birth_date: str | None = None  # ISO date
    surname: str | None = None
    # How many of each dose number's records were voided (docs/grievances.md): the next record of that
    # number is keyed after them (`dose_history.dose_entry`), since records are never deleted.
    voided_doses: Mapping[str, Any] = field(default_factory=dict)
    # One more with every dose, correction and repair of the person's history: a repair is written only
    # over the history it read (docs/grievances.md).
    history_version: int = 0


@dataclass(frozen=True)
class AuditRecord:
    subject: str  # e.g. beneficiary#12345678901234
    at: str  # ISO timestamp + unique suffix
    action: str
    actor: str
    old: Mapping[str, Any] = field(default_factory=dict)
    new: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssistedActionRecord:
    """What an operator did for a citizen, when, under which consent (docs/assisted-registration.md):
    written in the same transaction as the action itself, so no action is without its record."""

    operator: str  # the operator's mobile
    at: str  # ISO timestamp (UTC) + unique suffix: an operator's actions sort by time
    citizen: str  # the mobile the operator acted for
    action: str  # consent | register | book | cancel (domain/assisted.py)
    consent_id: str
    operator_name: str
    desk: str
    state_id: int  # the operator's area when they acted
    done_at: int
    district_id: int | None = None
    beneficiaries: tuple[str, ...] = field(default_factory=tuple)
    appointment_id: str | None = None
    center_id: int | None = None  # where a booking or cancellation was


@dataclass(frozen=True)
class StatusCheckerRecord:
    """A third party allowed to ask people for their vaccination status (docs/kycvs.md): what the consent SMS
    calls it, what it may learn, how often it may call, and the SHA-256 of its API key (never the key)."""

    checker_id: str
    name: str
    scopes: tuple[str, ...]
    requests_per_minute: int
    key_digest: str
    created_at: int
    created_by: str  # the admin's mobile
    listed: str = "checker"  # the one key of the by-created index: every checker, for the admins' list
    revoked_at: int | None = None
    revoked_by: str | None = None


@dataclass(frozen=True)
class StatusCheckRecord:
    """One checker's request about one mobile, and how it ended: its audit, which the mobile's owner reads."""

    request_id: str  # the id of its OTP transaction too
    checker_id: str
    checker_name: str  # as the SMS named it
    mobile: str
    asked_at: int
    expires_at: int  # the OTP's: unanswered by then, the request expired
    status: str  # asked | answered | refused (domain/kycvs.py); expired is read from expires_at
    beneficiary_reference_id: str | None = None  # the person the checker named, if it named one
    wrong_codes: int = 0
    answered_at: int | None = None
    revealed: tuple[str, ...] = field(default_factory=tuple)  # what the answer held beside the names


@dataclass(frozen=True)
class AppointmentRecord:
    """One beneficiary's place in an appointment; a family booking shares the appointment id."""

    appointment_id: str
    beneficiary_reference_id: str
    mobile: str
    session_id: str
    center_id: int
    date: str  # ISO
    slot: str
    dose: int
    created_at: int
    updated_at: int
    precaution: bool = False  # the dose after a completed primary series (its own capacity)
    status: str = "BOOKED"  # BOOKED | CANCELLED | COMPLETED
    cancelled_reason: str | None = None
    reschedules: int = 0
    verified_at: int | None = None
    verified_by: str | None = None
    code_attempts: int = 0
    completed_at: int | None = None
    dose_record_id: str | None = None


@dataclass(frozen=True)
class BookingRequestRecord:
    """A booking taken in surge mode: PENDING until the worker books it or cannot."""

    appointment_id: str
    mobile: str
    request: Mapping[str, Any]
    created_at: int
    updated_at: int
    expires_at: datetime
    status: str = "PENDING"  # PENDING | CONFIRMED | REJECTED
    reason_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class CentreRecord(Centre):
    """A centre as kept: its validated fields, its id, its map cell (for nearby searches), and whether it
    is open for planning."""

    center_id: int
    grid_cell: str
    active: bool = True


@dataclass(frozen=True)
class SlotRecord:
    name: str  # e.g. 09:00AM-11:00AM
    capacity: int
    booked: int = 0


@dataclass(frozen=True)
class SessionRecord:
    """One centre, one date, one vaccine: capacity per dose and per slot, and the centre's public fields."""

    session_id: str
    date: str  # ISO
    vaccine: str
    min_age_limit: int
    capacity_dose1: int
    capacity_dose2: int
    slots: tuple[SlotRecord, ...]
    center_id: int
    district_id: int
    state_id: int
    pincode: int
    name: str
    address: str
    block_name: str
    lat: float
    long: float
    opens: str
    closes: str
    fee_type: str
    max_age_limit: int | None = None
    allow_all_age: bool = False
    booked_dose1: int = 0
    booked_dose2: int = 0
    capacity_precaution: int = 0  # precaution doses, on top of CoWIN's two
    booked_precaution: int = 0
    fee: str = "0"
    status: str = "ACTIVE"  # ACTIVE | CANCELLED
    vaccine_fees: Mapping[str, Any] = field(default_factory=dict)
    local_names: Mapping[str, Any] = field(default_factory=dict)
    # Closed at the end of the day (docs/stock.md): its open vials' unused doses recorded as wastage, and no
    # more doses recorded in real time.
    closed_at: int | None = None
    closed_by: str | None = None


@dataclass(frozen=True)
class AllocationRecord:
    """A vaccinator or verifier allocated to a session."""

    session_id: str
    mobile: str
    role: str
    date: str
    center_id: int
    allocated_at: int
    allocated_by: str


class DoseSite(NamedTuple):
    """Where and by whom a dose was given."""

    session_id: str
    center_id: int
    center_name: str
    district_id: int
    state_id: int
    vaccinator: str
    verifier: str


@dataclass(frozen=True)
class DoseRecord:
    """A dose given (kind "dose"), or a correction superseding one (kind "correction")."""

    beneficiary_reference_id: str
    entry: str  # dose#N, or dose#N#fix#<time>#<id> for a correction
    kind: str
    record_id: str
    dose: int
    vaccine: str
    batch: str
    given_at: int  # epoch seconds
    given_on: str  # ISO date in the country
    mobile: str
    recorded_at: int
    recorded_by: str
    session_id: str | None = None
    center_id: int | None = None
    center_name: str | None = None
    district_id: int | None = None
    state_id: int | None = None
    vaccinator: str | None = None
    verifier: str | None = None
    appointment_id: str | None = None
    walk_in: bool = False
    precaution: bool = False  # the dose after a completed primary series
    source: str = "online"  # online | offline
    captured_at: int | None = None
    device_id: str | None = None
    capture_uuid: str | None = None
    reason: str | None = None
    supersedes: str | None = None
    gender_id: int | None = None
    birth_year: int | None = None
    vial: str | None = None  # the vial it was drawn from (`VialRecord.vial_id`), where stock is tracked
    # A correction that voids its record: the dose was not this person's (it moved to whoever received it,
    # docs/grievances.md). The record stays; the person's history no longer counts it.
    voided: bool = False

    def site(self) -> DoseSite:
        """A dose's site (a correction has none of its own: it keeps its record's)."""
        values = (self.session_id, self.center_id, self.center_name, self.district_id, self.state_id,
                  self.vaccinator, self.verifier)
        if any(value is None for value in values):
            raise ValueError(f"{self.entry} of {self.beneficiary_reference_id} names no site")
        return DoseSite(*values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class BatchRecord:
    """A batch of one vaccine at a facility: what was received of it, and how many of its vials are opened."""

    center_id: int
    batch: str
    vaccine: str
    expiry: str  # ISO date: the batch may be used through this day
    doses_per_vial: int
    district_id: int
    state_id: int
    received_at: int  # first received
    vials_received: int = 0
    vials_opened: int = 0


@dataclass(frozen=True)
class VialRecord:
    """One opened vial, kept under the session it was opened at: its doses and what became of them."""

    session_id: str
    entry: str  # <batch>#<the batch's n-th vial at this session, 6 digits>
    batch: str
    number: int  # the facility's n-th opened vial of the batch
    vaccine: str
    center_id: int
    doses: int
    expiry: str  # the batch's (ISO)
    opened_at: int
    usable_until: int  # opened_at + the open-vial policy
    opened_by: str
    used: int = 0
    wasted: int = 0  # its doses left unused when the session closed
    closed_at: int | None = None  # set when its session closed with doses left in it

    @property
    def vial_id(self) -> str:
        return f"{self.batch}#{self.number}"


@dataclass(frozen=True)
class CaptureRecord:
    """The outcome of one offline record, keyed by the device's UUID: a replay returns it."""

    capture_uuid: str
    status: str  # accepted | rejected
    device_id: str
    vaccinator: str
    captured_at: int
    synced_at: int
    synced_by: str
    expires_at: datetime
    error_code: str | None = None
    error: str | None = None
    beneficiary_reference_id: str | None = None
    dose: int | None = None
    record_id: str | None = None


@dataclass(frozen=True)
class AefiRecord:
    beneficiary_reference_id: str
    entry: str
    report_id: str
    dose: int
    dose_record_id: str
    severity: str
    symptoms: tuple[str, ...]
    onset_at: int
    reporter: str
    reported_at: int
    center_id: int
    district_id: int
    state_id: int
    description: str = ""


@dataclass(frozen=True)
class CertificateSlotRecord:
    """A dose's certificate: due while it waits for (re)issuance, then the one issued."""

    beneficiary_reference_id: str
    dose: int
    mobile: str
    due_shard: str | None = None
    due_at: int | None = None
    marks: int = 0  # how many times it was marked due: a newer mark voids an older issuance
    claimed_id: str | None = None
    claimed_basis: str | None = None
    issued_id: str | None = None


@dataclass(frozen=True)
class CertificateRecord:
    certificate_id: str
    beneficiary_reference_id: str
    dose: int
    kind: str  # provisional | final
    issued_at: int
    jws: str | None = None
    kid: str | None = None  # the signing key's thumbprint
    # The international formats, when the person added travel details: the DDCC:VS core data set (JSON),
    # the SMART Health Card's JWS and revocation id, the EU DCC's `HC1:` text and UVCI.
    ddcc: str | None = None
    shc: str | None = None
    rid: str | None = None
    hc1: str | None = None
    uvci: str | None = None
    revoked_list: str | None = None
    revoked_at: int | None = None
    revoked_reason: str | None = None
    superseded_by: str | None = None


@dataclass(frozen=True)
class GrievanceRecord:
    """A citizen's issue (docs/grievances.md): what it is about, where it is handled, where it stands."""

    ticket_id: str
    entry: str  # "ticket"
    kind: str
    status: str
    raised_by: str  # the citizen's mobile
    beneficiary_reference_id: str
    state_id: int
    district_id: int
    opened_at: int
    updated_at: int
    version: int = 0  # each move adds one: an officer's move is conditioned on the version they read
    details: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    officer: str | None = None  # the area admin who took it in review, resolved or rejected it
    note: str | None = None  # the officer's reason or resolution


@dataclass(frozen=True)
class GrievanceEventRecord:
    """One step of a ticket's history, written in the step's own transaction."""

    ticket_id: str
    entry: str  # event#<the ticket's version after it>
    status: str
    actor: str
    at: int
    note: str = ""


@dataclass(frozen=True)
class LockerLinkRecord:
    """A beneficiary's consent to a document locker account (docs/document-locker.md): while it exists,
    the locker may pull their certificates and Teeka pushes each new one there."""

    beneficiary_reference_id: str
    locker_id: str
    mobile: str  # the account that gave the consent
    linked_at: int
    # dose (as text) -> the document URI last pushed to the locker for it: what a reissue replaces there
    pushed: Mapping[str, Any] = field(default_factory=dict)
