"""KYC-VS (docs/kycvs.md): the status checkers (third parties with an API key) and their requests, each
request the audit of one ask and how it ended.

Two tables, each keyed by a random id, so no key is hot: a checker's every call reads its own item, and a
request is its own item. Two indexes serve the two lists: the admins' list of checkers (`by-created`,
one constant key: checkers are created by hand, a few a day at most) and a mobile's owner's list of who
asked about them (`by-mobile`, newest first).
"""
from __future__ import annotations

from collections.abc import Callable

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.domain.kycvs import ANSWERED, ASKED, REFUSED
from chalicelib.domain.records import StatusCheckerRecord, StatusCheckRecord
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.common import Transaction, conditionally


class CheckersByCreated(GlobalSecondaryIndex):
    """Every checker, oldest first: what the admins list. Keys only: the list reads the items it names."""

    class Meta:
        index_name = "by-created"
        projection = KeysOnlyProjection()

    listed = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class StatusCheckerItem(TeekaModel):
    Meta = table_meta("kycvs-checkers")
    checker_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    scopes = ListAttribute(of=UnicodeAttribute)
    requests_per_minute = NumberAttribute()
    key_digest = UnicodeAttribute()
    created_at = NumberAttribute()
    created_by = UnicodeAttribute()
    listed = UnicodeAttribute(default="checker")
    revoked_at = NumberAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    by_created = CheckersByCreated()


class ChecksByMobile(GlobalSecondaryIndex):
    """Who asked about a mobile, newest first: what its owner reads."""

    class Meta:
        index_name = "by-mobile"
        projection = AllProjection()

    mobile = UnicodeAttribute(hash_key=True)
    asked_at = NumberAttribute(range_key=True)


class StatusCheckItem(TeekaModel):
    Meta = table_meta("kycvs-requests")
    request_id = UnicodeAttribute(hash_key=True)
    checker_id = UnicodeAttribute()
    checker_name = UnicodeAttribute()
    mobile = UnicodeAttribute()
    asked_at = NumberAttribute()
    expires_at = NumberAttribute()  # not a TTL: the audit is kept
    status = UnicodeAttribute()
    beneficiary_reference_id = UnicodeAttribute(null=True)
    wrong_codes = NumberAttribute(default=0)
    answered_at = NumberAttribute(null=True)
    revealed = ListAttribute(of=UnicodeAttribute, default=list)
    by_mobile = ChecksByMobile()


def _checker(item: StatusCheckerItem) -> StatusCheckerRecord:
    return record_of(item, StatusCheckerRecord, scopes=tuple(item.scopes), requests_per_minute=int(
        item.requests_per_minute), created_at=int(item.created_at),
        revoked_at=None if item.revoked_at is None else int(item.revoked_at))


def _check(item: StatusCheckItem) -> StatusCheckRecord:
    return record_of(item, StatusCheckRecord, asked_at=int(item.asked_at), expires_at=int(item.expires_at),
                     wrong_codes=int(item.wrong_codes or 0), revealed=tuple(item.revealed or ()),
                     answered_at=None if item.answered_at is None else int(item.answered_at))


def add_checker(checker: StatusCheckerRecord) -> bool:
    """One conditional PutItem; False if the id is taken (a new random id is then drawn)."""
    return conditionally(lambda: item_of(checker, StatusCheckerItem, scopes=list(checker.scopes)).save(
        condition=StatusCheckerItem.checker_id.does_not_exist()))


def checker(checker_id: str) -> StatusCheckerRecord | None:
    """One GetItem, strongly consistent: a revocation holds from the next call on."""
    try:
        return _checker(StatusCheckerItem.get(checker_id, consistent_read=True))
    except StatusCheckerItem.DoesNotExist:
        return None


def checkers() -> list[StatusCheckerRecord]:
    """Every checker, oldest first: one Query of the index's keys + one BatchGetItem per 100."""
    ids = [item.checker_id for item in StatusCheckerItem.by_created.query("checker")]
    found = {item.checker_id: _checker(item) for item in StatusCheckerItem.batch_get(ids)} if ids else {}
    return [found[checker_id] for checker_id in ids if checker_id in found]


def revoke_checker(checker_id: str, by: str, now: int) -> StatusCheckerRecord | None:
    """One conditional UpdateItem (the first revocation's time and admin are kept); None if there is no such
    checker."""
    item = StatusCheckerItem(checker_id)
    if not conditionally(lambda: item.update(
            actions=[StatusCheckerItem.revoked_at.set(StatusCheckerItem.revoked_at | now),
                     StatusCheckerItem.revoked_by.set(StatusCheckerItem.revoked_by | by)],
            condition=StatusCheckerItem.checker_id.exists())):
        return None
    return _checker(item)


def asking(check: StatusCheckRecord) -> Callable[[Transaction], None]:
    """What a request adds to its OTP's transaction: its record (a new key, never refused), so no OTP is sent
    for a request that is not recorded, nor recorded for one that was refused."""
    def build(transaction: Transaction) -> None:
        transaction.put("kycvs:request", item_of(check, StatusCheckItem, revealed=list(check.revealed)),
                        condition=StatusCheckItem.request_id.does_not_exist())

    return build


def _of_checker(request_id: str, checker_id: str):
    return StatusCheckItem.request_id.exists() & (StatusCheckItem.checker_id == checker_id)


def wrong_code(request_id: str, checker_id: str) -> None:
    """One UpdateItem: a wrong code counted on the request's record."""
    conditionally(lambda: StatusCheckItem(request_id).update(
        actions=[StatusCheckItem.wrong_codes.add(1)], condition=_of_checker(request_id, checker_id)))


def refused(request_id: str, checker_id: str) -> None:
    """One UpdateItem: the request's last try was spent on a wrong code (unless a right one came first)."""
    conditionally(lambda: StatusCheckItem(request_id).update(
        actions=[StatusCheckItem.status.set(REFUSED)],
        condition=_of_checker(request_id, checker_id) & (StatusCheckItem.status == ASKED)))


def answered(request_id: str, checker_id: str, revealed: tuple[str, ...], now: int) -> StatusCheckRecord | None:
    """One UpdateItem returning the request as it now stands: answered, written before the answer is handed
    over. None if it is not this checker's request, or was answered already. A right code wins over a
    `refused` written meanwhile by a wrong one sent with it, judged after it but recorded first."""
    item = StatusCheckItem(request_id)
    if not conditionally(lambda: item.update(
            actions=[StatusCheckItem.status.set(ANSWERED), StatusCheckItem.answered_at.set(now),
                     StatusCheckItem.revealed.set(list(revealed))],  # type: ignore[arg-type]
            condition=_of_checker(request_id, checker_id) & (StatusCheckItem.status != ANSWERED))):
        return None
    return _check(item)


def for_mobile(mobile: str, limit: int) -> list[StatusCheckRecord]:
    """The newest `limit` requests about this mobile: one Query of its index."""
    return [_check(item) for item in StatusCheckItem.by_mobile.query(mobile, scan_index_forward=False, limit=limit)]
