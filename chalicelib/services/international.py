"""International certificates: a traveller's passport details, and each certificate's WHO DDCC:VS core
data set, SMART Health Card and EU Digital COVID Certificate, with each standard's trust and revocation.

They are made with the domestic certificate, by the same issuance (services.certificates), whenever the
person added travel details: one certificate id, one claim, one completion, so a correction or a
revocation reissues or revokes every format at once.

DynamoDB calls:
- add travel details: GetItem (beneficiary) + TransactWriteItems (beneficiary, passport claim, audit,
  a due mark per certificate); the reissue goes through the certificates queue.
- download a format: Query (slots) + GetItem (certificate), + S3 GetObject for the PDF; + GetItem
  (beneficiary) only to explain why there is none.
- JWKS: + 1 BatchGetItem (the revocation counter's 8 shards: each key's `crlVersion`).
- SHC revocation list of a key, EU DCC revocation list: the revoked index's pages, filtered by key (CDN-cached).
- DCC trust list: none (KMS and S3, cached per container).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from chalicelib import hcert, verifier
from chalicelib.adapters import documents, signing
from chalicelib.adapters.secrets import get_secrets
from chalicelib.config import CountryProfile, VaccineCodes, get_settings
from chalicelib.domain import errors, identity, inputs
from chalicelib.domain import international as rules
from chalicelib.domain.calendar import local_date
from chalicelib.domain.certificates import Content
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_passport
from chalicelib.domain.records import BeneficiaryRecord, CertificateRecord
from chalicelib.observability import logger, metrics
from chalicelib.services import qr, registration
from chalicelib.services.certificate_owner import latest_issued
from chalicelib.services.outbox import request_certificates
from chalicelib.store import certificates as store
from chalicelib.store import registration as people
from chalicelib.store.registration import Outcome

SHC_PREFIX = "shc:/"
MAX_SHC_DIGITS = 2390  # a JWS of 1,195 characters: what the SMART Health Cards spec says version 22 holds
# What the SMART Health Card says of each dose's centre, longest first: the first that keeps its QR
# within version 22 (a JWS of 1,195 characters) is taken.
SHC_CENTRE_LENGTHS = (200, 60, 24, 0)


# -- travellers ------------------------------------------------------------------------------------------

def add_travel_details(mobile: str, reference_id: str, body: Mapping[str, Any], now: int,
                       profile: CountryProfile) -> dict:
    """Add a beneficiary's passport, full date of birth and surname, once; their certificates are
    reissued with the international formats."""
    person = registration.owned(mobile, reference_id)
    details = rules.parse_travel_details(body, profile, person.name, int(person.birth_year), local_date(profile, now))
    claim = identity.claim_key(get_secrets().id_hmac_key, profile.passport_id_type, details.passport_number)
    view = travel_view(details.passport_number, details.birth_date, *rules.split_name(person.name, details.surname),
                       reference_id)
    if person.passport_number:
        if _holds(person, claim, details):
            return view  # a repeated request (a retry after a lost answer): the same answer
        raise ApiError(errors.TRAVEL_DETAILS_ADDED)
    outcome = people.add_travel_details(person, details.passport_number, claim, details.birth_date, details.surname,
                                        mask_passport(details.passport_number), now)
    if outcome is not Outcome.DONE:
        now_held = people.get(reference_id)
        if now_held is not None and _holds(now_held, claim, details):
            return view  # a twin request added these very details a moment ago
        if outcome is Outcome.ID_TAKEN:
            metrics.add_metric(name="DuplicateIdRefused", unit="Count", value=1)
            raise ApiError(errors.DUPLICATE_ID, "This passport is already registered; one passport can belong to "
                                                "one person only")
        if now_held is not None and now_held.passport_number:
            raise ApiError(errors.TRAVEL_DETAILS_ADDED)
        raise ApiError(errors.BENEFICIARY_CHANGED)
    request_certificates(reference_id, range(1, int(person.doses_given) + 1))
    logger.info("travel details added")
    return view


def _holds(person: BeneficiaryRecord, claim: str, details: rules.TravelDetails) -> bool:
    return (person.passport_claim, person.birth_date, person.surname) == (claim, details.birth_date, details.surname)


def travel_view(passport_number: str, birth_date: str, family: str, given: str, reference_id: str) -> dict:
    return {"beneficiary_reference_id": reference_id, "passport_number": mask_passport(passport_number),
            "birth_date": birth_date, "surname": family, "given_names": given}


# -- issuing -----------------------------------------------------------------------------------------------

def sign(content: Content, certificate: CertificateRecord, profile: CountryProfile, key: signing.SigningKey,
         language: str) -> CertificateRecord:
    """`certificate` with its international formats (none without travel details or codes), signed by
    `key`, once the international PDF is stored."""
    vaccine = profile.vaccine(content.dose.vaccine)
    codes = vaccine.codes if vaccine else None
    if content.traveller is None or codes is None:
        return certificate
    issuance = rules.Issuance(certificate.certificate_id, int(certificate.issued_at), profile.country_code,
                              profile.country_code_alpha3 or profile.country_code,
                              profile.certificate_authority, profile.international_certificate_valid_days)
    ddcc = rules.core_data_set(content, codes, issuance)
    previous = profile.vaccine(content.previous.vaccine) if content.previous else None
    revocation_id = rules.rid(key.kid, certificate.certificate_id)
    shc = _smart_health_card(content, codes, previous.codes if previous else None, certificate, revocation_id, key)
    hc1 = None
    if codes.eu_mp and codes.eu_ma and codes.eu_vp:
        payload = rules.dcc_payload(ddcc, content.traveller, codes, profile.country_code)
        dsc = signing.document_signer(key)
        hc1 = hcert.sign(rules.cwt_claims(payload, issuance), hcert.kid_of(dsc), lambda data: signing.sign(data, key))
        if qr.reference_version(hc1) > qr.MAX_VERSION:  # never with names the schema allows (80 characters)
            logger.warning("an EU DCC too large for one QR code was left out")
            hc1 = None
    if shc is None and hc1 is None:
        return certificate  # the domestic certificate is issued all the same
    from chalicelib.services import international_pdf  # fpdf2 loads only where certificates are made

    documents.put_pdf(documents.international_key(certificate.certificate_id), international_pdf.render(
        ddcc, verifier.qr_text(shc, SHC_PREFIX) if shc else None, hc1, profile, language))
    metrics.add_metric(name="InternationalCertificateIssued", unit="Count", value=1)
    return replace(certificate, ddcc=json.dumps(ddcc, ensure_ascii=False, separators=(",", ":")), shc=shc,
                   rid=revocation_id if shc else None, hc1=hc1,
                   uvci=ddcc["certificate"]["hcid"]["value"] if hc1 else None)


def _smart_health_card(content: Content, codes: VaccineCodes, previous_codes: VaccineCodes | None,
                       certificate: CertificateRecord, revocation_id: str, key: signing.SigningKey) -> str | None:
    """The card's JWS, its centre names shortened as far as one version-22 QR code needs; None when even
    that is too large (a name of 100 characters of a script UTF-8 writes in 4 bytes)."""
    for centre_length in SHC_CENTRE_LENGTHS:
        claims = rules.shc_claims(content, codes, previous_codes, get_settings().public_url,
                                  int(certificate.issued_at), revocation_id, centre_length)
        message = verifier.signing_input(claims, key.kid)
        if verifier.qr_digits(message) <= MAX_SHC_DIGITS:
            return verifier.compact(message, signing.sign(message, key))
    logger.warning("a SMART Health Card too large for one QR code was left out")
    return None


# -- the citizen's international certificate -----------------------------------------------------------------

def _issued(mobile: str, query: Mapping[str, str], profile: CountryProfile) -> CertificateRecord:
    """The latest certificate, if it carries the international formats; otherwise why not."""
    reference_id = inputs.text(query, "beneficiary_reference_id", 20)
    certificate = store.certificate(latest_issued(mobile, reference_id))
    if certificate is None or certificate.jws is None:
        raise ApiError(errors.CERTIFICATE_NOT_READY)
    if certificate.ddcc is None:
        person = people.get(reference_id)
        if person is None or not person.passport_number:
            raise ApiError(errors.NO_TRAVEL_DETAILS)
        vaccine = profile.vaccine(person.vaccine or "")
        if vaccine is None or vaccine.codes is None:
            raise ApiError(errors.NO_INTERNATIONAL_FORMAT)
        raise ApiError(errors.CERTIFICATE_NOT_READY)  # added a moment ago: the reissue is on its way
    return certificate


def international_pdf(mobile: str, query: Mapping[str, str], profile: CountryProfile) -> bytes:
    return documents.get_pdf(documents.international_key(_issued(mobile, query, profile).certificate_id))


def ddcc(mobile: str, query: Mapping[str, str], profile: CountryProfile) -> dict:
    return json.loads(_issued(mobile, query, profile).ddcc or "{}")


def smart_health_card(mobile: str, query: Mapping[str, str], profile: CountryProfile) -> dict:
    """The `.smart-health-card` file: `{"verifiableCredential": [<JWS>]}`."""
    certificate = _issued(mobile, query, profile)
    if certificate.shc is None:
        raise ApiError(errors.NO_INTERNATIONAL_FORMAT)
    return {"verifiableCredential": [certificate.shc]}


def eu_dcc(mobile: str, query: Mapping[str, str], profile: CountryProfile) -> dict:
    certificate = _issued(mobile, query, profile)
    if certificate.hc1 is None:
        raise ApiError(errors.NO_INTERNATIONAL_FORMAT)
    return {"certificate_id": certificate.certificate_id, "uvci": certificate.uvci, "qr": certificate.hc1}


# -- trust and revocation -------------------------------------------------------------------------------------

def public_keys() -> dict:
    """The JWKS, each key with `crlVersion`: how many certificates were ever revoked, which grows whenever
    a list changes, as SMART Health Cards' revocation asks."""
    version = store.revocation_count()
    return {"keys": [{**key, **({"crlVersion": version} if version else {})} for key in signing.jwks()["keys"]]}


def _published(kid: str) -> signing.SigningKey:
    found = next((key for key in signing.published() if key.kid == kid), None)
    if found is None:
        raise ApiError(errors.UNKNOWN_SIGNING_KEY)
    return found


def shc_revocations(kid: str) -> dict:
    """A key's SMART Health Card revocation list (`/.well-known/crl/<kid>.json`)."""
    key = _published(kid)
    rids = [certificate.rid for certificate in store.revoked_by_key(key.kid) if certificate.rid]
    return {"kid": key.kid, "method": "rid", "ctr": store.revocation_count(), "rids": rids}


def dcc_trust_list() -> list[dict]:
    return signing.dcc_trust_list()


def dcc_revocations() -> list[dict]:
    """The EU DCC revocation list: per document signer, the UCI hashes of the UVCIs it signed and revoked."""
    hashes: dict[str, list[dict]] = {}
    for certificate in store.revoked_by_key():  # one read of the list for every key
        if certificate.uvci and certificate.kid:
            hashes.setdefault(certificate.kid, []).append({"hash": hcert.uvci_hash(certificate.uvci)})
    batches = []
    for key in signing.published():
        entry = signing.trust_list_entry(key)
        batches.append({"kid": entry["kid"], "country": entry["country"], "expires": entry["expires"],
                        "hashType": "UCI", "entries": hashes.get(key.kid, [])})
    return batches

