"""The document locker's rules (docs/document-locker.md): a certificate's document URI, the partner's
signature over a request, and whether the details a locker sends are the person's.

DigiLocker's scheme, which Teeka follows: every document has one URI, `<issuer id>-<doc type>-<doc id>`;
the locker signs each request with an HMAC-SHA256 of its body under the key the issuer gave it, sent in
Base64; and the request carries its time (`ts`), which Teeka accepts only within a few minutes of its own.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
import uuid
from datetime import datetime

DOC_TYPE = "VACER"  # DigiLocker's document type of a vaccination certificate (CoWIN issued it as VACER)
SIGNATURE_WINDOW_SECONDS = 300  # a signed request older or newer than this is refused: no late replay
ADD, DELETE = "A", "D"  # Push URI's actions: a document added to an account, or taken out of it


def uri_of(issuer: str, certificate_id: str) -> str:
    return f"{issuer}-{DOC_TYPE}-{certificate_id}"


def certificate_id_of(issuer: str, uri: str) -> str | None:
    """The certificate id a URI of ours names; None for anything else (another issuer, type or shape)."""
    prefix = f"{issuer}-{DOC_TYPE}-"
    if not issuer or not uri.startswith(prefix):
        return None
    doc_id = uri[len(prefix):]
    try:
        parsed = uuid.UUID(doc_id)
    except ValueError:
        return None
    return doc_id if str(parsed) == doc_id else None  # one spelling per document


def is_locker_id(value: str) -> bool:
    """A locker account id: DigiLocker's are 36-character UUIDs."""
    try:
        return str(uuid.UUID(value)) == value.lower() and len(value) == 36
    except ValueError:
        return False


def signature(key: bytes, body: bytes) -> str:
    """What the locker sends as the request's HMAC: Base64 of HMAC-SHA256(key, body)."""
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


def request_time(ts: str) -> int | None:
    """`ts` as epoch seconds: an ISO 8601 time with its offset, as DigiLocker writes it
    (2021-05-01T10:15:30+05:30); None if it is not one."""
    try:
        moment = datetime.fromisoformat(ts)
    except ValueError:
        return None
    return int(moment.timestamp()) if moment.tzinfo is not None else None


def authentic(key: bytes, body: bytes, claimed: str, org_id: str, partner: str, ts: str, now: int) -> bool:
    """The request is the partner's, signed with our shared key, and sent within the window. Every check
    runs, and the signatures are compared in constant time, whatever fails first."""
    sent_at = request_time(ts)
    right_signature = hmac.compare_digest(signature(key, body).encode(), claimed.encode())
    return bool(key) and right_signature and hmac.compare_digest(org_id.encode(), partner.encode()) \
        and sent_at is not None and abs(now - sent_at) <= SIGNATURE_WINDOW_SECONDS


def _comparable(name: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip().casefold()


def same_person(name: str, birth_year: int, mobile: str, given_name: str, given_birth: str, given_mobile: str) -> bool:
    """The locker's details are the person's: the name (case and spacing aside), the year of the birth date
    it sends as DD-MM-YYYY (Teeka knows only the year), and the mobile the person registered with."""
    year = given_birth[-4:]
    return _comparable(name) == _comparable(given_name) and year.isdigit() and int(year) == birth_year \
        and hmac.compare_digest(mobile.encode(), given_mobile.encode())
