"""Vaccination certificates: issued once per dose (and again when its facts are corrected), signed by
KMS, served to the mobile that owns the beneficiary, verified by anyone.

Issuance (`issue`, run by the certificates queue's worker; the dose stream and the sweep feed it):
GetItem slot; when due: GetItem beneficiary + Query doses + BatchGetItem vaccinator name, a
GetItem of the account's language (the PDF is in it and English), a
TransactWriteItems claiming the slot (slot + new certificate), kms:Sign, S3 PutObject, and a
TransactWriteItems completing it (slot + certificate + the superseded certificate's revocation), then a
GetItem of the beneficiary's document locker link (a push queued when linked: services/locker.py).
A slot that is not due costs the one GetItem, so duplicate events are cheap.

Download: Query slots (1 call, ≤ total doses items) + S3 GetObject. Credential: Query + GetItem.
Verify: no DynamoDB call for an invalid QR; GetItem (the revocation) for a well-signed one.
Revocation list: one Query page of a sparse index.
"""
from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from chalicelib import verifier
from chalicelib.adapters import documents, queues, signing
from chalicelib.config import CountryProfile
from chalicelib.domain import certificates as rules
from chalicelib.domain import errors, inputs, messages
from chalicelib.domain import international as international_rules
from chalicelib.domain.dose_history import standing
from chalicelib.domain.errors import ApiError
from chalicelib.domain.records import CertificateRecord
from chalicelib.observability import logger, metrics
from chalicelib.services import international, locker, views
from chalicelib.services.accounts import language_of
from chalicelib.services.certificate_owner import latest_issued
from chalicelib.services.metadata import place_names
from chalicelib.services.outbox import notify, request_certificates
from chalicelib.store import auth as staff_store
from chalicelib.store import certificates as store
from chalicelib.store import registration as people
from chalicelib.store import vaccination as doses
from chalicelib.store.vaccination import CORRECTION, DOSE

ISSUED, CURRENT, LOST, NOTHING = "issued", "current", "lost", "nothing"
SWEEP_GRACE_SECONDS = 120  # the event path gets this long before the sweep steps in
SWEEP_LIMIT_PER_SHARD = 500
REVOCATION_PAGE = 1000


# -- issuing ---------------------------------------------------------------------------------------

def on_dose_event(image: Mapping[str, Any]) -> None:
    """A dose or a correction of one was recorded: its certificate is (re)issued through the queue."""
    if image["kind"] in (DOSE, CORRECTION):
        request_certificates(str(image["beneficiary_reference_id"]), [int(image["dose"])])


def content_of(reference_id: str, dose: int, profile: CountryProfile) -> rules.Content | None:
    """What the certificate of this dose says now, from the beneficiary and their dose records."""
    person = people.get(reference_id)
    records = standing(doses.history(reference_id))
    if person is None or dose not in records:
        return None
    vaccinators = staff_store.names({records[dose].record.site().vaccinator})

    def facts(number: int) -> rules.DoseFacts:
        site, current = records[number].record.site(), records[number].current
        places = place_names(profile, site.state_id, site.district_id)
        vaccine = profile.vaccine(current.vaccine)
        return rules.DoseFacts(
            dose=number, vaccine=current.vaccine, manufacturer=vaccine.manufacturer if vaccine else "",
            batch=current.batch, given_at=int(current.given_at), given_on=current.given_on,
            vaccinator=vaccinators.get(site.vaccinator, "") if number == dose else "",
            center_name=site.center_name, district=places["district_name"], state=places["state_name"])

    vaccine = profile.vaccine(records[dose].current.vaccine)
    gender = next((g for g in profile.genders if g.id == int(person.gender_id)), None)
    subject = rules.Subject(
        reference_id=reference_id, name=person.name, birth_year=int(person.birth_year),
        gender=gender.gender if gender else "", id_type=profile.id_type_name(int(person.photo_id_type)),
        masked_id=views.masked_id(person), sex=international_rules.fhir_sex(gender.report_as if gender else ""))
    traveller = None
    if person.passport_number and person.birth_date:
        family, given = international_rules.split_name(person.name, person.surname or "")
        traveller = rules.Traveller(person.passport_number, person.birth_date, family, given)
    precaution = bool(records[dose].record.precaution)
    return rules.Content(subject=subject, dose=facts(dose),
                         total_doses=vaccine.total_doses if vaccine and not precaution else dose,
                         previous=facts(dose - 1) if dose - 1 in records else None, traveller=traveller,
                         precaution=precaution)


def issue(reference_id: str, dose: int, profile: CountryProfile, now: int | None = None) -> str:
    """Make sure this dose has a certificate that says its current facts. Safe to run any number of
    times, concurrently: the slot's conditional writes let exactly one certificate through."""
    now = int(time.time()) if now is None else now
    slot = store.slot(reference_id, dose)
    if slot is None or (slot.due_shard is None and slot.issued_id):
        return CURRENT if slot is not None else NOTHING
    content = content_of(reference_id, dose, profile)
    if content is None:
        return NOTHING
    basis = rules.basis(content)
    if slot.issued_id and slot.claimed_id == slot.issued_id and slot.claimed_basis == basis:
        store.settle(slot)  # marked due, but nothing the certificate says changed
        return CURRENT
    if slot.claimed_id and slot.claimed_basis == basis:
        certificate = store.certificate(slot.claimed_id)  # claimed, never completed: finish that one
    else:
        certificate = store.new_certificate(reference_id, dose, content.kind, now)
        if not store.claim(slot, certificate, basis):
            return LOST
    if certificate is None:
        return LOST
    signed = _sign_and_store(content, certificate, profile, language_of(profile, slot.mobile))
    if not store.complete(slot, signed, now):
        return LOST
    metrics.add_metric(name="CertificateIssued", unit="Count", value=1)
    notify(slot.mobile, messages.certificate_ready(content.kind, dose, reference_id))
    locker.certificate_changed(reference_id, dose, profile)  # queued, never in issuance's way
    return ISSUED


def _sign_and_store(content: rules.Content, certificate: CertificateRecord, profile: CountryProfile,
                    language: str) -> CertificateRecord:
    """Sign the certificate in every format it has, store its PDFs (in `language` and English), and
    return it with its signed formats."""
    # fpdf2 and the QR encoder load only in the containers that make certificates.
    from chalicelib.services.certificate_pdf import MAX_QR_DIGITS, render

    key = signing.signing_key()
    for tier in range(len(rules.FIT_TIERS)):
        claims = rules.claims(content, certificate.certificate_id, int(certificate.issued_at),
                              profile.certificate_issuer, profile.country_code, profile.nationality,
                              profile.certificate_shows_birth_year, tier)
        message = verifier.signing_input(claims, key.kid)
        if verifier.qr_digits(message) <= MAX_QR_DIGITS:
            break
    jws = verifier.compact(message, signing.sign(message, key))
    documents.put_pdf(documents.certificate_key(certificate.certificate_id),
                      render(rules.summary(claims), verifier.qr_text(jws), profile, language))
    return international.sign(content, replace(certificate, jws=jws, kid=key.kid), profile, key, language)


def sweep(now: int | None = None) -> int:
    """Queue every slot still due a while after it was marked (its event was lost or failed)."""
    now = int(time.time()) if now is None else now
    queued = 0
    for shard in range(store.DUE_SHARDS):
        pending = [{"beneficiary_reference_id": reference_id, "dose": dose}
                   for reference_id, dose in store.due(store.shard_name(shard), now - SWEEP_GRACE_SECONDS,
                                                       SWEEP_LIMIT_PER_SHARD)]
        queues.send_many(queues.CERTIFICATES, pending)
        queued += len(pending)
    if queued:
        logger.warning("certificate sweep queued slots the event path had not finished", extra={"count": queued})
        metrics.add_metric(name="CertificatesSwept", unit="Count", value=queued)
    return queued


# -- the citizen's certificate -----------------------------------------------------------------------

def pdf(mobile: str, query: Mapping[str, str]) -> bytes:
    issued_id = latest_issued(mobile, inputs.text(query, "beneficiary_reference_id", 20))
    return documents.get_pdf(documents.certificate_key(issued_id))


def credential(mobile: str, query: Mapping[str, str]) -> dict:
    """The signed credential behind the latest certificate: its JWS, QR text and decoded content."""
    certificate = store.certificate(latest_issued(mobile, inputs.text(query, "beneficiary_reference_id", 20)))
    if certificate is None or certificate.jws is None:  # the slot names it only once it is written
        raise ApiError(errors.CERTIFICATE_NOT_READY)
    claims = verifier.payload(certificate.jws)  # our own stored JWS: no need to verify it
    return {"certificate_id": certificate.certificate_id, "status": certificate.kind, "dose": int(certificate.dose),
            "jws": certificate.jws, "qr": verifier.qr_text(certificate.jws), "credential": claims["vc"]}


# -- verifying -----------------------------------------------------------------------------------------

def verify(body: Mapping[str, Any]) -> dict:
    text = body.get("qr")
    if not isinstance(text, str) or not text.strip() or len(text) > verifier.MAX_QR_TEXT:
        raise ApiError(errors.INVALID_CERTIFICATE_QUERY)
    verdict = verifier.verify(text, signing.jwks())
    if verdict.unknown_key and signing.refresh_jwks():  # a key published since this container read them
        verdict = verifier.verify(text, signing.jwks())
    if verdict.status == verifier.INVALID:
        return {"status": verdict.status, "reason": verdict.reason}
    certificate = store.certificate(verdict.certificate_id)
    answer: dict[str, Any] = {"status": verifier.VALID, "certificate": rules.summary(verdict.claims)}
    if certificate is not None and certificate.revoked_at is not None:
        answer.update(status=verifier.REVOKED, reason=f"revoked ({certificate.revoked_reason})",
                      revoked_at=rules.instant(int(certificate.revoked_at)), superseded_by=certificate.superseded_by)
    return answer


def revoked(query: Mapping[str, str]) -> dict:
    """Revoked certificate ids for offline verifiers, oldest first: `since` (epoch seconds) and `next` page."""
    try:
        since = int(query.get("since", "0"))
        start = _cursor_key(query["next"]) if query.get("next") else None
    except (ValueError, KeyError, TypeError):
        raise ApiError(errors.INVALID_REVOCATION_CURSOR) from None
    items, last = store.revoked_since(since, REVOCATION_PAGE, start)
    return {"revoked": [{"certificate_id": item.certificate_id, "revoked_at": rules.instant(item.revoked_at),
                         "reason": item.revoked_reason, "superseded_by": item.superseded_by}
                        for item in items if item.revoked_at is not None],  # the index holds revoked ones only
            "next": _cursor(last) if last else None}


def _cursor(key: dict) -> str:
    position = [key["revoked_at"]["N"], key["certificate_id"]["S"]]
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _cursor_key(cursor: str) -> dict:
    revoked_at, certificate_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    if not isinstance(certificate_id, str):
        raise ValueError("cursor")
    return {"revoked_list": {"S": store.REVOKED}, "revoked_at": {"N": str(int(revoked_at))},
            "certificate_id": {"S": str(uuid.UUID(certificate_id))}}
