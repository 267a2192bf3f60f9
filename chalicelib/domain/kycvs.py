"""KYC-VS, pure: what a status checker (an employer, a hotel, an airline: a third party, not the site
staff of `Role.VERIFIER`) may learn of a person's vaccination, with the person's OTP consent
(docs/kycvs.md).

- An API key is `kyc-<checker id>.<secret>`: the id finds the checker with one GetItem, the secret (256
  random bits) is never stored, only the SHA-256 of the whole key, compared in constant time.
- A request's OTP is the login OTP's machinery (services/auth), bound to the checker that asked
  (`purpose`): no login, no operator and no other checker can spend or use it.
- The answer names each person and, as the checker's scopes allow, their status (0 not vaccinated,
  1 partially, 2 fully: the dose count against the vaccine's primary series) and whether a precaution
  dose was taken, where the country's programme has one. Nothing else.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from chalicelib.config import CountryProfile
from chalicelib.domain import beneficiaries, errors, programmes
from chalicelib.domain.errors import ApiError
from chalicelib.domain.records import BeneficiaryRecord, StatusCheckRecord

STATUS, PRECAUTION = "status", "precaution"
# A status check's OTP has its own resend interval and hourly sends per mobile (the login's numbers), so no
# third party can hold up or use up the person's own logins.
CHANNEL = "kycvs"
SCOPES = (STATUS, PRECAUTION)
KEY_PREFIX = "kyc-"
MAX_NAME = 80  # the name the consent SMS shows: an organisation's, short enough for one SMS
MAX_PER_MINUTE = 6000  # one rate item per checker and minute: 100 writes a second, far below a partition's 1000
_KEY = re.compile(r"kyc-([a-z0-9]{1,32})\.([A-Za-z0-9_-]{16,128})")
# CoWIN's KYC-VS codes, from the words the beneficiary list shows (domain/beneficiaries.vaccination_status).
STATUS_CODES = {"Not Vaccinated": 0, "Partially Vaccinated": 1, "Vaccinated": 2}

# How a request stands, for its audit: asked (the SMS went), answered (the right code came: the consent,
# and the answer handed over), refused (every try spent on wrong codes), expired (asked, never answered
# within the OTP's validity: read, not written).
ASKED, ANSWERED, REFUSED, EXPIRED = "asked", "answered", "refused", "expired"


def purpose(checker_id: str) -> str:
    """What binds a request's OTP to its checker (OtpTransaction.operator): never a mobile, so a login or an
    operator's consent cannot spend it, nor another checker."""
    return f"kycvs:{checker_id}"


def new_key(checker_id: str) -> str:
    return f"{KEY_PREFIX}{checker_id}.{secrets.token_urlsafe(32)}"


def new_checker_id() -> str:
    return secrets.token_hex(6)


def key_digest(key: str) -> str:
    """What is stored of a key. A fast hash is right here: the key holds 256 random bits, so no offline
    guessing can find it however fast each guess is (bcrypt's cost is for low-entropy passwords, and
    would cost every API call ~100 ms of CPU)."""
    return hashlib.sha256(key.encode()).hexdigest()


def checker_of_key(key: str) -> str | None:
    """The checker id a well-formed key names; None for anything else (never looked up)."""
    match = _KEY.fullmatch(key)
    return match.group(1) if match else None


def key_matches(key: str, digest: str) -> bool:
    return hmac.compare_digest(key_digest(key), digest)


def scopes_of(value: object) -> tuple[str, ...]:
    """The scopes an admin gives a checker, in their canonical order."""
    if not isinstance(value, list) or not value or not all(isinstance(scope, str) and scope in SCOPES
                                                            for scope in value):
        raise ApiError(errors.INVALID_SCOPES)
    return tuple(scope for scope in SCOPES if scope in value)


def status_of(person: BeneficiaryRecord, profile: CountryProfile) -> int:
    """0 not vaccinated, 1 partially, 2 fully: the same reckoning as the beneficiary list's words."""
    series = profile.vaccine(person.vaccine) if person.vaccine else None
    return STATUS_CODES[beneficiaries.vaccination_status(int(person.doses_given),
                                                         series.total_doses if series else None)]


def has_precaution(profile: CountryProfile) -> bool:
    """Whether the country's programme gives precaution doses at all (a vaccine declares one)."""
    return any(vaccine.precaution is not None for vaccine in profile.vaccines)


def precaution_taken(person: BeneficiaryRecord, profile: CountryProfile) -> bool:
    series = profile.vaccine(person.vaccine) if person.vaccine else None
    return programmes.is_precaution(int(person.doses_given), series)


def revealed(scopes: tuple[str, ...], profile: CountryProfile) -> tuple[str, ...]:
    """What an answer to a checker with `scopes` holds beside each name."""
    return tuple(scope for scope in scopes if scope == STATUS or (scope == PRECAUTION and has_precaution(profile)))


def person_answer(person: BeneficiaryRecord, scopes: tuple[str, ...], profile: CountryProfile) -> dict:
    """One person as the answer shows them: their name and what the scopes allow, nothing else."""
    shown: dict = {"name": person.name}
    fields = revealed(scopes, profile)
    if STATUS in fields:
        shown["vaccination_status"] = status_of(person, profile)
    if PRECAUTION in fields:
        shown["precaution"] = precaution_taken(person, profile)
    return shown


def answer_claims(request: StatusCheckRecord, people: list[dict], issuer: str, now: int) -> dict:
    """The signed answer's claims: who is told (the checker), about which request, when, and the people."""
    claims: dict = {"iss": issuer, "typ": "kycvs", "request_id": request.request_id,
                    "verifier_id": request.checker_id, "iat": now, "people": people}
    if request.beneficiary_reference_id:
        claims["beneficiary_reference_id"] = request.beneficiary_reference_id  # the checker's own question
    return claims


def standing(request: StatusCheckRecord, now: int) -> str:
    """How the request stands for its audit; an unanswered request past its OTP's validity expired."""
    if request.status == ASKED and now >= int(request.expires_at):
        return EXPIRED
    return request.status
