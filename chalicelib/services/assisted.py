"""Assisted registration: operators of the 1075 helpline and of Common Service Centres register and
book for citizens without a smartphone, with the consent the citizen gives by reading out the OTP
Teeka texts to their own mobile (docs/assisted-registration.md).

Every action is the citizen's own use case (services/registration.py, services/booking.py) run on the
citizen's mobile, never a copy of its rules. What the operator adds joins that use case's one
transaction: the action's record and one more in the operator's day (store/assisted.py), so an
action and its record exist together or not at all, and the day's limit holds however many of the
operator's requests arrive at once. The citizen is told each time, by an SMS naming the operator.

DynamoDB calls:
- ask for consent: GetItem (the operator) + TransactWriteItems (the OTP, the mobile's resend slot, its
  hour, the operator's day) + GetItem (the citizen's language), then the SMS at once;
- give consent: UpdateItem (spend the attempt) + UpdateItem (consume) + GetItem (the operator, still
  active) + PutItem (the consent's record); a refused guess: the first UpdateItem only;
- beneficiaries: Query (by-mobile); the consent is a signed token: checking it reads nothing;
- register: TransactWriteItems (the citizen's count, the ID claim, the beneficiary, the operator's day,
  the record) + the SMS on the queue;
- schedule: TransactGetItems + TransactWriteItems (the booking's items, the operator's day, the
  record), then as a citizen's booking (its alerts' Query, its reminder's write, the SMS);
- cancel: Query + GetItem + TransactWriteItems (the cancellation's items, the operator's day, the record);
- what operators did for me: Query (by-citizen).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from chalicelib.adapters.secrets import get_secrets
from chalicelib.config import CountryProfile, Settings
from chalicelib.domain import assisted, errors, inputs, limits, messages
from chalicelib.domain.assisted import Consent
from chalicelib.domain.errors import ApiError
from chalicelib.domain.limits import Window
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.records import AppointmentRecord, AssistedActionRecord
from chalicelib.domain.roles import Principal
from chalicelib.domain.vaccination import iso_moment
from chalicelib.observability import logger, metrics
from chalicelib.services import auth, booking, registration, tokens
from chalicelib.services.outbox import notify
from chalicelib.store import assisted as store
from chalicelib.store.common import StoreError, Transaction

CITIZEN_VIEW_LIMIT = 100  # the newest actions a citizen sees: years of help at a service centre


def request_consent(principal: Principal, body: Mapping[str, Any], now: int, settings: Settings) -> dict:
    """Text the citizen an OTP that names the operator (and their helpline or centre) and what it lets
    them do; the operator gets the transaction id to confirm it with."""
    mobile = inputs.mobile(body, "mobile", settings.country.mobile_pattern)
    txn_id = auth.logins(settings).request_consent(principal.mobile, mobile, now)
    logger.info("consent asked", extra={"operator": mask_mobile(principal.mobile), "mobile": mask_mobile(mobile)})
    return {"txnId": txn_id}


def confirm_consent(principal: Principal, txn_id: str, client_hash: str, now: int, settings: Settings) -> dict:
    """The OTP the citizen read out (its SHA-256, as at login) gives this operator a consent for that
    citizen's mobile for a few minutes; every refusal is a login's (USRAUT0014). The consent is
    recorded before it is handed over."""
    state_id, district_id = _area(principal)
    citizen, operator = auth.logins(settings).confirm_consent(txn_id, client_hash, principal.mobile, now)
    consent = assisted.grant(str(uuid.uuid4()), operator, citizen, now, settings.country)
    store.record_consent(store.new_action(consent, assisted.CONSENT, state_id, district_id, now))
    metrics.add_metric(name="ConsentGiven", unit="Count", value=1)
    return {"consent": tokens.issue_consent(consent, get_secrets().jwt_key), "mobile": mask_mobile(citizen),
            "expires_at": iso_moment(consent.expires_at, settings.country),
            "expires_in": consent.expires_at - now}


def _consent(principal: Principal, token: str | None, now: int) -> Consent:
    """The consent the operator sends (header X-Consent-Token), if it is theirs and still good; one
    refusal for all the rest (none, forged, expired, another operator's)."""
    consent = tokens.read_consent(token, get_secrets().jwt_key) if token else None
    if consent is None or not assisted.is_valid_for(consent, principal.mobile, now):
        metrics.add_metric(name="ConsentMissing", unit="Count", value=1)
        raise ApiError(errors.CONSENT_REQUIRED)
    return consent


def _area(principal: Principal) -> tuple[int, int | None]:
    """The operator's area, as their token carries it: what each record of their actions names."""
    if principal.scope.state_id is None:  # an operator is made with an area (services/operators.py)
        raise ApiError(errors.OPERATOR_INACTIVE)
    return principal.scope.state_id, principal.scope.district_id


def _by(consent: Consent) -> messages.Operator:
    return messages.Operator(consent.operator_name, consent.desk)


Recorder = Callable[[str, Sequence[str], str | None, int | None], Callable[[Transaction], None]]


def _recorder(principal: Principal, consent: Consent, now: int, profile: CountryProfile) -> tuple[Window, Recorder]:
    """The operator's day, and what an action (named, on these beneficiaries, in this appointment and
    centre) adds to its own transaction: its record and its count."""
    today = assisted.actions_today(profile, principal.mobile, now)
    state_id, district_id = _area(principal)

    def also(action: str, beneficiaries: Sequence[str], appointment_id: str | None = None,
             center_id: int | None = None) -> Callable[[Transaction], None]:
        return store.acting(today, store.new_action(consent, action, state_id, district_id, now, beneficiaries,
                                                    appointment_id, center_id))

    return today, also


def _day_is_full(today: Window, now: int) -> ApiError:
    metrics.add_metric(name="OperatorLimited", unit="Count", value=1)
    return limits.refused(today, now)


def beneficiaries(principal: Principal, token: str | None, now: int, profile: CountryProfile) -> list[dict]:
    """The consenting mobile's beneficiaries, as its owner sees them."""
    return registration.list_for(_consent(principal, token, now).citizen, profile)


def register(principal: Principal, token: str | None, body: Mapping[str, Any], now: int,
             profile: CountryProfile) -> dict:
    """Register a person on the consenting mobile: the citizen's own registration (its limits, its ID
    rules) with the operator's record and count in its transaction. Where the person lives is not
    asked (CoWIN's registration has no address): the record names the operator's area."""
    consent = _consent(principal, token, now)
    today, also = _recorder(principal, consent, now, profile)
    try:
        reference_id = registration.register(
            consent.citizen, body, now, profile,
            also=lambda person: also(assisted.REGISTER, [person.beneficiary_reference_id], None, None))
    except registration.Refused:
        raise _day_is_full(today, now) from None
    except StoreError:  # e.g. two of the operator's actions at once on DynamoDB's one counter: try again
        logger.exception("assisted registration failed in DynamoDB", extra={"mobile": mask_mobile(consent.citizen)})
        raise ApiError(errors.REGISTRATION_BUSY) from None
    notify(consent.citizen, messages.registered_by_operator(reference_id, _by(consent)))
    return {"beneficiary_reference_id": reference_id}


def _agent(principal: Principal, consent: Consent, also: Recorder) -> booking.Agent:
    def recorded(action: str, places: list[AppointmentRecord]) -> Callable[[Transaction], None]:
        return also(action, [place.beneficiary_reference_id for place in places], places[0].appointment_id,
                    int(places[0].center_id))

    return booking.Agent(covers=principal.covers_centre, also=recorded, by=_by(consent))


def schedule(principal: Principal, token: str | None, body: Mapping[str, Any], now: int,
             profile: CountryProfile) -> dict:
    """Book for the consenting mobile's beneficiaries, at once (never queued: the citizen is on the line),
    in a session of the operator's area only."""
    consent = _consent(principal, token, now)
    today, also = _recorder(principal, consent, now, profile)
    try:
        appointment_id = booking.schedule(consent.citizen, body, now, profile, agent=_agent(principal, consent, also))
    except booking.AgentRefused:
        raise _day_is_full(today, now) from None
    except booking.Overloaded:
        raise ApiError(errors.BOOKING_BUSY) from None
    return {"appointment_confirmation_no": appointment_id, "appointment_id": appointment_id}


def cancel(principal: Principal, token: str | None, body: Mapping[str, Any], now: int,
           profile: CountryProfile) -> None:
    """Cancel places of the consenting mobile's appointment, in a session of the operator's area only."""
    consent = _consent(principal, token, now)
    today, also = _recorder(principal, consent, now, profile)
    try:
        booking.cancel(consent.citizen, body, now, profile, agent=_agent(principal, consent, also))
    except booking.AgentRefused:
        raise _day_is_full(today, now) from None
    except StoreError:
        logger.exception("assisted cancellation failed in DynamoDB", extra={"mobile": mask_mobile(consent.citizen)})
        raise ApiError(errors.BOOKING_BUSY) from None


def done_for(mobile: str, profile: CountryProfile) -> list[dict]:
    """What operators did for this mobile's owner, newest first: who (name, helpline or centre), what, when."""
    return [{"at": iso_moment(int(record.done_at), profile), "action": record.action,
             "operator_name": record.operator_name, "desk": record.desk, "operator": mask_mobile(record.operator),
             **_details(record)} for record in store.for_citizen(mobile, CITIZEN_VIEW_LIMIT)]


def _details(record: AssistedActionRecord) -> dict:
    details: dict[str, Any] = {}
    if record.beneficiaries:
        details["beneficiaries"] = list(record.beneficiaries)
    if record.appointment_id:
        details["appointment_id"] = record.appointment_id
    if record.center_id is not None:
        details["center_id"] = int(record.center_id)
    return details
