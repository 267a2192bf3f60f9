"""Beneficiaries, the nationwide photo-ID claims that keep them unique, and the audit trail.

Invariants live in conditional writes: a registration is one transaction of (account count below the
limit, ID claim not taken, reference id not taken); a deletion gives back both the count and the claim.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.domain.beneficiaries import Registration
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.records import AuditRecord, BeneficiaryRecord
from chalicelib.store import certificates
from chalicelib.store.auth import AccountItem
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.common import Transaction, is_condition_failure


class BeneficiariesByMobile(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-mobile"
        projection = AllProjection()

    mobile = UnicodeAttribute(hash_key=True)
    beneficiary_reference_id = UnicodeAttribute(range_key=True)


class BeneficiaryItem(TeekaModel):
    Meta = table_meta("beneficiaries")
    beneficiary_reference_id = UnicodeAttribute(hash_key=True)
    mobile = UnicodeAttribute()
    name = UnicodeAttribute()
    birth_year = NumberAttribute()
    gender_id = NumberAttribute()
    photo_id_type = NumberAttribute()
    id_claim = UnicodeAttribute()  # HMAC of the normalised ID: the number itself is never stored
    id_last4 = UnicodeAttribute()
    comorbidity_ind = UnicodeAttribute()
    consent_version = UnicodeAttribute()
    created_at = NumberAttribute()
    id_verified = BooleanAttribute(default=False)
    id_verification_txn = UnicodeAttribute(null=True)
    id_verification_attempts = NumberAttribute(default=0)  # OTP tries on the current transaction
    corrected = BooleanAttribute(default=False)
    doses_given = NumberAttribute(default=0)
    vaccine = UnicodeAttribute(null=True)
    dose1_date = UnicodeAttribute(null=True)  # ISO date
    dose2_date = UnicodeAttribute(null=True)
    dose3_date = UnicodeAttribute(null=True)
    precaution_vaccine = UnicodeAttribute(null=True)  # the precaution dose's (`vaccine` is the series')
    occupation = UnicodeAttribute(null=True)
    # The active appointment per dose, a summary (see store.booking): also the one-per-dose lock.
    appointment_dose1: MapAttribute[str, Any] = MapAttribute(null=True)
    appointment_dose2: MapAttribute[str, Any] = MapAttribute(null=True)
    appointment_dose3: MapAttribute[str, Any] = MapAttribute(null=True)
    # Where each dose was given (`dose_place`), by dose number: with the appointments, where the person
    # is known to the staff who may look them up.
    dose_places: MapAttribute[str, Any] = MapAttribute(default=dict)
    passport_number = UnicodeAttribute(null=True)
    passport_claim = UnicodeAttribute(null=True)
    birth_date = UnicodeAttribute(null=True)
    surname = UnicodeAttribute(null=True)
    voided_doses: MapAttribute[str, Any] = MapAttribute(default=dict)  # dose number -> records voided
    history_version = NumberAttribute(default=0)  # + 1 with each dose, correction and repair
    by_mobile = BeneficiariesByMobile()


class IdClaimItem(TeekaModel):
    """One item per photo ID in the country, keyed by its HMAC: the uniqueness guard."""

    Meta = table_meta("id-claims")
    claim = UnicodeAttribute(hash_key=True)
    beneficiary_reference_id = UnicodeAttribute()
    created_at = NumberAttribute()


class AuditItem(TeekaModel):
    """Who changed what, when: append-only."""

    Meta = table_meta("audit")
    subject = UnicodeAttribute(hash_key=True)  # e.g. beneficiary#12345678901234
    at = UnicodeAttribute(range_key=True)  # ISO timestamp + unique suffix, so entries sort by time
    action = UnicodeAttribute()
    actor = UnicodeAttribute()
    old: MapAttribute[str, Any] = MapAttribute(default=dict)
    new: MapAttribute[str, Any] = MapAttribute(default=dict)


def new_beneficiary(reference_id: str, mobile: str, registration: Registration, claim: str, id_last4: str,
                    now: int) -> BeneficiaryRecord:
    """A person as registered: the photo ID kept only as its claim (an HMAC) and its last 4 characters."""
    return BeneficiaryRecord(reference_id, mobile=mobile, name=registration.name, birth_year=registration.birth_year,
                           gender_id=registration.gender_id, photo_id_type=registration.photo_id_type,
                           id_claim=claim, id_last4=id_last4, comorbidity_ind=registration.comorbidity_ind,
                           consent_version=registration.consent_version, occupation=registration.occupation,
                           created_at=now)


def audit_entry(subject: str, action: str, actor: str, old: dict, new: dict, now: int) -> AuditItem:
    """An audit record; its sort key orders entries by time and never collides."""
    at = f"{datetime.fromtimestamp(now, UTC).isoformat()}#{uuid.uuid4().hex[:8]}"
    return AuditItem(subject, at, action=action, actor=actor, old=old, new=new)


class Outcome(Enum):
    DONE = "done"
    LIMIT_REACHED = "limit_reached"
    ID_TAKEN = "id_taken"
    REFERENCE_TAKEN = "reference_taken"
    REFUSED = "refused"


def register(beneficiary: BeneficiaryRecord, max_per_mobile: int,
             also: Callable[[Transaction], None] | None = None) -> Outcome:
    """One TransactWriteItems: bump the mobile's count (below the limit), claim the ID, write the
    beneficiary, and whatever `also` adds (a walk-in's dose, see store.vaccination). REFUSED when only
    `also`'s items refused."""
    claim = IdClaimItem(beneficiary.id_claim, beneficiary_reference_id=beneficiary.beneficiary_reference_id,
                        created_at=beneficiary.created_at)

    def build(transaction: Transaction) -> None:
        transaction.change("account", AccountItem(beneficiary.mobile), actions=[AccountItem.beneficiary_count.add(1)],
                           condition=AccountItem.beneficiary_count.does_not_exist()
                           | (AccountItem.beneficiary_count < max_per_mobile))
        transaction.put("claim", claim, condition=IdClaimItem.claim.does_not_exist())
        transaction.put("beneficiary", item_of(beneficiary, BeneficiaryItem),
                        condition=BeneficiaryItem.beneficiary_reference_id.does_not_exist())
        if also is not None:
            also(transaction)

    failed = Transaction(BeneficiaryItem).attempt(build)
    if failed is None:
        return Outcome.DONE
    # When several conditions fail, the most useful answer to the citizen comes first.
    return (Outcome.ID_TAKEN if "claim" in failed else Outcome.LIMIT_REACHED if "account" in failed
            else Outcome.REFERENCE_TAKEN if "beneficiary" in failed else Outcome.REFUSED)


def beneficiary_record(item: BeneficiaryItem) -> BeneficiaryRecord:
    return record_of(item, BeneficiaryRecord)


def for_mobile(mobile: str) -> list[BeneficiaryRecord]:
    return [beneficiary_record(item) for item in BeneficiaryItem.by_mobile.query(mobile)]


def get_many(reference_ids: list[str]) -> dict[str, BeneficiaryRecord]:
    """One BatchGetItem per 100 ids, consistent."""
    return {item.beneficiary_reference_id: beneficiary_record(item)
            for item in BeneficiaryItem.batch_get(list(dict.fromkeys(reference_ids)), consistent_read=True)}


def get(reference_id: str) -> BeneficiaryRecord | None:
    try:
        return beneficiary_record(BeneficiaryItem.get(reference_id, consistent_read=True))
    except BeneficiaryItem.DoesNotExist:
        return None


def delete(beneficiary: BeneficiaryRecord) -> Outcome:
    """Remove a never-vaccinated beneficiary without appointments, and give back its ID claim and its
    place on the mobile."""
    if Transaction(BeneficiaryItem).attempt(lambda transaction: removal(transaction, beneficiary)) is None:
        return Outcome.DONE
    return Outcome.REFUSED


def removal(transaction: Transaction, beneficiary: BeneficiaryRecord, doses_given: int = 0) -> None:
    """The items of a beneficiary's removal: the registration (while it holds `doses_given` doses, no
    appointment and the passport as read), its ID claims, its place on the mobile. A removal with doses
    is a merge's (their records stay, voided: docs/grievances.md)."""
    transaction.remove("beneficiary", BeneficiaryItem(beneficiary.beneficiary_reference_id),
                       condition=(BeneficiaryItem.mobile == beneficiary.mobile)
                       & (BeneficiaryItem.doses_given == doses_given)
                       & BeneficiaryItem.appointment_dose1.does_not_exist()
                       & BeneficiaryItem.appointment_dose2.does_not_exist()
                       & BeneficiaryItem.appointment_dose3.does_not_exist() & _same_travel_details(beneficiary)
                       & same_history(beneficiary))
    transaction.remove("claim", IdClaimItem(beneficiary.id_claim),
                       condition=IdClaimItem.beneficiary_reference_id == beneficiary.beneficiary_reference_id)
    if beneficiary.passport_claim and beneficiary.passport_claim != beneficiary.id_claim:
        transaction.remove("passport", IdClaimItem(beneficiary.passport_claim),
                           condition=IdClaimItem.beneficiary_reference_id == beneficiary.beneficiary_reference_id)
    transaction.change("account", AccountItem(beneficiary.mobile), actions=[AccountItem.beneficiary_count.add(-1)],
                       condition=AccountItem.beneficiary_count > 0)


def correct(beneficiary: BeneficiaryRecord, changes: dict[str, Any], actor: str, now: int,
            also: Callable[[Transaction], None] | None = None) -> Outcome:
    """Apply the one-time correction and its audit record (old and new values) together, and mark the
    certificates of the doses given so far due for reissue, with whatever `also` adds (the dose
    records' corrections, see store.vaccination); refused if it was used (or a dose recorded) meanwhile."""
    audit = audit_entry(f"beneficiary#{beneficiary.beneficiary_reference_id}", "correction", actor,
                        {name: getattr(beneficiary, name) for name in changes}, changes, now)
    attributes = BeneficiaryItem.get_attributes()
    actions = [attributes[name].set(value) for name, value in changes.items()]
    actions.append(BeneficiaryItem.corrected.set(True))
    transaction = Transaction(BeneficiaryItem)
    try:
        with transaction:
            transaction.change("beneficiary", BeneficiaryItem(beneficiary.beneficiary_reference_id), actions=actions,
                               condition=(BeneficiaryItem.mobile == beneficiary.mobile)
                               & (BeneficiaryItem.corrected == False)  # noqa: E712
                               & (BeneficiaryItem.doses_given == int(beneficiary.doses_given))
                               & _same_travel_details(beneficiary))
            transaction.put("audit", audit, condition=AuditItem.at.does_not_exist())
            for dose in range(1, int(beneficiary.doses_given) + 1):
                certificates.mark_due(transaction, beneficiary.beneficiary_reference_id, dose, beneficiary.mobile,
                                      now)
            if also is not None:
                also(transaction)
    except TransactWriteError as error:
        if transaction.failed(error) is None:
            raise
        return Outcome.REFUSED
    return Outcome.DONE


def same_history(beneficiary: BeneficiaryRecord) -> Any:
    """The person's doses as read (`history_version`: one more with each dose, correction and repair)."""
    version = int(beneficiary.history_version)
    same = BeneficiaryItem.history_version == version
    return same | BeneficiaryItem.history_version.does_not_exist() if version == 0 else same


def _same_travel_details(beneficiary: BeneficiaryRecord) -> Any:
    """The condition that the person's passport is still as read (a passport added meanwhile would
    otherwise be left claimed by nobody, or contradict what is changed)."""
    if beneficiary.passport_claim is None:
        return BeneficiaryItem.passport_claim.does_not_exist()
    return BeneficiaryItem.passport_claim == beneficiary.passport_claim


def add_travel_details(beneficiary: BeneficiaryRecord, passport_number: str, claim: str, birth_date: str,
                       surname: str, masked_passport: str, now: int) -> Outcome:
    """Add the passport (claimed among all photo IDs, unless it is the person's registered photo ID),
    date of birth and surname once, with its audit record, and mark every certificate due for reissue:
    one TransactWriteItems. ID_TAKEN when another person holds the passport; REFUSED when the details
    were added, or the person changed, meanwhile."""
    failed = Transaction(BeneficiaryItem).attempt(travel_details(
        beneficiary, passport_number, claim, birth_date, surname, masked_passport, beneficiary.mobile, now))
    if failed is None:
        return Outcome.DONE
    return Outcome.ID_TAKEN if "claim" in failed else Outcome.REFUSED


def travel_details(beneficiary: BeneficiaryRecord, passport_number: str, claim: str, birth_date: str, surname: str,
                   masked_passport: str, actor: str, now: int) -> Callable[[Transaction], None]:
    """The items of adding travel details (`add_travel_details`), by `actor`, for a transaction."""
    reference_id = beneficiary.beneficiary_reference_id
    audit = audit_entry(f"beneficiary#{reference_id}", "travel details", actor, {},
                        {"passport_number": masked_passport, "birth_date": birth_date, "surname": surname}, now)

    def build(transaction: Transaction) -> None:
        transaction.change("beneficiary", BeneficiaryItem(reference_id), actions=[
            BeneficiaryItem.passport_number.set(passport_number), BeneficiaryItem.passport_claim.set(claim),
            BeneficiaryItem.birth_date.set(birth_date), BeneficiaryItem.surname.set(surname)],
            condition=(BeneficiaryItem.mobile == beneficiary.mobile) & BeneficiaryItem.passport_number.does_not_exist()
            & (BeneficiaryItem.birth_year == int(beneficiary.birth_year)) & (BeneficiaryItem.name == beneficiary.name)
            & (BeneficiaryItem.doses_given == int(beneficiary.doses_given)))
        if claim != beneficiary.id_claim:
            transaction.put("claim", IdClaimItem(claim, beneficiary_reference_id=reference_id, created_at=now),
                            condition=IdClaimItem.claim.does_not_exist())
        transaction.put("audit", audit, condition=AuditItem.at.does_not_exist())
        for dose in range(1, int(beneficiary.doses_given) + 1):
            certificates.mark_due(transaction, reference_id, dose, beneficiary.mobile, now)

    return build


def moving(transaction: Transaction, beneficiary: BeneficiaryRecord, to_mobile: str, max_per_mobile: int,
           actor: str, now: int) -> None:
    """The items of moving a beneficiary to another mobile (docs/grievances.md): the registration (as
    read, with no open appointment), its place given back on its mobile and taken on the other (below
    its limit), an audit record."""
    reference_id = beneficiary.beneficiary_reference_id
    transaction.change("beneficiary", BeneficiaryItem(reference_id), [BeneficiaryItem.mobile.set(to_mobile)],
                       (BeneficiaryItem.mobile == beneficiary.mobile)
                       & same_history(beneficiary) & BeneficiaryItem.appointment_dose1.does_not_exist()
                       & BeneficiaryItem.appointment_dose2.does_not_exist()
                       & BeneficiaryItem.appointment_dose3.does_not_exist())
    transaction.change("account", AccountItem(beneficiary.mobile), actions=[AccountItem.beneficiary_count.add(-1)],
                       condition=AccountItem.beneficiary_count > 0)
    transaction.change("new account", AccountItem(to_mobile), actions=[AccountItem.beneficiary_count.add(1)],
                       condition=AccountItem.beneficiary_count.does_not_exist()
                       | (AccountItem.beneficiary_count < max_per_mobile))
    transaction.put("audit", audit_entry(f"beneficiary#{reference_id}", "moved to another mobile", actor,
                                         {"mobile": mask_mobile(beneficiary.mobile)},
                                         {"mobile": mask_mobile(to_mobile)}, now),
                    condition=AuditItem.at.does_not_exist())


def audit_trail(subject: str) -> list[AuditRecord]:
    return [record_of(item, AuditRecord) for item in AuditItem.query(subject)]


def set_verification_txn(reference_id: str, mobile: str, txn: str) -> bool:
    return _update_owned(reference_id, mobile, [BeneficiaryItem.id_verification_txn.set(txn),
                                                BeneficiaryItem.id_verification_attempts.set(0)])


def spend_verification_attempt(reference_id: str, mobile: str, txn: str, max_attempts: int) -> bool:
    """Count one OTP try on the current verification before the provider judges it: only while the
    transaction is the current one and a try is left, so parallel guesses get `max_attempts` judged."""
    return _update_owned(reference_id, mobile, [BeneficiaryItem.id_verification_attempts.add(1)],
                         (BeneficiaryItem.id_verification_txn == txn)
                         & (BeneficiaryItem.id_verification_attempts < max_attempts))


def mark_verified(reference_id: str, mobile: str, txn: str) -> bool:
    return _update_owned(reference_id, mobile,
                         [BeneficiaryItem.id_verified.set(True), BeneficiaryItem.id_verification_txn.remove()],
                         BeneficiaryItem.id_verification_txn == txn)


def _update_owned(reference_id: str, mobile: str, actions: list, extra_condition=None) -> bool:
    condition = BeneficiaryItem.mobile == mobile
    if extra_condition is not None:
        condition &= extra_condition
    try:
        BeneficiaryItem(reference_id).update(actions=actions, condition=condition)
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True
