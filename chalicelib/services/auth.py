"""Login by mobile OTP, for citizens and staff alike.

`Logins` receives what it depends on: the country's rules, a `LoginStore` (the DynamoDB one in
`store.auth`; the tests also run it on an in-memory one checked against it), the secrets, and the
SMS sender. `logins(settings)` wires the real ones.

DynamoDB calls: generate = 1 TransactWriteItems (transaction + resend throttle + hourly count,
atomically) + GetItem (the account's language, for the SMS; only once the OTP is granted);
confirm = UpdateItem (spend an attempt, returning the transaction) + UpdateItem (consume,
conditional) + UpdateItem (account) + GetItem (staff); a refused guess costs the first UpdateItem only.

A citizen's consent to an operator (docs/assisted-registration.md) is the same machinery: the OTP goes
to the citizen's mobile, bound to the operator who asked (a login can never use it, nor another
operator), under the same resend interval and hourly sends per mobile, and counted in the operator's
day as well; its guesses are spent, judged and refused exactly as a login's. Request = GetItem (the
operator: name, helpline or centre, still active?) + TransactWriteItems + GetItem (language); confirm
= UpdateItem (spend) + UpdateItem (consume) + GetItem (the operator, as the consent will name them).
A citizen's consent to a status checker (docs/kycvs.md) is the same again, bound to the checker.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.adapters import sms
from chalicelib.adapters.secrets import Secrets, get_secrets
from chalicelib.config import CountryProfile, Settings
from chalicelib.domain import assisted, errors, grievances, kycvs, limits, messages, otp
from chalicelib.domain.errors import ApiError
from chalicelib.domain.limits import Window
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.otp import OtpTransaction
from chalicelib.domain.roles import Principal, Role, StaffMember
from chalicelib.observability import logger, metrics
from chalicelib.services.tokens import issue_token
from chalicelib.store import auth as dynamodb_store
from chalicelib.store.common import Transaction


class LoginStore(Protocol):
    """What logging in needs kept. Each method is one atomic step (see store.auth for its meaning)."""

    def start_otp_transaction(self, txn: OtpTransaction, resend_allowed_after: int, rates: Sequence[Window],
                              also: Callable[[Transaction], None] | None = None,
                              channel: str = "mobile") -> set[str] | None: ...

    def release_otp_throttle(self, mobile: str, txn_id: str, channel: str = "mobile") -> None: ...

    def spend_otp_attempt(self, txn_id: str, max_attempts: int, now: int,
                          operator: str | None = None) -> OtpTransaction | None: ...

    def consume_otp(self, txn_id: str) -> bool: ...

    def record_login(self, mobile: str, now: int) -> bool: ...

    def account_language(self, mobile: str) -> str | None: ...

    def get_staff(self, mobile: str) -> StaffMember | None: ...


@dataclass(frozen=True)
class Login:
    token: str
    is_new_account: bool


@dataclass(frozen=True)
class Logins:
    profile: CountryProfile
    store: LoginStore
    secrets: Secrets
    # (mobile, text, registered template id): sends at once, raises sms.SmsError: the person is waiting
    send_sms: Callable[[str, str, str], object]

    @property
    def policy(self) -> otp.OtpPolicy:
        return otp.OtpPolicy.from_profile(self.profile)

    def generate_otp(self, mobile: str, now: int) -> str:
        """Send a fresh OTP to `mobile`; returns the transaction id the client confirms against."""
        minutes = max(self.policy.validity_seconds // 60, 1)
        return self._send(mobile, now, [], lambda code: messages.login_otp(code, minutes))

    def request_consent(self, operator_mobile: str, mobile: str, now: int) -> str:
        """Text the owner of `mobile` an OTP naming the operator and what it lets them do; returns the
        transaction id the operator confirms against, with the OTP the citizen reads out to them."""
        operator = self.active_operator(operator_mobile)
        by = messages.Operator(operator.name, operator.desk or "")
        minutes = max(self.profile.operator_consent_seconds // 60, 1)
        return self._send(mobile, now, [assisted.consent_requests_today(self.profile, operator.mobile, now)],
                          lambda code: messages.consent_otp(code, by, minutes), operator=operator.mobile)

    def request_grievance_consent(self, kind: str, citizen: str, reference_id: str, mobile: str, now: int) -> str:
        """Text the owner of `mobile` an OTP by which they agree to the citizen's issue of this `kind` about
        registration `reference_id` (docs/grievances.md): a member moving onto their mobile, or their
        registration merged into the citizen's member. Only that citizen, for that issue, may present it;
        it never logs anybody in."""
        minutes = max(self.policy.validity_seconds // 60, 1)
        text = messages.transfer_otp if kind == grievances.TRANSFER else messages.merge_otp
        return self._send(mobile, now, [], lambda code: text(code, reference_id, minutes),
                          operator=grievances.consent_binding(kind, citizen, reference_id))

    def confirm_grievance_consent(self, txn_id: str, client_hash: str, kind: str, citizen: str, reference_id: str,
                                  now: int) -> str:
        """The mobile that consented, if this guess is right for this citizen's issue; refused exactly as a
        login."""
        txn = self._judged(txn_id, client_hash, now, operator=grievances.consent_binding(kind, citizen, reference_id))
        if txn is None:
            metrics.add_metric(name="ConsentRefused", unit="Count", value=1)
            raise ApiError(errors.INVALID_OTP)
        return txn.mobile

    def request_status_consent(self, txn_id: str, checker_id: str, checker_name: str, mobile: str, now: int,
                               also: Callable[[Transaction], None]) -> None:
        """Text the owner of `mobile` an OTP naming the status checker that asks to see their vaccination
        status (docs/kycvs.md), bound to that checker; `also` (the request's record) joins its transaction."""
        minutes = max(self.policy.validity_seconds // 60, 1)
        self._send(mobile, now, [], lambda code: messages.status_consent_otp(code, checker_name, minutes),
                   operator=kycvs.purpose(checker_id), txn_id=txn_id, also=also, channel=kycvs.CHANNEL)

    def judge_status_consent(self, txn_id: str, client_hash: str, checker_id: str,
                             now: int) -> tuple[OtpTransaction | None, bool]:
        """A checker's guess at its own request's OTP: (the transaction, if this guess spent one of its tries;
        whether it was right, the OTP then used up). Another checker's, a login's or an operator's
        transaction spends nothing and gives (None, False), as an unknown one does."""
        return self._spent_and_judged(txn_id, client_hash, now, kycvs.purpose(checker_id))

    def _send(self, mobile: str, now: int, rates: Sequence[Window], text: Callable[[str], messages.Sms],
              operator: str | None = None, txn_id: str | None = None,
              also: Callable[[Transaction], None] | None = None, channel: str = "mobile") -> str:
        """Issue an OTP for `mobile` (for `operator`'s consent, or a login) under the mobile's resend
        interval and hourly sends and any other `rates`, and text it at once: the person is waiting. A
        `channel` of its own (a status check's) has its own resend interval and hourly sends per mobile."""
        policy = self.policy
        txn_id = txn_id or str(uuid.uuid4())
        code = otp.new_otp(policy.length)
        txn = otp.issue(policy, self.secrets.otp_pepper, txn_id, mobile, now, code, operator)
        action = "otp" if channel == "mobile" else f"otp-{channel}"
        hourly = limits.window(limits.Limit(action, self.profile.otp_sends_per_hour, 3600), mobile, now)
        windows = [hourly, *rates]
        resend_after = otp.resend_allowed_after(policy, now)
        refused = self.store.start_otp_transaction(txn, resend_after, windows) if also is None \
            else self.store.start_otp_transaction(txn, resend_after, windows, also, channel)
        if refused:
            metrics.add_metric(name="OtpThrottled", unit="Count", value=1)
            if "throttle" in refused:
                raise ApiError(errors.OTP_THROTTLED)
            raise limits.refused(next(window for window in windows if window.key in refused), now)
        try:
            language = self.profile.language(self.store.account_language(mobile))
            sms_text = text(code)
            self.send_sms(mobile, messages.render(sms_text, self.profile.words(language)),
                          self.profile.sms_template_id(sms_text.template, language))
        except sms.SmsError as error:
            # No traceback: exception texts from carriers can quote the number.
            logger.error("OTP SMS failed", extra={"mobile": mask_mobile(mobile), "reason": type(error).__name__})
            if channel == "mobile":
                self.store.release_otp_throttle(mobile, txn_id)
            else:
                self.store.release_otp_throttle(mobile, txn_id, channel)
            raise ApiError(errors.SMS_UNAVAILABLE) from None
        metrics.add_metric(name="OtpSent", unit="Count", value=1)
        return txn_id

    def confirm_otp(self, txn_id: str, client_hash: str, now: int) -> Login:
        """Check sha256(otp) against the transaction; on success, a token for the mobile's roles.
        The attempt is spent before the guess is judged, and every refusal is the same answer."""
        txn = self._judged(txn_id, client_hash, now, operator=None)
        if txn is None:
            metrics.add_metric(name="LoginFailed", unit="Count", value=1)
            raise ApiError(errors.INVALID_OTP)
        is_new = self.store.record_login(txn.mobile, now)
        metrics.add_metric(name="LoginSucceeded", unit="Count", value=1)
        token = issue_token(self.principal_for(txn.mobile), now, self.secrets.jwt_key,
                            self.profile.token_validity_seconds)
        return Login(token=token, is_new_account=is_new)

    def confirm_consent(self, txn_id: str, client_hash: str, operator_mobile: str, now: int) -> tuple[str, StaffMember]:
        """Check the OTP the citizen read out against the operator's consent transaction, exactly as a
        login's (and with the same refusal); returns the citizen's mobile and the operator as they
        stand now (an operator switched off meanwhile is refused)."""
        txn = self._judged(txn_id, client_hash, now, operator=operator_mobile)
        if txn is None:
            metrics.add_metric(name="ConsentRefused", unit="Count", value=1)
            raise ApiError(errors.INVALID_OTP)
        return txn.mobile, self.active_operator(operator_mobile)

    def _judged(self, txn_id: str, client_hash: str, now: int, operator: str | None) -> OtpTransaction | None:
        """The transaction, used up, if this guess is right; None for every refusal. Its attempt is
        spent first (only one of the purpose asked: a login's, or this operator's consent)."""
        txn, right = self._spent_and_judged(txn_id, client_hash, now, operator)
        return txn if right else None

    def _spent_and_judged(self, txn_id: str, client_hash: str, now: int,
                          operator: str | None) -> tuple[OtpTransaction | None, bool]:
        policy = self.policy
        txn = self.store.spend_otp_attempt(txn_id, policy.max_attempts, now, operator)
        if txn is None:
            return None, False
        right = otp.judge(policy, self.secrets.otp_pepper, txn, client_hash, now, operator) \
            and self.store.consume_otp(txn_id)
        return txn, right

    def active_operator(self, mobile: str) -> StaffMember:
        """The operator's staff record, if it is an active operator's (a token outlives a deactivation)."""
        staff = self.store.get_staff(mobile)
        if staff is None or not staff.active or Role.OPERATOR.value not in staff.roles:
            raise ApiError(errors.OPERATOR_INACTIVE)
        return staff

    def principal_for(self, mobile: str) -> Principal:
        """Everyone is a citizen; an active staff record adds its roles and scope."""
        staff = self.store.get_staff(mobile)
        if staff is None or not staff.active:
            return Principal(mobile=mobile)
        return Principal(mobile=mobile, roles=frozenset({Role.CITIZEN, *(Role(role) for role in staff.roles)}),
                         scope=staff.scope)


def logins(settings: Settings) -> Logins:
    """Logins on DynamoDB, with the stage's secrets, sending through SNS."""
    return Logins(settings.country, dynamodb_store, get_secrets(), sms.publish)
