"""Login by mobile OTP, for citizens and staff alike.

DynamoDB calls: generate = 1 TransactWriteItems (transaction + resend throttle, atomically);
confirm = UpdateItem (spend an attempt, returning the transaction) + UpdateItem (consume, conditional)
+ UpdateItem (account) + GetItem (staff); a refused guess costs the first UpdateItem only.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from chalicelib.adapters.secrets import get_secrets
from chalicelib.adapters.sms import SmsError, send_sms
from chalicelib.config import get_settings
from chalicelib.domain import errors, limits, otp
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.roles import Principal, Role, Scope
from chalicelib.observability import logger, metrics
from chalicelib.services.tokens import issue_token
from chalicelib.store import auth as store

@dataclass(frozen=True)
class Login:
    token: str
    is_new_account: bool


def _policy() -> otp.OtpPolicy:
    return otp.OtpPolicy.from_profile(get_settings().country)


def generate_otp(mobile: str, now: int) -> str:
    """Send a fresh OTP to `mobile`; returns the transaction id the client confirms against."""
    policy = _policy()
    txn_id = str(uuid.uuid4())
    code = otp.new_otp(policy.length)
    txn = otp.issue(policy, get_secrets().otp_pepper, txn_id, mobile, now, code)
    hourly = limits.window(limits.Limit("otp", get_settings().country.otp_sends_per_hour, 3600), mobile, now)
    refused = store.start_otp_transaction(txn, otp.resend_allowed_after(policy, now), hourly)
    if refused:
        metrics.add_metric(name="OtpThrottled", unit="Count", value=1)
        if "throttle" in refused:
            raise ApiError(errors.OTP_THROTTLED)
        raise limits.refused(hourly, now)
    minutes = max(policy.validity_seconds // 60, 1)
    try:
        send_sms(mobile, f"Your OTP to log in to Teeka is {code}. It is valid for {minutes} minutes. "
                         "Do not share it with anyone.")
    except SmsError as error:
        # No traceback: exception texts from carriers can quote the number.
        logger.error("OTP SMS failed", extra={"mobile": mask_mobile(mobile), "reason": type(error).__name__})
        store.release_otp_throttle(mobile, txn_id)
        raise ApiError(errors.SMS_UNAVAILABLE) from None
    metrics.add_metric(name="OtpSent", unit="Count", value=1)
    return txn_id


def confirm_otp(txn_id: str, client_hash: str, now: int) -> Login:
    """Check sha256(otp) against the transaction; on success, a token for the mobile's roles.
    The attempt is spent before the guess is judged, and every refusal is the same answer."""
    policy = _policy()
    txn = store.spend_otp_attempt(txn_id, policy.max_attempts, now)
    if txn is None or not otp.judge(policy, get_secrets().otp_pepper, txn, client_hash, now) \
            or not store.consume_otp(txn_id):
        metrics.add_metric(name="LoginFailed", unit="Count", value=1)
        raise ApiError(errors.INVALID_OTP)
    is_new = store.record_login(txn.mobile, now)
    metrics.add_metric(name="LoginSucceeded", unit="Count", value=1)
    return Login(token=issue_token(principal_for(txn.mobile), now), is_new_account=is_new)


def principal_for(mobile: str) -> Principal:
    """Everyone is a citizen; an active staff record adds its roles and scope."""
    staff = store.get_staff(mobile)
    if staff is None or not staff.active:
        return Principal(mobile=mobile)
    return Principal(
        mobile=mobile,
        roles=frozenset({Role.CITIZEN, *(Role(role) for role in staff.roles)}),
        scope=Scope(facility_id=_int_or_none(staff.facility_id), district_id=_int_or_none(staff.district_id),
                    state_id=_int_or_none(staff.state_id)),
    )


def _int_or_none(value: float | None) -> int | None:
    return None if value is None else int(value)
