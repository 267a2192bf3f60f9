"""KYC-VS (docs/kycvs.md): third parties (employers, hotels, airlines: "verifiers" to the outside world,
status checkers here, so as not to be mistaken for the site staff of `Role.VERIFIER`) learn a person's
vaccination status, with the person's consent by OTP, in an answer signed like a certificate.

- A national admin adds a checker (its name for the consent SMS, its scopes, its requests per minute);
  the API key is shown once, only its SHA-256 is kept. Admins list and revoke checkers.
- A checker asks about a mobile (and maybe one person on it): Teeka texts the mobile an OTP naming the
  checker, under the login OTP's own rules (services/auth: resend interval, hourly sends, 3 tries spent
  before they are judged, expiry), and returns a request id. The answer is the same whether or not the
  mobile is registered: it is texted either way.
- With the code the person gives it, the checker gets the signed answer; every request is recorded, and
  the mobile's owner reads who asked, when, and how it ended.

DynamoDB calls:
- add a checker: PutItem (conditional); list: Query (keys) + BatchGetItem; revoke: UpdateItem;
- every checker call: GetItem (the checker, strongly consistent: a revocation holds at once) + UpdateItem
  (its minute's count);
- ask: + TransactWriteItems (the OTP, the mobile's resend slot and hour, the request's record) + GetItem
  (the mobile's language), then the SMS at once;
- answer: + UpdateItem (spend a try) + UpdateItem (consume) + UpdateItem (the record: answered, returning
  it) + GetItem (the named person) or Query (the mobile's people), then one kms:Sign; a wrong code:
  + UpdateItem (spend) + UpdateItem (the record's wrong codes) (+ UpdateItem: refused, on the last try);
- who asked about me: Query (by-mobile).
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from chalicelib import verifier
from chalicelib.adapters import signing
from chalicelib.config import CountryProfile, Settings
from chalicelib.domain import errors, inputs, kycvs, limits, otp
from chalicelib.domain.beneficiaries import is_reference_id
from chalicelib.domain.errors import ApiError, Unauthenticated
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.records import StatusCheckerRecord, StatusCheckRecord
from chalicelib.domain.roles import Principal
from chalicelib.domain.vaccination import iso_moment
from chalicelib.observability import logger, metrics
from chalicelib.services import auth
from chalicelib.store import kycvs as store
from chalicelib.store import limits as limit_store
from chalicelib.store import registration as people

CITIZEN_VIEW_LIMIT = 100  # the newest requests a person sees
_REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# -- the admins' side -----------------------------------------------------------------------------

def add_checker(caller: Principal, body: Mapping[str, Any], now: int) -> dict:
    """A new checker; its API key is in this answer and nowhere else, ever."""
    name = inputs.label(body, "name", kycvs.MAX_NAME)
    scopes = kycvs.scopes_of(inputs.field(body, "scopes"))
    per_minute = inputs.integer(body, "requests_per_minute", 1, kycvs.MAX_PER_MINUTE)
    for _ in range(3):  # 48 random bits: a clash is all but impossible, and refused by the write if it happens
        checker_id = kycvs.new_checker_id()
        key = kycvs.new_key(checker_id)
        checker = StatusCheckerRecord(checker_id, name, scopes, per_minute, kycvs.key_digest(key), now, caller.mobile)
        if store.add_checker(checker):
            logger.info("status checker added", extra={"checker": checker_id, "admin": mask_mobile(caller.mobile)})
            return {**_view(checker), "api_key": key}
    raise ApiError(errors.INTERNAL)


def list_checkers() -> list[dict]:
    return [_view(checker) for checker in store.checkers()]


def revoke_checker(caller: Principal, body: Mapping[str, Any], now: int) -> dict:
    checker_id = inputs.text(body, "verifier_id", 32)
    checker = store.revoke_checker(checker_id, caller.mobile, now) if re.fullmatch(r"[a-z0-9]{1,32}", checker_id) \
        else None
    if checker is None:
        raise ApiError(errors.CHECKER_NOT_FOUND)
    logger.info("status checker revoked", extra={"checker": checker_id, "admin": mask_mobile(caller.mobile)})
    return _view(checker)


def _view(checker: StatusCheckerRecord) -> dict:
    return {"verifier_id": checker.checker_id, "name": checker.name, "scopes": list(checker.scopes),
            "requests_per_minute": checker.requests_per_minute, "created_at": checker.created_at,
            "created_by": mask_mobile(checker.created_by), "revoked": checker.revoked_at is not None,
            "revoked_at": checker.revoked_at}


# -- the checker's side ---------------------------------------------------------------------------

def authenticate(key: str | None) -> StatusCheckerRecord:
    """The active checker this API key is; one refusal (CoWIN's plain 401) for none, a malformed, a wrong
    or a revoked key."""
    key = (key or "").strip()
    checker_id = kycvs.checker_of_key(key)
    checker = store.checker(checker_id) if checker_id else None
    if checker is None or checker.revoked_at is not None or not kycvs.key_matches(key, checker.key_digest):
        metrics.add_metric(name="StatusCheckerRefused", unit="Count", value=1)
        raise Unauthenticated("no valid API key")
    return checker


def _count(checker: StatusCheckerRecord, now: int) -> None:
    """One more of the checker's calls this minute (one conditional UpdateItem: however many arrive at
    once, no more than its limit pass)."""
    window = limits.window(limits.Limit("kycvs", checker.requests_per_minute, 60), checker.checker_id, now)
    if not limit_store.hit(window):
        metrics.add_metric(name="StatusCheckerLimited", unit="Count", value=1)
        raise limits.refused(window, now)


def ask(checker: StatusCheckerRecord, body: Mapping[str, Any], now: int, settings: Settings) -> dict:
    """Text the mobile's owner a consent code naming the checker; the same answer whoever owns the mobile."""
    profile = settings.country
    mobile = inputs.mobile(body, "mobile", profile.mobile_pattern)
    reference_id = None
    if body.get("beneficiary_reference_id") is not None:
        reference_id = inputs.text(body, "beneficiary_reference_id", 14)
        if not is_reference_id(reference_id):
            raise ApiError(errors.INVALID_INPUT, "beneficiary_reference_id must be 14 digits")
    _count(checker, now)
    request_id = str(uuid.uuid4())
    validity = otp.OtpPolicy.from_profile(profile).validity_seconds
    record = StatusCheckRecord(request_id, checker.checker_id, checker.name, mobile, now, now + validity, kycvs.ASKED,
                               reference_id)
    auth.logins(settings).request_status_consent(request_id, checker.checker_id, checker.name, mobile, now,
                                                 also=store.asking(record))
    logger.info("status check asked", extra={"checker": checker.checker_id, "mobile": mask_mobile(mobile)})
    metrics.add_metric(name="StatusCheckAsked", unit="Count", value=1)
    return {"request_id": request_id, "expires_in": validity}


def answer(checker: StatusCheckerRecord, body: Mapping[str, Any], now: int, settings: Settings) -> dict:
    """The signed answer for the checker's own request, with the code its person gave; every refusal (a
    wrong, expired or used code, out of tries, an unknown request or another checker's) is the login's
    USRAUT0014."""
    profile = settings.country
    request_id = inputs.text(body, "request_id", 36)
    code = inputs.text(body, "otp", 12)
    if not _REQUEST_ID.fullmatch(request_id) or not (code.isascii() and code.isdigit()
                                                     and len(code) == profile.otp_length):
        raise ApiError(errors.INVALID_OTP)
    _count(checker, now)
    logins = auth.logins(settings)
    txn, right = logins.judge_status_consent(request_id, otp.sha256_hex(code), checker.checker_id, now)
    if txn is not None and not right:
        store.wrong_code(request_id, checker.checker_id)
        if txn.attempts >= logins.policy.max_attempts:
            store.refused(request_id, checker.checker_id)
    if not right:
        metrics.add_metric(name="StatusCheckRefused", unit="Count", value=1)
        raise ApiError(errors.INVALID_OTP)
    revealed = kycvs.revealed(checker.scopes, profile)
    request = store.answered(request_id, checker.checker_id, revealed, now)
    if request is None:  # the OTP is used once only, so its request is answered once only
        raise ApiError(errors.INVALID_OTP)
    claims = kycvs.answer_claims(request, [kycvs.person_answer(person, checker.scopes, profile)
                                           for person in _people(request)], settings.public_url, now)
    key = signing.signing_key(now)
    message = verifier.jwt_signing_input(claims, key.kid, verifier.STATUS_ANSWER_TYPE)
    metrics.add_metric(name="StatusCheckAnswered", unit="Count", value=1)
    return {"request_id": request_id, "answer": claims, "jws": verifier.compact(message, signing.sign(message, key))}


def _people(request: StatusCheckRecord) -> list:
    """The person the checker named, if they are on the mobile; without a name, everyone on it."""
    if request.beneficiary_reference_id is None:
        return people.for_mobile(request.mobile)
    person = people.get(request.beneficiary_reference_id)
    return [person] if person is not None and person.mobile == request.mobile else []


# -- the person's side ----------------------------------------------------------------------------

def asked_about(mobile: str, now: int, profile: CountryProfile) -> list[dict]:
    """Who asked about this mobile, newest first, and how each request ended."""
    return [_audit(request, now, profile) for request in store.for_mobile(mobile, CITIZEN_VIEW_LIMIT)]


def _audit(request: StatusCheckRecord, now: int, profile: CountryProfile) -> dict:
    entry: dict[str, Any] = {"request_id": request.request_id, "verifier_id": request.checker_id,
                             "verifier": request.checker_name, "asked_at": iso_moment(request.asked_at, profile),
                             "status": kycvs.standing(request, now), "wrong_codes": request.wrong_codes}
    if request.beneficiary_reference_id:
        entry["beneficiary_reference_id"] = request.beneficiary_reference_id
    if request.answered_at is not None:
        entry["answered_at"] = iso_moment(request.answered_at, profile)
        entry["revealed"] = ["name", *request.revealed]
    return entry
