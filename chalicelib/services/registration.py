"""Registering people on a mobile: add, list, delete, the one-time correction, and ID verification.

DynamoDB calls: register = 1 TransactWriteItems (count + ID claim + beneficiary);
list = 1 Query (by-mobile index); delete = GetItem + TransactWriteItems;
correction = GetItem + TransactWriteItems (change + audit record);
ID verification: start = GetItem + TransactWriteItems (its two daily limits) + UpdateItem;
confirm = GetItem + UpdateItem (the try, counted first) + UpdateItem (verified).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from chalicelib.adapters import national_id
from chalicelib.adapters.secrets import get_secrets
from chalicelib.config import CountryProfile
from chalicelib.domain import beneficiaries as rules
from chalicelib.domain import errors, identity, limits
from chalicelib.domain.calendar import local_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.international import split_name
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.records import BeneficiaryRecord
from chalicelib.observability import logger, metrics
from chalicelib.services import views
from chalicelib.services.outbox import request_certificates
from chalicelib.store import limits as limit_store
from chalicelib.store import registration as store
from chalicelib.store import vaccination as vaccination_store
from chalicelib.store.common import Transaction
from chalicelib.store.registration import Outcome

REFERENCE_ATTEMPTS = 3


def _current_year(now: int, profile: CountryProfile) -> int:
    return local_date(profile, now).year


class Refused(Exception):
    """What the caller added refused the registration's transaction: a walk-in's dose (its session's
    seats were gone), or an operator's count (their day was full)."""


def register(mobile: str, body: Mapping[str, Any], now: int, profile: CountryProfile,
             first_dose: Callable[[BeneficiaryRecord], vaccination_store.FirstDose] | None = None,
             also: Callable[[BeneficiaryRecord], Callable[[Transaction], None]] | None = None) -> str:
    """Register one person on `mobile`; returns their 14-digit beneficiary reference id. A walk-in's
    `first_dose(person)` checks and returns the dose recorded with the registration, at once (and the
    vial it draws on); an operator's `also(person)` gives what their action writes in the
    registration's own transaction (their record and count, see services/assisted.py)."""
    registration = rules.parse_registration(body, _current_year(now, profile), profile)
    claim = identity.claim_key(get_secrets().id_hmac_key, registration.photo_id_type, registration.photo_id_number)
    for _ in range(REFERENCE_ATTEMPTS):
        beneficiary = store.new_beneficiary(rules.new_reference_id(), mobile, registration, claim,
                                            identity.last4(registration.photo_id_number), now)
        reference_id = beneficiary.beneficiary_reference_id
        outcome = store.register(beneficiary, profile.max_beneficiaries_per_mobile,
                                 None if also is None else also(beneficiary)) if first_dose is None else \
            vaccination_store.register_vaccinated(beneficiary, first_dose(beneficiary),
                                                  profile.max_beneficiaries_per_mobile)
        if outcome is Outcome.REFUSED:
            raise Refused
        if outcome is Outcome.DONE:
            metrics.add_metric(name="BeneficiaryRegistered", unit="Count", value=1)
            logger.info("beneficiary registered", extra={"mobile": mask_mobile(mobile)})
            return reference_id
        if outcome is Outcome.ID_TAKEN:
            metrics.add_metric(name="DuplicateIdRefused", unit="Count", value=1)
            raise ApiError(errors.DUPLICATE_ID)
        if outcome is Outcome.LIMIT_REACHED:
            raise ApiError(errors.BENEFICIARY_LIMIT,
                           f"At most {profile.max_beneficiaries_per_mobile} beneficiaries can be registered "
                           "on one mobile number")
        # REFERENCE_TAKEN: a 1-in-90-trillion collision; draw another id.
    raise ApiError(errors.REGISTRATION_BUSY)


def owned(mobile: str, reference_id: str) -> BeneficiaryRecord:
    """The beneficiary, if it is registered on `mobile`; otherwise the same not-found as for no beneficiary."""
    beneficiary = store.get(reference_id) if rules.is_reference_id(reference_id) else None
    if beneficiary is None or beneficiary.mobile != mobile:
        raise ApiError(errors.BENEFICIARY_NOT_FOUND)
    return beneficiary


def list_for(mobile: str, profile: CountryProfile) -> list[dict]:
    return [views.beneficiary(beneficiary, profile) for beneficiary in store.for_mobile(mobile)]


def delete(mobile: str, reference_id: str) -> None:
    beneficiary = owned(mobile, reference_id)
    if int(beneficiary.doses_given) > 0:
        raise ApiError(errors.DELETE_AFTER_DOSE)
    if beneficiary.appointment_dose1 is not None or beneficiary.appointment_dose2 is not None:
        raise ApiError(errors.DELETE_WITH_APPOINTMENT)
    if store.delete(beneficiary) is not Outcome.DONE:
        raise ApiError(errors.DELETE_AFTER_DOSE, "The beneficiary changed meanwhile (a dose or an appointment)")
    logger.info("beneficiary deleted", extra={"mobile": mask_mobile(mobile)})


def correct(mobile: str, reference_id: str, body: dict, now: int, profile: CountryProfile) -> dict:
    """The one-time correction of name, birth year or gender, recorded with old and new values."""
    beneficiary = owned(mobile, reference_id)
    if beneficiary.corrected:
        raise ApiError(errors.CORRECTION_USED)
    changes = rules.parse_correction(body, _current_year(now, profile), profile)
    changes |= travel_consistent(beneficiary, changes)
    corrected = replace(beneficiary, **changes)
    also = vaccination_store.person_corrections(beneficiary, corrected, mobile, now)
    if store.correct(beneficiary, changes, mobile, now, also) is not Outcome.DONE:
        raise ApiError(errors.CORRECTION_USED)
    request_certificates(reference_id, range(1, int(beneficiary.doses_given) + 1))  # what they print changed
    return views.beneficiary(corrected, profile)


def travel_consistent(beneficiary: BeneficiaryRecord, changes: dict[str, Any]) -> dict[str, Any]:
    """What else a correction changes for a traveller: the passport's date of birth fixes the birth year
    (refused otherwise), and a corrected name keeps the passport's surname if it still ends the name, or
    takes its last word."""
    if not beneficiary.passport_number:
        return {}
    if beneficiary.birth_date and changes.get("birth_year", int(beneficiary.birth_year)) != \
            int(beneficiary.birth_date[:4]):
        raise ApiError(errors.INVALID_BIRTH_YEAR, "The birth year must be the year of the date of birth the "
                                                  "passport details give")
    if "name" in changes:
        return {"surname": split_name(changes["name"], beneficiary.surname or "")[0]}
    return {}


def start_id_verification(mobile: str, reference_id: str, photo_id_number: str, now: int,
                          profile: CountryProfile) -> dict:
    """Ask the national-ID provider to send an OTP to the ID's linked mobile.

    The citizen types the ID number again: we keep only its HMAC, so it is checked against the claim
    and passed to the provider, never stored. Starts are limited per day per beneficiary and per ID
    number (a deleted and re-registered beneficiary keeps its ID's count): each one texts a phone that
    is not the citizen's.
    """
    beneficiary = owned(mobile, reference_id)
    if int(beneficiary.photo_id_type) not in profile.verifiable_id_types:
        raise ApiError(errors.ID_NOT_VERIFIABLE)
    number = identity.normalise(photo_id_number)
    claim = identity.claim_key(get_secrets().id_hmac_key, int(beneficiary.photo_id_type), number)
    if claim != beneficiary.id_claim:
        raise ApiError(errors.ID_MISMATCH)
    full = limit_store.hit_all([
        limits.window(limits.Limit("verify-id-person", profile.id_verification_starts_per_beneficiary_per_day,
                                   limits.DAY), reference_id, now),
        limits.window(limits.Limit("verify-id-number", profile.id_verification_starts_per_id_per_day, limits.DAY),
                      claim, now)])
    if full is not None:
        metrics.add_metric(name="IdVerificationLimited", unit="Count", value=1)
        raise limits.refused(full, now)
    try:
        txn, mobile_hint = national_id.get_provider().request_otp(number)
    except national_id.ProviderTimeout:
        raise ApiError(errors.ID_PROVIDER_UNAVAILABLE) from None
    except national_id.ProviderRefused:
        raise ApiError(errors.ID_VERIFICATION_FAILED, "The ID provider cannot authenticate this ID") from None
    store.set_verification_txn(reference_id, mobile, txn)
    return {"txnId": txn, "mobile_hint": mobile_hint}


def confirm_id_verification(mobile: str, reference_id: str, txn: str, otp: str, profile: CountryProfile) -> dict:
    beneficiary = owned(mobile, reference_id)
    if not txn or beneficiary.id_verification_txn != txn:
        # Once a right guess verified the ID, its transaction is spent: the guesses still in flight get
        # the same answer as any wrong one, so none of them learns which guess it was.
        raise ApiError(errors.ID_VERIFICATION_FAILED if beneficiary.id_verified else errors.ID_VERIFICATION_TXN)
    # The try is counted before the provider judges it; a refused count is answered like a wrong OTP.
    if not store.spend_verification_attempt(reference_id, mobile, txn, profile.id_verification_otp_attempts) \
            or not national_id.get_provider().verify_otp(txn, otp):
        raise ApiError(errors.ID_VERIFICATION_FAILED)
    if not store.mark_verified(reference_id, mobile, txn):
        raise ApiError(errors.ID_VERIFICATION_TXN)
    metrics.add_metric(name="IdVerified", unit="Count", value=1)
    return views.beneficiary(replace(beneficiary, id_verified=True), profile)
