"""Certificates in a document locker (India: DigiLocker), as an issuer there (docs/document-locker.md).

- A citizen links a beneficiary of their mobile to their locker account (`link`): the link is the
  consent. Unlinking withdraws it. 1 GetItem (the beneficiary is theirs) + 1 GetItem (an earlier link)
  + 1 PutItem + 1 Query (the certificates already issued, pushed at once: 1 SQS batch).
- The locker, signing each request with the key Teeka gave it, asks which document a person has
  (`pull_uri`: their reference id, name, date of birth and mobile; 1 GetItem person + 1 GetItem link +
  1 Query slots + 1 GetItem certificate) or asks for a document by its URI (`pull_doc`: 1 GetItem
  certificate + 1 GetItem link); either only with the person's consent, + 1 S3 GetObject for the PDF.
- Every certificate issued or reissued for a linked beneficiary is pushed (Push URI) through the locker
  queue (`certificate_changed`: 1 GetItem of the link on issuance, a message only when linked); the
  worker (`push`) adds the new URI and takes out the one it replaces, and remembers what the account
  holds: 1 GetItem link + 1 GetItem slot + 1 GetItem certificate + 1 UpdateItem.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chalicelib import verifier
from chalicelib.adapters import documents, queues
from chalicelib.adapters.locker import LockerDocument, get_locker, simulator
from chalicelib.adapters.secrets import get_secrets
from chalicelib.config import CountryProfile
from chalicelib.domain import errors, inputs
from chalicelib.domain import locker as rules
from chalicelib.domain.beneficiaries import is_reference_id
from chalicelib.domain.errors import ApiError
from chalicelib.domain.records import CertificateRecord, LockerLinkRecord
from chalicelib.observability import logger, metrics
from chalicelib.services import registration
from chalicelib.store import certificates as certificate_store
from chalicelib.store import locker as store
from chalicelib.store import registration as people

SIGNATURE_HEADER = "x-locker-hmac"  # DigiLocker's is x-digilocker-hmac: the same HMAC, a neutral name
FORMATS = ("pdf", "json", "both")
PUSH_TRIES = 3


def _issuer(profile: CountryProfile) -> str:
    if not profile.document_locker_issuer:
        raise ApiError(errors.LOCKER_NOT_OFFERED)
    return profile.document_locker_issuer


def _locker_id(body: Mapping[str, Any], name: str) -> str:
    value = inputs.text(body, name, 36)
    if not rules.is_locker_id(value):
        raise ApiError(errors.INVALID_LOCKER_ID)
    return value.lower()


# -- the citizen's consent ------------------------------------------------------------------------------

def link(mobile: str, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """Link a beneficiary of `mobile` to a locker account, and push their issued certificates there."""
    issuer = _issuer(profile)
    reference_id = inputs.text(body, "beneficiary_reference_id", 20)
    locker_id = _locker_id(body, "locker_id")
    registration.owned(mobile, reference_id)
    earlier = store.link_of(reference_id)
    # Linked again to the same account: it still holds what was pushed, which a reissue must take out.
    pushed = earlier.pushed if earlier is not None and earlier.locker_id == locker_id else {}
    store.link(LockerLinkRecord(reference_id, locker_id, mobile, now, pushed))
    issued = {int(slot.dose): slot.issued_id for slot in certificate_store.slots(reference_id) if slot.issued_id}
    _queue([{"beneficiary_reference_id": reference_id, "dose": dose} for dose in sorted(issued)])
    return {"beneficiary_reference_id": reference_id, "locker_id": locker_id,
            "linked_at": datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
            "uris": [rules.uri_of(issuer, issued[dose]) for dose in sorted(issued)]}


def unlink(mobile: str, body: Mapping[str, Any], profile: CountryProfile) -> None:
    """Withdraw the consent: the locker can pull nothing more, and nothing more is pushed."""
    _issuer(profile)
    reference_id = inputs.text(body, "beneficiary_reference_id", 20)
    registration.owned(mobile, reference_id)
    store.unlink(reference_id)


# -- pushing ----------------------------------------------------------------------------------------------

def _queue(messages: list[dict]) -> None:
    """Hand pushes to the locker worker; a push the queue refuses is logged and counted, never raised (the
    locker can still pull the certificate by the person's details)."""
    if not messages:
        return
    try:
        queues.send_many(queues.LOCKER, messages)
    except Exception:
        metrics.add_metric(name="LockerPushNotQueued", unit="Count", value=len(messages))
        logger.exception("locker push could not be queued", extra={"count": len(messages)})


def certificate_changed(reference_id: str, dose: int, profile: CountryProfile) -> None:
    """Issuance's hook (and a grievance's, when a repair leaves a dose without a certificate): queue the
    push of this dose's certificate as it now is if the beneficiary linked a locker. Never raises: the
    change has happened, whatever the locker's fate."""
    if not profile.document_locker_issuer:
        return
    try:
        linked = store.link_of(reference_id) is not None
    except Exception:
        metrics.add_metric(name="LockerPushNotQueued", unit="Count", value=1)
        logger.exception("locker link could not be read after issuance")
        return
    if linked:
        _queue([{"beneficiary_reference_id": reference_id, "dose": dose}])


def _document(issuer: str, certificate: CertificateRecord) -> LockerDocument:
    kind = "final" if certificate.kind == "final" else "provisional"
    return LockerDocument(uri=rules.uri_of(issuer, certificate.certificate_id), doc_type=rules.DOC_TYPE,
                          doc_id=certificate.certificate_id,
                          description=f"COVID-19 vaccination certificate, dose {int(certificate.dose)} ({kind})",
                          issued_on=datetime.fromtimestamp(int(certificate.issued_at), UTC).strftime("%d-%m-%Y"))


def _taken_out(uri: str) -> LockerDocument:
    return LockerDocument(uri=uri, doc_type=rules.DOC_TYPE, doc_id=uri[-36:],
                          description="", issued_on="")


def push(reference_id: str, dose: int, profile: CountryProfile) -> None:
    """The locker worker: make the linked account hold this dose's current certificate and not the one it
    replaced. Safe to run any number of times, in any order, concurrently: each run pushes what is
    current when it reads, records it only over what it read, and takes out what it added if a newer
    run won meanwhile. Raises (the message is retried, then dead-lettered) when the locker fails."""
    issuer = profile.document_locker_issuer
    if not issuer:
        return
    locker, added = get_locker(), None
    for _ in range(PUSH_TRIES):
        linked = store.link_of(reference_id)
        slot = certificate_store.slot(reference_id, dose)
        current = rules.uri_of(issuer, slot.issued_id) if linked and slot and slot.issued_id else None
        if added and added != current and linked:  # our push lost to a newer certificate's
            locker.push(linked.locker_id, _taken_out(added), rules.DELETE)
            added = None
        held = linked.pushed.get(str(dose)) if linked else None
        if linked is not None and current is None and held:  # a repair left the dose without a certificate
            locker.push(linked.locker_id, _taken_out(str(held)), rules.DELETE)
            if store.record_push(linked, dose, None):
                return
            continue
        if linked is None or current is None or held == current:
            return
        certificate = certificate_store.certificate(str(slot.issued_id)) if slot else None
        if certificate is None:
            return
        locker.push(linked.locker_id, _document(issuer, certificate), rules.ADD)
        added = current
        if held:
            locker.push(linked.locker_id, _taken_out(str(held)), rules.DELETE)
        if store.record_push(linked, dose, current):
            metrics.add_metric(name="LockerPushed", unit="Count", value=1)
            return
    raise RuntimeError("the locker link kept changing while pushing")


# -- the locker's pulls -----------------------------------------------------------------------------------

def _partner_request(raw: bytes, headers: Mapping[str, str], now: int, profile: CountryProfile) -> dict:
    """The request's body, once it is proven to be the locker's: its orgId, its HMAC and its time."""
    _issuer(profile)
    body = inputs.json_object(raw)
    org_id, ts = body.get("orgId"), body.get("ts")
    if not rules.authentic(get_secrets().locker_key, raw, headers.get(SIGNATURE_HEADER, ""),
                           org_id if isinstance(org_id, str) else "", profile.document_locker_partner,
                           ts if isinstance(ts, str) else "", now):
        raise ApiError(errors.LOCKER_PARTNER_REFUSED)
    return body


def _envelope(body: Mapping[str, Any]) -> tuple[dict, str, Mapping[str, Any]]:
    """DigiLocker's ResponseStatus (the request's ts and txn), the format asked for, and DocDetails."""
    txn = inputs.text(body, "txn", 100)
    fmt = body.get("format", "pdf")
    if fmt not in FORMATS:
        raise ApiError(errors.INVALID_INPUT, f"format must be one of {', '.join(FORMATS)}")
    details = inputs.field(body, "DocDetails")
    if not isinstance(details, Mapping):
        raise ApiError(errors.INVALID_INPUT, "DocDetails must be an object")
    return {"Status": "1", "ts": body["ts"], "txn": txn}, str(fmt), details


def _consented(reference_id: str, locker_id: str) -> None:
    linked = store.link_of(reference_id)
    if linked is None or linked.locker_id != locker_id:
        raise ApiError(errors.LOCKER_NO_CONSENT)


def _content(certificate: CertificateRecord, fmt: str) -> dict:
    """DocContent (the PDF) and DataContent (the signed credential, JSON), Base64, as asked."""
    content = {}
    if fmt in ("pdf", "both"):
        pdf = documents.get_pdf(documents.certificate_key(certificate.certificate_id))
        content["DocContent"] = base64.b64encode(pdf).decode()
    if fmt in ("json", "both"):
        jws = str(certificate.jws)
        data = {"certificate_id": certificate.certificate_id, "jws": jws, "qr": verifier.qr_text(jws),
                "credential": verifier.payload(jws)["vc"]}
        content["DataContent"] = base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    return content


def pull_uri(raw: bytes, headers: Mapping[str, str], now: int, profile: CountryProfile) -> dict:
    """Pull URI Request: the URI of the person's latest certificate, found by their details, with it."""
    issuer = profile.document_locker_issuer
    status, fmt, details = _envelope(_partner_request(raw, headers, now, profile))
    if details.get("DocType") != rules.DOC_TYPE:
        raise ApiError(errors.LOCKER_NO_DOCUMENT, f"DocType must be {rules.DOC_TYPE}")
    locker_id = _locker_id(details, "DigiLockerId")
    reference_id = inputs.text(details, "UDF1", 20)
    name, birth = inputs.text(details, "FullName", 100), inputs.text(details, "DOB", 10)
    mobile = inputs.mobile(details, "Mobile", profile.mobile_pattern)
    person = people.get(reference_id) if is_reference_id(reference_id) else None
    if person is None or not rules.same_person(person.name, int(person.birth_year), person.mobile, name, birth,
                                               mobile):
        raise ApiError(errors.LOCKER_NO_DOCUMENT)
    _consented(reference_id, locker_id)
    issued = {int(slot.dose): slot.issued_id for slot in certificate_store.slots(reference_id) if slot.issued_id}
    certificate = certificate_store.certificate(str(issued[max(issued)])) if issued else None
    if certificate is None or certificate.jws is None:
        raise ApiError(errors.LOCKER_NO_DOCUMENT, "No certificate yet: it is issued within minutes of a dose")
    return {"ResponseStatus": status, "DocDetails": {
        "DocType": rules.DOC_TYPE, "DigiLockerId": locker_id, "UDF1": reference_id, "FullName": name, "DOB": birth,
        "URI": rules.uri_of(issuer, certificate.certificate_id), **_content(certificate, fmt)}}


def pull_doc(raw: bytes, headers: Mapping[str, str], now: int, profile: CountryProfile) -> dict:
    """Pull Doc Request: the document a URI names, with the person's consent; a replaced one is refused
    with the URI of the certificate that replaced it."""
    issuer = profile.document_locker_issuer
    status, fmt, details = _envelope(_partner_request(raw, headers, now, profile))
    uri = inputs.text(details, "URI", 200)
    locker_id = _locker_id(details, "DigiLockerId")
    certificate_id = rules.certificate_id_of(issuer, uri)
    certificate = certificate_store.certificate(certificate_id) if certificate_id else None
    if certificate is None or certificate.jws is None:  # claimed but never completed: never published
        raise ApiError(errors.LOCKER_NO_DOCUMENT)
    _consented(certificate.beneficiary_reference_id, locker_id)
    if certificate.revoked_at is not None:
        replaced_by = rules.uri_of(issuer, certificate.superseded_by) if certificate.superseded_by else None
        raise ApiError(errors.LOCKER_REPLACED, extra={"replacedBy": replaced_by})
    return {"ResponseStatus": status, "DocDetails": {"URI": uri, "DigiLockerId": locker_id,
                                                     **_content(certificate, fmt)}}


# -- the simulator's window (local stage) ------------------------------------------------------------------

def held_by(query: Mapping[str, str]) -> dict:
    """What the simulated locker's account holds."""
    locker_id = _locker_id(query, "locker_id")
    return {"locker_id": locker_id, "documents": simulator().documents(locker_id)}


def partner_credentials(profile: CountryProfile) -> dict:
    """What the locker was given to sign with (local stage only: a real locker is given it once)."""
    return {"orgId": _issuer(profile) and profile.document_locker_partner,
            "key": get_secrets().locker_key.decode(), "header": SIGNATURE_HEADER,
            "window_seconds": rules.SIGNATURE_WINDOW_SECONDS}
