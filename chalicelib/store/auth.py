"""Auth tables: OTP transactions with their per-mobile resend throttle, captchas, citizen accounts, staff."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.domain.assisted import Area
from chalicelib.domain.limits import Window
from chalicelib.domain.otp import OtpTransaction
from chalicelib.domain.roles import Role, StaffMember
from chalicelib.store import limits
from chalicelib.store.base import TeekaModel, table_meta
from chalicelib.store.common import Transaction, conditionally, is_condition_failure


class OtpItem(TeekaModel):
    """One table of short-lived secrets, three item kinds (PynamoDB discriminator): OTP transactions
    `txn#<id>`, their resend throttle `mobile#<mobile>`, and booking captchas `captcha#<mobile>`."""

    Meta = table_meta("otp")
    pk = UnicodeAttribute(hash_key=True)
    kind = DiscriminatorAttribute()
    expires_at = TTLAttribute()


class OtpTransactionItem(OtpItem, discriminator="txn"):
    mobile = UnicodeAttribute()
    otp_digest = UnicodeAttribute()
    issued_at = NumberAttribute()
    attempts = NumberAttribute(default=0)
    consumed = BooleanAttribute(default=False)
    operator = UnicodeAttribute(null=True)  # a citizen's consent to this operator; none for a login

    @staticmethod
    def key(txn_id: str) -> str:
        return f"txn#{txn_id}"


class OtpThrottleItem(OtpItem, discriminator="throttle"):
    """Guards the resend interval: written conditionally with the transaction it throttles. One per mobile and
    channel: logins and consents to operators share `mobile`; third parties' status checks have `kycvs`, so
    they can never hold up the person's own login (docs/kycvs.md)."""

    last_sent_at = NumberAttribute()
    txn_id = UnicodeAttribute()

    @staticmethod
    def key(mobile: str, channel: str = "mobile") -> str:
        return f"{channel}#{mobile}"


class CaptchaItem(OtpItem, discriminator="captcha"):
    """The mobile's current booking captcha: a keyed digest of the answer, usable once."""

    answer_digest = UnicodeAttribute()
    valid_until = NumberAttribute()

    @staticmethod
    def key(mobile: str) -> str:
        return f"captcha#{mobile}"


def save_captcha(mobile: str, answer_digest: str, valid_until: int) -> None:
    CaptchaItem(CaptchaItem.key(mobile), answer_digest=answer_digest, valid_until=valid_until,
                expires_at=_instant(valid_until)).save()


def take_captcha(mobile: str) -> tuple[str, int] | None:
    """Remove the mobile's captcha and return (answer digest, valid until), or None if there is none.
    Taken before the answer is judged, whatever the answer: a captcha answers one guess, so guesses
    sent at once cannot try more than one answer."""
    response = CaptchaItem._get_connection().delete_item(CaptchaItem.key(mobile), return_values=ALL_OLD)
    if not response.get("Attributes"):
        return None
    item = CaptchaItem.from_raw_data(response["Attributes"])
    return item.answer_digest, int(item.valid_until)


class AccountItem(TeekaModel):
    """A citizen account: the mobile that logged in, and how many beneficiaries it holds."""

    Meta = table_meta("accounts")
    mobile = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(null=True)
    last_login_at = NumberAttribute(null=True)
    # Guards the per-mobile limit: changed only in the same transaction as a beneficiary.
    beneficiary_count = NumberAttribute(default=0)
    language = UnicodeAttribute(null=True)  # of its SMS and PDFs; none: the country's own language


class StaffItem(TeekaModel):
    """A staff member's roles and scope, keyed by the mobile they log in with."""

    Meta = table_meta("staff")
    mobile = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    roles = UnicodeSetAttribute()
    facility_id = NumberAttribute(null=True)
    district_id = NumberAttribute(null=True)
    state_id = NumberAttribute(null=True)
    active = BooleanAttribute(default=True)
    desk = UnicodeAttribute(null=True)  # an operator's helpline or service centre


def start_otp_transaction(txn: OtpTransaction, resend_allowed_after: int, rates: Sequence[Window],
                          also: Callable[[Transaction], None] | None = None,
                          channel: str = "mobile") -> set[str] | None:
    """Write the transaction, claim the mobile's resend slot and count it in each of `rates` (the
    mobile's hour; an operator's day for a consent), with what `also` adds (a status check's record),
    in one TransactWriteItems. None when done;
    otherwise what refused: "throttle" (an OTP was sent after `resend_allowed_after`) and/or the key of
    each full window. Nothing is written then.
    """
    item = OtpTransactionItem(
        OtpTransactionItem.key(txn.txn_id), mobile=txn.mobile, otp_digest=txn.otp_digest,
        issued_at=txn.issued_at, expires_at=_instant(txn.expires_at), attempts=0, consumed=False,
        operator=txn.operator,
    )
    throttle = OtpThrottleItem(
        OtpThrottleItem.key(txn.mobile, channel), last_sent_at=txn.issued_at, txn_id=txn.txn_id,
        # Kept until the resend interval is over; TTL deletion may lag, the condition below does not.
        expires_at=_instant(txn.expires_at + txn.issued_at - resend_allowed_after),
    )
    def build(transaction: Transaction) -> None:
        transaction.put("transaction", item, condition=OtpItem.pk.does_not_exist())
        transaction.put("throttle", throttle, condition=OtpItem.pk.does_not_exist()
                        | (OtpThrottleItem.last_sent_at <= resend_allowed_after))
        for rate in rates:
            transaction.change(rate.key, *limits.counting(rate))
        if also is not None:
            also(transaction)

    return Transaction(OtpItem).attempt(build)


def release_otp_throttle(mobile: str, txn_id: str, channel: str = "mobile") -> None:
    """Undo the resend claim of a transaction whose SMS never left, so the citizen may ask again."""
    try:
        OtpThrottleItem(OtpThrottleItem.key(mobile, channel)).delete(condition=OtpThrottleItem.txn_id == txn_id)
    except DeleteError as error:
        if not is_condition_failure(error):
            raise


def spend_otp_attempt(txn_id: str, max_attempts: int, now: int, operator: str | None = None) -> OtpTransaction | None:
    """Spend one attempt of the transaction before its guess is judged: one UpdateItem that adds 1
    only while an attempt is left and the OTP is unused and unexpired, returning the transaction as
    it now stands. None when nothing could be spent (or there is no such transaction). A login
    (`operator` None) spends only a login's attempts, a consent only its own operator's: a guess
    sent for the other purpose spends nothing of it."""
    purpose = OtpTransactionItem.operator.does_not_exist() if operator is None \
        else OtpTransactionItem.operator == operator
    item = OtpTransactionItem(OtpTransactionItem.key(txn_id))
    try:
        item.update(actions=[OtpTransactionItem.attempts.add(1)],
                    condition=OtpItem.pk.exists() & (OtpTransactionItem.attempts < max_attempts)
                    & (OtpTransactionItem.consumed == False) & (OtpItem.expires_at > _instant(now))  # noqa: E712
                    & purpose)
    except UpdateError as error:
        if is_condition_failure(error):
            return None
        raise
    return OtpTransaction(
        txn_id=txn_id, mobile=item.mobile, otp_digest=item.otp_digest, issued_at=int(item.issued_at),
        expires_at=int(item.expires_at.timestamp()), attempts=int(item.attempts), consumed=bool(item.consumed),
        operator=item.operator,
    )


def consume_otp(txn_id: str) -> bool:
    """Mark the OTP used: True for exactly one caller."""
    return conditionally(lambda: OtpTransactionItem(OtpTransactionItem.key(txn_id)).update(
        actions=[OtpTransactionItem.consumed.set(True)],
        condition=OtpItem.pk.exists() & (OtpTransactionItem.consumed == False)))  # noqa: E712


def record_login(mobile: str, now: int) -> bool:
    """Create the account on first login; True when it is new. One UpdateItem, race-free."""
    # Model.update() only returns the new image; the old one (empty for a new account) needs the table connection.
    response = AccountItem._get_connection().update_item(
        mobile,
        actions=[AccountItem.created_at.set(AccountItem.created_at | now), AccountItem.last_login_at.set(now)],
        return_values=ALL_OLD,
    )
    return "created_at" not in response.get("Attributes", {})


def account_language(mobile: str) -> str | None:
    """The language a mobile's account chose (one GetItem of one attribute), if any."""
    try:
        return AccountItem.get(mobile, attributes_to_get=["language"]).language
    except AccountItem.DoesNotExist:
        return None


def set_account_language(mobile: str, language: str) -> None:
    """One UpdateItem (the account exists: its mobile has logged in)."""
    AccountItem(mobile).update(actions=[AccountItem.language.set(language)])


def get_staff(mobile: str) -> StaffMember | None:
    try:
        item = StaffItem.get(mobile)
    except StaffItem.DoesNotExist:
        return None
    return StaffMember(mobile=item.mobile, name=item.name, roles=frozenset(item.roles or ()), active=bool(item.active),
                       state_id=_int_or_none(item.state_id), district_id=_int_or_none(item.district_id),
                       facility_id=_int_or_none(item.facility_id), desk=item.desk)


def _int_or_none(value: float | None) -> int | None:
    return None if value is None else int(value)


def names(mobiles: set[str]) -> dict[str, str]:
    """Staff names by mobile: one BatchGetItem per 100."""
    return {staff.mobile: staff.name for staff in StaffItem.batch_get(sorted(mobiles))} if mobiles else {}


def _instant(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC)


def add_facility_staff(mobile: str, name: str, role: str, state_id: int, district_id: int, facility_id: int) -> bool:
    """Add a vaccinator/verifier role at a facility; refused if the mobile is staff elsewhere."""
    try:
        StaffItem(mobile).update(
            actions=[StaffItem.name.set(name), StaffItem.roles.add({role}), StaffItem.state_id.set(state_id),
                     StaffItem.district_id.set(district_id), StaffItem.facility_id.set(facility_id),
                     StaffItem.active.set(True)],
            condition=StaffItem.mobile.does_not_exist() | (StaffItem.facility_id == facility_id),
        )
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def _operator_in(area: Area | None):
    """The condition that the staff record is an operator, and (unless `area` is None: the national
    admin's) one of `area`: a state admin's operators are those of their state, a district admin's
    those of their district."""
    condition = StaffItem.roles == {Role.OPERATOR.value}
    if area is not None:
        condition &= StaffItem.state_id == area.state_id
        if area.district_id is not None:
            condition &= StaffItem.district_id == area.district_id
    return condition


def put_operator(mobile: str, name: str, desk: str, area: Area, admins_area: Area | None) -> bool:
    """Make the mobile an active operator of `area` (one conditional UpdateItem): a new staff record, or
    an operator already in the admin's area (renamed, moved within it, reactivated). False when the
    mobile is other staff, or an operator of somewhere else."""
    actions: list[Action] = [
        StaffItem.name.set(name), StaffItem.roles.set({Role.OPERATOR.value}), StaffItem.state_id.set(area.state_id),
        StaffItem.desk.set(desk), StaffItem.active.set(True),
        StaffItem.district_id.remove() if area.district_id is None else StaffItem.district_id.set(area.district_id)]
    return conditionally(lambda: StaffItem(mobile).update(
        actions=actions, condition=StaffItem.mobile.does_not_exist() | _operator_in(admins_area)))


def deactivate_operator(mobile: str, admins_area: Area | None) -> StaffMember | None:
    """Switch an operator of the admin's area off (one conditional UpdateItem): their next login is a
    citizen's. None when the mobile is no operator of that area."""
    item = StaffItem(mobile)
    if not conditionally(lambda: item.update(actions=[StaffItem.active.set(False)],
                                             condition=StaffItem.mobile.exists() & _operator_in(admins_area))):
        return None
    return StaffMember(mobile=item.mobile, name=item.name, roles=frozenset(item.roles or ()), active=False,
                       state_id=_int_or_none(item.state_id), district_id=_int_or_none(item.district_id),
                       desk=item.desk)
