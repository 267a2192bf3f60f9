"""Login by mobile OTP, for citizens and staff alike.

DynamoDB calls: generate = 1 TransactWriteItems (transaction + resend throttle, atomically);
confirm = GetItem(transaction) + UpdateItem(consume, conditional) + UpdateItem(account) + GetItem(staff).
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

_VERDICT_ERRORS = {
    otp.Verdict.WRONG: errors.INVALID_OTP,
    otp.Verdict.EXPIRED: errors.OTP_EXPIRED,
    otp.Verdict.ATTEMPTS_EXHAUSTED: errors.OTP_ATTEMPTS_EXCEEDED,
    otp.Verdict.ALREADY_USED: errors.OTP_ALREADY_USED,
}


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
    """Check sha256(otp) against the transaction; on success, a token for the mobile's roles."""
    txn = store.get_otp_transaction(txn_id)
    if txn is None:
        raise ApiError(errors.INVALID_TXN)
    verdict = otp.verify(_policy(), get_secrets().otp_pepper, txn, client_hash, now)
    if verdict is otp.Verdict.ACCEPTED:
        if not store.consume_otp(txn_id, txn.attempts):
            # Another request used this OTP or spent an attempt between our read and write.
            raise ApiError(errors.OTP_ALREADY_USED)
        is_new = store.record_login(txn.mobile, now)
        metrics.add_metric(name="LoginSucceeded", unit="Count", value=1)
        return Login(token=issue_token(principal_for(txn.mobile), now), is_new_account=is_new)
    if verdict is otp.Verdict.WRONG:
        store.record_wrong_otp(txn_id, txn.attempts)
    metrics.add_metric(name="LoginFailed", unit="Count", value=1)
    raise ApiError(_VERDICT_ERRORS[verdict])


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
