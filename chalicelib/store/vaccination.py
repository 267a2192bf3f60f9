"""Dose records, their corrections, offline captures, AEFI reports and the vaccinators' allowance counts.

A dose is one TransactWriteItems that does everything a dose means at once:
- the dose record `(beneficiary, "dose#N")`, put only if absent: one record per beneficiary and dose,
  whatever the client, the device or the retry;
- the beneficiary's dose count, vaccine and date, only if it had exactly N-1 doses (of this vaccine);
- the appointment marked COMPLETED (booked, here, not locked, and verified unless the vaccinator
  checked the photo ID), or for a walk-in one seat of the session's dose capacity;
- the vaccinator's allowance count for the day and session;
- the dose's certificate slot, marked due (see `store/certificates.py`);
- for an offline record, its capture item keyed by the device's UUID, so a replay finds its result.

Records are immutable: a correction is a new item `(beneficiary, "dose#N#fix#<time>#<id>")` that
supersedes the record's batch or time (and marks the certificate due again). The table's stream
(NEW_IMAGE) is the domain event of every dose and correction (see `chalicelib/events/doses.py`).
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.constants import STREAM_NEW_IMAGE
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactGet

from chalicelib.domain.dose_history import CORRECTION, DOSE, Change, dose_entry, standing, voided
from chalicelib.domain.programmes import kind_of
from chalicelib.domain.records import (
    AefiRecord,
    AllocationRecord,
    AppointmentRecord,
    BeneficiaryRecord,
    CaptureRecord,
    CertificateSlotRecord,
    DoseRecord,
    SessionRecord,
)
from chalicelib.domain.stock import Draw, drawn_at
from chalicelib.domain.vaccination import AefiReport, AllowanceCount, Capture, Completion, DoseRequest
from chalicelib.store import certificates, stock
from chalicelib.store import registration as registration_store
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.booking import (
    BOOKED,
    COMPLETED,
    AppointmentItem,
    appointment_record,
    dose_lock,
    seat_counters,
)
from chalicelib.store.common import Transaction, conditionally, connection
from chalicelib.store.planning import AllocationItem, SessionItem, session_record
from chalicelib.store.registration import (
    AuditItem,
    BeneficiaryItem,
    Outcome,
    audit_entry,
    beneficiary_record,
    same_history,
)

ACCEPTED, REJECTED = "accepted", "rejected"
CAPTURE_KEPT_SECONDS = 90 * 24 * 3600  # a device may resend a batch for this long


def _streamed(name: str) -> Any:
    meta = table_meta(name)
    meta.stream_view_type = STREAM_NEW_IMAGE
    return meta


class DoseItem(TeekaModel):
    """A dose given (kind "dose"), or a correction superseding one (kind "correction")."""

    Meta = _streamed("doses")
    beneficiary_reference_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # dose#N, or dose#N#fix#<ISO time>#<id> for a correction
    kind = UnicodeAttribute()
    record_id = UnicodeAttribute()  # this record's own id (a certificate names it)
    dose = NumberAttribute()
    vaccine = UnicodeAttribute()
    batch = UnicodeAttribute()
    given_at = NumberAttribute()  # epoch seconds
    given_on = UnicodeAttribute()  # ISO date in the country
    mobile = UnicodeAttribute()  # the beneficiary's, for the SMS and the certificate
    recorded_at = NumberAttribute()  # server time
    recorded_by = UnicodeAttribute()  # who sent it to the server
    # Where, by whom, how (a dose; a correction keeps these from the record it supersedes).
    session_id = UnicodeAttribute(null=True)
    center_id = NumberAttribute(null=True)
    center_name = UnicodeAttribute(null=True)
    district_id = NumberAttribute(null=True)
    state_id = NumberAttribute(null=True)
    vaccinator = UnicodeAttribute(null=True)
    verifier = UnicodeAttribute(null=True)
    appointment_id = UnicodeAttribute(null=True)  # none for a walk-in
    walk_in = BooleanAttribute(default=False)
    precaution = BooleanAttribute(default=False)  # the dose after a completed primary series
    source = UnicodeAttribute(default="online")  # online | offline
    captured_at = NumberAttribute(null=True)  # device time of an offline capture
    device_id = UnicodeAttribute(null=True)
    capture_uuid = UnicodeAttribute(null=True)
    # A correction: why, and which record (entry) it supersedes.
    reason = UnicodeAttribute(null=True)
    supersedes = UnicodeAttribute(null=True)
    # Who received it, as the public reports count people (gender, age band): the person's values when
    # the dose was given, or as a correction of the person's details set them.
    gender_id = NumberAttribute(null=True)
    birth_year = NumberAttribute(null=True)
    vial = UnicodeAttribute(null=True)  # the vial it was drawn from, where stock is tracked (store/stock.py)
    voided = BooleanAttribute(default=False)  # a correction voiding its record (domain/dose_history.py)


class CaptureItem(TeekaModel):
    """The outcome of one offline record, keyed by the device's UUID: a replay returns it."""

    Meta = table_meta("offline-captures")
    capture_uuid = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()  # accepted | rejected
    error_code = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    beneficiary_reference_id = UnicodeAttribute(null=True)
    dose = NumberAttribute(null=True)
    record_id = UnicodeAttribute(null=True)
    device_id = UnicodeAttribute()
    vaccinator = UnicodeAttribute()
    captured_at = NumberAttribute()
    synced_at = NumberAttribute()
    synced_by = UnicodeAttribute()
    expires_at = TTLAttribute()


class AllowancesByDistrict(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-district-day"
        projection = AllProjection()

    district_id = NumberAttribute(hash_key=True)
    day = UnicodeAttribute(range_key=True)


class AllowanceItem(TeekaModel):
    """Doses one vaccinator gave in one session on one day: counted in each dose's transaction, so a
    month's report is a Query of counts, not of doses. Only that vaccinator's doses touch the item."""

    Meta = table_meta("allowances")
    center_id = NumberAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)  # <ISO day>#<session id>#<vaccinator mobile>
    day = UnicodeAttribute()
    district_id = NumberAttribute()
    session_id = UnicodeAttribute()
    vaccinator = UnicodeAttribute()
    doses = NumberAttribute(default=0)
    by_district = AllowancesByDistrict()


class AefiItem(TeekaModel):
    """An adverse event following immunization, reported against a dose."""

    Meta = table_meta("aefi")
    beneficiary_reference_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # <dose>#<ISO time reported>#<id>
    report_id = UnicodeAttribute()
    dose = NumberAttribute()
    dose_record_id = UnicodeAttribute()
    severity = UnicodeAttribute()
    symptoms = ListAttribute(of=UnicodeAttribute)
    onset_at = NumberAttribute()
    description = UnicodeAttribute(default="")
    reporter = UnicodeAttribute()
    reported_at = NumberAttribute()
    center_id = NumberAttribute()
    district_id = NumberAttribute()
    state_id = NumberAttribute()


@dataclass(frozen=True)
class Snapshot:
    """What recording or verifying needs, read together in one TransactGetItems."""

    session: SessionRecord | None
    person: BeneficiaryRecord | None
    allocation: AllocationRecord | None
    appointment: AppointmentRecord | None = None


def snapshot(session_id: str, reference_id: str, staff_mobile: str, appointment_id: str | None = None) -> Snapshot:
    with TransactGet(connection=connection(SessionItem)) as transaction:
        session = transaction.get(SessionItem, session_id)
        person = transaction.get(BeneficiaryItem, reference_id)
        allocation = transaction.get(AllocationItem, session_id, staff_mobile)
        appointment = transaction.get(AppointmentItem, appointment_id, reference_id) if appointment_id else None
    found = _value(session), _value(person), _value(allocation), _value(appointment) if appointment else None
    return Snapshot(found[0] and session_record(found[0]), found[1] and beneficiary_record(found[1]),
                    found[2] and record_of(found[2], AllocationRecord), found[3] and appointment_record(found[3]))


def _value(future):
    try:
        return future.get()
    except (SessionItem.DoesNotExist, BeneficiaryItem.DoesNotExist, AllocationItem.DoesNotExist,
            AppointmentItem.DoesNotExist):
        return None


def sessions_and_allocations(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, SessionRecord],
                                                                        dict[tuple[str, str], str]]:
    """Sessions by id, and the role of each (session, mobile) pair that is allocated: two BatchGetItem calls."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return {}, {}
    session_ids = list(dict.fromkeys(session_id for session_id, _ in pairs))
    sessions = {s.session_id: session_record(s) for s in SessionItem.batch_get(session_ids, consistent_read=True)}
    allocated = {(a.session_id, a.mobile): a.role for a in AllocationItem.batch_get(pairs, consistent_read=True)}
    return sessions, allocated


# -- the records, built here from the domain's values ---------------------------------------------

def new_dose(request: DoseRequest, session: SessionRecord, person: BeneficiaryRecord, *, given_on: str,
             vaccinator: str, verifier: str, recorded_by: str, now: int, appointment_id: str | None,
             capture: Capture | None, precaution: bool = False) -> DoseRecord:
    return DoseRecord(
        request.beneficiary_reference_id, dose_entry(request.dose, voided(person.voided_doses, request.dose)),
        kind=DOSE, record_id=str(uuid.uuid4()),
        dose=request.dose, vaccine=request.vaccine, batch=request.batch, given_at=request.given_at,
        given_on=given_on, mobile=person.mobile, recorded_at=now, recorded_by=recorded_by,
        session_id=session.session_id,
        center_id=int(session.center_id), center_name=session.name, district_id=int(session.district_id),
        state_id=int(session.state_id), vaccinator=vaccinator, verifier=verifier, appointment_id=appointment_id,
        walk_in=appointment_id is None, precaution=precaution, source="offline" if capture else "online",
        captured_at=capture.captured_at if capture else None, device_id=capture.device_id if capture else None,
        capture_uuid=capture.record_uuid if capture else None, gender_id=int(person.gender_id),
        birth_year=int(person.birth_year))


def new_correction(record: DoseRecord, supersedes: DoseRecord, *, reason: str, recorded_by: str, now: int,
                   batch: str | None = None, given_at: int | None = None, person: BeneficiaryRecord | None = None,
                   vaccine: str | None = None, given_on: str | None = None, void: bool = False) -> DoseRecord:
    """A correction record of `record`, superseding its latest state `supersedes`: a new batch, time,
    day or vaccine, or the person's corrected gender and birth year, or (`void`) that the dose was not
    this person's; whatever it does not change, it keeps."""
    return DoseRecord(record.beneficiary_reference_id, f"{record.entry}#fix#{_later_entry(now)}", kind=CORRECTION,
                      record_id=str(uuid.uuid4()), dose=int(record.dose), vaccine=vaccine or supersedes.vaccine,
                      batch=batch or supersedes.batch,
                      given_at=given_at if given_at is not None else supersedes.given_at,
                      given_on=given_on or supersedes.given_on, mobile=record.mobile, recorded_at=now,
                      recorded_by=recorded_by, reason=reason, supersedes=supersedes.record_id,
                      precaution=record.precaution,
                      gender_id=int(person.gender_id) if person else supersedes.gender_id,
                      birth_year=int(person.birth_year) if person else supersedes.birth_year, voided=void)


def new_capture(capture: Capture, request: DoseRequest | None, status: str, synced_by: str, now: int,
                record_id: str | None = None, error_code: str | None = None,
                error: str | None = None) -> CaptureRecord:
    return CaptureRecord(
        capture.record_uuid, status=status, error_code=error_code, error=error,
        beneficiary_reference_id=request.beneficiary_reference_id if request else None,
        dose=request.dose if request else None, record_id=record_id, device_id=capture.device_id,
        vaccinator=capture.vaccinator, captured_at=capture.captured_at, synced_at=now, synced_by=synced_by,
        expires_at=datetime.fromtimestamp(now + CAPTURE_KEPT_SECONDS, UTC))


def new_aefi(record: DoseRecord, report: AefiReport, reporter: str, now: int) -> AefiRecord:
    site = record.site()
    return AefiRecord(record.beneficiary_reference_id, f"{record.dose}#{_later_entry(now)}",
                      report_id=str(uuid.uuid4()), dose=record.dose, dose_record_id=record.record_id,
                      severity=report.severity, symptoms=tuple(report.symptoms), onset_at=report.onset_at,
                      description=report.description, reporter=reporter, reported_at=now,
                      center_id=site.center_id, district_id=site.district_id, state_id=site.state_id)


def _later_entry(now: int) -> str:
    """A sort-key suffix that orders entries by the time they were written, to the microsecond (the
    reports count a correction from the entry just before it), and never collides."""
    micro = time.time_ns() // 1000 % 1_000_000
    return f"{datetime.fromtimestamp(now, UTC).strftime('%Y%m%dT%H%M%S')}.{micro:06d}#{uuid.uuid4().hex[:8]}"


def dose_place(dose: DoseRecord) -> dict:
    """Where a dose was given, as the beneficiary item keeps it."""
    site = dose.site()
    return {"session_id": site.session_id, "center_id": site.center_id, "district_id": site.district_id,
            "state_id": site.state_id}


def allowance_key(day: str, session_id: str, vaccinator: str) -> str:
    return f"{day}#{session_id}#{vaccinator}"


class FirstDose(NamedTuple):
    """A walk-in's dose, and where it draws on the stock (none where stock is not tracked)."""

    dose: DoseRecord
    draw: Draw | None = None


def _add_dose(transaction: Transaction, dose: DoseRecord, *, takes_seat: bool, completes: Completion | None,
              draw: Draw | None = None) -> None:
    """The dose's own items, shared by a recorded dose, a walk-in registration and an offline record.
    `takes_seat`: a walk-in takes a seat of its session's dose capacity; `completes`: the booking it
    completes; `draw`: the vial it draws one dose from (store/stock.py), in this same transaction."""
    transaction.put("dose", item_of(dose, DoseItem), DoseItem.entry.does_not_exist())
    ref, number = dose.beneficiary_reference_id, int(dose.dose)
    certificates.mark_due(transaction, ref, number, dose.mobile, int(dose.recorded_at))
    if takes_seat:
        capacity, booked = seat_counters(kind_of(number, dose.precaution))
        transaction.change("session", SessionItem(dose.session_id), [booked.add(1)],
                           (SessionItem.status == "ACTIVE") & (booked < capacity))
    if draw is not None:
        stock.add_draw(transaction, draw, drawn_at(dose.source, int(dose.given_at), int(dose.recorded_at)))
    if completes is not None:
        # Not locked: fewer codes tried than the limit, or verified at the door (by one of them).
        condition = ((AppointmentItem.status == BOOKED) & (AppointmentItem.session_id == dose.session_id)
                     & ((AppointmentItem.code_attempts < completes.code_limit) | AppointmentItem.verified_at.exists()))
        if completes.must_be_verified:
            condition &= AppointmentItem.verified_at.exists()
        transaction.change("appointment", AppointmentItem(completes.appointment_id, ref), [
            AppointmentItem.status.set(COMPLETED), AppointmentItem.completed_at.set(int(dose.recorded_at)),
            AppointmentItem.updated_at.set(int(dose.recorded_at)),
            AppointmentItem.dose_record_id.set(dose.record_id)], condition)
    day, site = dose.given_on, dose.site()
    transaction.change("allowance", AllowanceItem(site.center_id, allowance_key(day, site.session_id, site.vaccinator)),
                       [AllowanceItem.doses.add(1), AllowanceItem.day.set(day),
                        AllowanceItem.district_id.set(site.district_id), AllowanceItem.session_id.set(site.session_id),
                        AllowanceItem.vaccinator.set(site.vaccinator)])


def record(dose: DoseRecord, *, series_vaccine: str | None, takes_seat: bool, completes: Completion | None,
           capture: CaptureRecord | None = None, draw: Draw | None = None) -> set[str] | None:
    """Record a dose of a registered beneficiary whose primary series is `series_vaccine` (none before
    dose 1). None when recorded; otherwise the labels that refused: "dose", "beneficiary",
    "appointment", "session", "capture", and the stock's (store/stock.py)."""
    number = int(dose.dose)
    lock = dose_lock(number)
    condition = BeneficiaryItem.doses_given == number - 1
    if number > 1:  # the series as the rules saw it (a precaution dose may be another vaccine)
        condition &= BeneficiaryItem.vaccine == series_vaccine
    if dose.gender_id is not None and dose.birth_year is not None:
        # The person as the dose copied them: a correction of their details in between is not missed.
        condition &= (BeneficiaryItem.gender_id == dose.gender_id) & (BeneficiaryItem.birth_year == dose.birth_year)
    actions = [BeneficiaryItem.doses_given.set(number), BeneficiaryItem.history_version.add(1),
               (BeneficiaryItem.precaution_vaccine if dose.precaution else BeneficiaryItem.vaccine).set(dose.vaccine),
               getattr(BeneficiaryItem, f"dose{number}_date").set(dose.given_on),
               BeneficiaryItem.dose_places[str(number)].set(dose_place(dose))]
    if completes is not None:
        condition &= lock["appointment_id"] == completes.appointment_id
        actions.append(lock.remove())
    else:
        condition &= lock.does_not_exist()

    def build(transaction: Transaction) -> None:
        _add_dose(transaction, dose, takes_seat=takes_seat, completes=completes, draw=draw)
        transaction.change("beneficiary", BeneficiaryItem(dose.beneficiary_reference_id), actions, condition)
        if capture is not None:
            transaction.put("capture", item_of(capture, CaptureItem), CaptureItem.capture_uuid.does_not_exist())

    return Transaction(DoseItem).attempt(build)


def register_vaccinated(person: BeneficiaryRecord, first: FirstDose, max_per_mobile: int) -> Outcome:
    """A walk-in: the person registered with their first dose recorded, in one transaction that also
    takes a seat of the session's dose-1 capacity and draws on the stock (REFUSED when only the dose's
    items refused)."""
    dose = first.dose
    vaccinated = replace(person, doses_given=1, vaccine=dose.vaccine, dose1_date=dose.given_on,
                         dose_places={"1": dose_place(dose)})
    return registration_store.register(vaccinated, max_per_mobile, also=lambda transaction: _add_dose(
        transaction, dose, takes_seat=True, completes=None, draw=first.draw))


def dose_record(item: DoseItem) -> DoseRecord:
    return record_of(item, DoseRecord)


def history(reference_id: str, dose: int | None = None) -> list[DoseRecord]:
    """A beneficiary's records and corrections (of one dose), oldest first: one Query."""
    prefix = dose_entry(dose) if dose is not None else "dose#"
    return [dose_record(item)
            for item in DoseItem.query(reference_id, DoseItem.entry.startswith(prefix), consistent_read=True)]


def person_corrections(person: BeneficiaryRecord, corrected: BeneficiaryRecord, actor: str, now: int,
                       ) -> Callable[[Transaction], None] | None:
    """What a correction of the person's gender or birth year adds to its transaction: a correction of
    each dose record (1 Query), so the doses' stream moves them in the public reports. None when
    neither changed or no dose was given."""
    if int(person.doses_given) == 0 or (int(person.gender_id), int(person.birth_year)) == (
            int(corrected.gender_id), int(corrected.birth_year)):
        return None
    corrections = [new_correction(dose.record, dose.current, reason="the person's gender or birth year corrected",
                                  recorded_by=actor, now=now, person=corrected)
                   for dose in standing(history(person.beneficiary_reference_id)).values()]

    def add(transaction: Transaction) -> None:
        for correction in corrections:
            transaction.put(f"correction {correction.dose}", item_of(correction, DoseItem),
                            DoseItem.entry.does_not_exist())

    return add


def add_correction(correction: DoseRecord) -> bool:
    """The correction record, its certificate's due mark and one more in the person's history version
    (a repair read before it is then refused), together."""
    def build(transaction: Transaction) -> None:
        transaction.put("correction", item_of(correction, DoseItem), DoseItem.entry.does_not_exist())
        transaction.change("beneficiary", BeneficiaryItem(correction.beneficiary_reference_id),
                           [BeneficiaryItem.history_version.add(1)],
                           BeneficiaryItem.beneficiary_reference_id.exists())
        certificates.mark_due(transaction, correction.beneficiary_reference_id, int(correction.dose),
                              correction.mobile, int(correction.recorded_at))

    return Transaction(DoseItem).attempt(build) is None


def restatement(person: BeneficiaryRecord, doses_before: int, changes: Sequence[Change], after: Sequence[DoseRecord],
                slots: Sequence[CertificateSlotRecord], *, reason: str, actor: str, now: int,
                corrections: Sequence[DoseRecord] = (), removes_person: bool = False) -> Callable[[Transaction], None]:
    """What a repair of a person's history adds to its transaction (docs/grievances.md): for each
    changed number, a correction voiding the record there and a new record, a copy of the dose that takes
    the number; the person's doses as they now stand (`after`: the facts of each number, in order), only
    if their history is still as read (`same_history`) and no appointment is open; certificates due again from the
    first changed number on, and those of numbers left empty revoked; `corrections` of the facts of doses
    that keep their number join it. `removes_person`: the history
    empties into another registration of the same person (a merge), which goes with it."""
    reference_id = person.beneficiary_reference_id
    counts = {str(k): int(v) for k, v in person.voided_doses.items()}
    voids, copies = [], []
    for change in changes:
        if change.voids is not None:
            voids.append(new_correction(change.voids.record, change.voids.current, reason=reason, recorded_by=actor,
                                        now=now, void=True))
            counts[str(change.dose)] = voided(counts, change.dose) + 1
        if change.takes is not None:
            taken, facts = change.takes.record, change.takes.current
            copies.append(replace(
                taken, beneficiary_reference_id=reference_id,
                entry=dose_entry(change.dose, voided(counts, change.dose)), record_id=str(uuid.uuid4()),
                dose=change.dose, vaccine=facts.vaccine, batch=facts.batch,
                given_at=int(facts.given_at), given_on=facts.given_on, mobile=person.mobile, recorded_at=now,
                recorded_by=actor, reason=reason, supersedes=taken.record_id, appointment_id=None,
                capture_uuid=None, precaution=after[change.dose - 1].precaution, gender_id=int(person.gender_id),
                birth_year=int(person.birth_year)))
    first_changed = min([change.dose for change in changes] + [int(fix.dose) for fix in corrections])
    emptied = [slot for slot in slots if int(slot.dose) > len(after)]
    condition = (BeneficiaryItem.mobile == person.mobile) & (BeneficiaryItem.doses_given == doses_before) & (
        same_history(person)) & (
        BeneficiaryItem.appointment_dose1.does_not_exist() & BeneficiaryItem.appointment_dose2.does_not_exist()
        & BeneficiaryItem.appointment_dose3.does_not_exist())

    def build(transaction: Transaction) -> None:
        for record in [*voids, *copies, *corrections]:
            transaction.put(f"dose {record.entry}", item_of(record, DoseItem), DoseItem.entry.does_not_exist())
        for number in range(first_changed, len(after) + 1):
            certificates.mark_due(transaction, reference_id, number, person.mobile, now)
        certificates.withdraw(transaction, emptied, now)  # a repair empties one person's numbers at most
        if removes_person:
            registration_store.removal(transaction, person, doses_given=doses_before)
            return
        series = [dose for dose in after if not dose.precaution]
        actions = [BeneficiaryItem.doses_given.set(len(after)), BeneficiaryItem.voided_doses.set(counts),
                   BeneficiaryItem.history_version.add(1)]
        actions.append(BeneficiaryItem.vaccine.set(series[0].vaccine) if series else BeneficiaryItem.vaccine.remove())
        precaution = next((dose.vaccine for dose in after if dose.precaution), None)
        actions.append(BeneficiaryItem.precaution_vaccine.set(precaution) if precaution
                       else BeneficiaryItem.precaution_vaccine.remove())
        for number in range(1, 4):
            date_of = getattr(BeneficiaryItem, f"dose{number}_date")
            actions.append(date_of.set(after[number - 1].given_on) if number <= len(after) else date_of.remove())
        places = {str(number): dose_place(dose) for number, dose in enumerate(after, start=1)}
        actions.append(BeneficiaryItem.dose_places.set(places))
        transaction.change("beneficiary", BeneficiaryItem(reference_id), actions, condition)

    return build


def captures(uuids: list[str]) -> dict[str, CaptureRecord]:
    return {c.capture_uuid: record_of(c, CaptureRecord)
            for c in CaptureItem.batch_get(list(dict.fromkeys(uuids)), consistent_read=True)} if uuids else {}


def capture(record_uuid: str) -> CaptureRecord | None:
    try:
        return record_of(CaptureItem.get(record_uuid, consistent_read=True), CaptureRecord)
    except CaptureItem.DoesNotExist:
        return None


def save_rejection(rejected: CaptureRecord) -> bool:
    """Keep a rejected record's reason for its replays; False when the UUID was settled meanwhile."""
    return conditionally(lambda: item_of(rejected, CaptureItem).save(
        condition=CaptureItem.capture_uuid.does_not_exist()))


def spend_code_attempt(appointment: AppointmentRecord, limit: int) -> int | None:
    """Count one security-code attempt before the code is judged, only while the appointment is
    still booked in the session that was read and below the limit; returns the count after it
    (None when refused). However many codes arrive at once, at most the limit are ever judged."""
    item = _key(appointment)
    if not _update_appointment(item, [AppointmentItem.code_attempts.add(1)], _booked_in(appointment)
                               & (AppointmentItem.code_attempts < limit)):
        return None
    return int(item.code_attempts)


def mark_verified(appointment: AppointmentRecord, verifier: str, now: int) -> bool:
    """The right code: verified by this person now (the attempts it took stay counted)."""
    return _update_appointment(_key(appointment), [AppointmentItem.verified_at.set(now),
                                             AppointmentItem.verified_by.set(verifier),
                                             AppointmentItem.updated_at.set(now)], _booked_in(appointment))


def unlock(appointment: AppointmentRecord, actor: str, now: int, limit: int) -> bool:
    """Clear the attempts and record who did it, together; False if the appointment was not locked."""
    audit = audit_entry(f"appointment#{appointment.appointment_id}#{appointment.beneficiary_reference_id}", "unlock",
                        actor, {"code_attempts": int(appointment.code_attempts or 0)}, {"code_attempts": 0}, now)

    def build(transaction: Transaction) -> None:
        transaction.change("appointment", _key(appointment), [AppointmentItem.code_attempts.set(0)],
                           AppointmentItem.code_attempts >= limit)
        transaction.put("audit", audit, AuditItem.at.does_not_exist())

    return Transaction(AppointmentItem).attempt(build) is None


def _key(appointment: AppointmentRecord) -> AppointmentItem:
    return AppointmentItem(appointment.appointment_id, appointment.beneficiary_reference_id)


def _booked_in(appointment: AppointmentRecord):
    """Still booked in the session it was read in (a reschedule or a cancellation refuses the write)."""
    return (AppointmentItem.status == BOOKED) & (AppointmentItem.session_id == appointment.session_id)


def _update_appointment(appointment: AppointmentItem, actions: list, condition) -> bool:
    return conditionally(lambda: appointment.update(
        actions=actions, condition=AppointmentItem.appointment_id.exists() & condition))


def save_aefi(report: AefiRecord) -> None:
    item_of(report, AefiItem).save(condition=AefiItem.entry.does_not_exist())


def allowances_at(center_id: int, first: str, last: str) -> list[AllowanceCount]:
    return _counts(AllowanceItem.query(center_id, AllowanceItem.key.between(first, f"{last}#~")))


def allowances_in(district_id: int, first: str, last: str) -> list[AllowanceCount]:
    return _counts(AllowanceItem.by_district.query(district_id, AllowanceItem.day.between(first, last)))


def _counts(items: Iterable[AllowanceItem]) -> list[AllowanceCount]:
    return [AllowanceCount(c.day, int(c.center_id), c.session_id, c.vaccinator, int(c.doses)) for c in items]

