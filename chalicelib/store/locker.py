"""Links between beneficiaries and document locker accounts: the person's consent (docs/document-locker.md).

One item per beneficiary, `(beneficiary_reference_id)`: linking again replaces it (another locker
account starts with nothing pushed), unlinking deletes it. It also remembers, per dose, the document
URI last pushed to that account, so a reissued certificate's push takes the old one out of the locker.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.records import LockerLinkRecord
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.common import Transaction, conditionally


class LockerLinkItem(TeekaModel):
    Meta = table_meta("locker-links")
    beneficiary_reference_id = UnicodeAttribute(hash_key=True)
    locker_id = UnicodeAttribute()
    mobile = UnicodeAttribute()
    linked_at = NumberAttribute()
    pushed: MapAttribute[str, Any] = MapAttribute(default=dict)


def link(record: LockerLinkRecord) -> None:
    """Link (or link again, to another account: what was pushed to the old one is forgotten)."""
    item_of(record, LockerLinkItem).save()


def unlink(reference_id: str) -> None:
    LockerLinkItem(reference_id).delete()


def unlinking(transaction: Transaction, reference_id: str) -> None:
    """Inside a move of the person to another mobile, or their removal (docs/grievances.md): the consent
    was the old mobile's owner's, so it goes with them (what the account holds, it keeps)."""
    transaction.remove("locker link", LockerLinkItem(reference_id))


def link_of(reference_id: str) -> LockerLinkRecord | None:
    """Strongly consistent: a link made a moment ago is seen by the issuance that follows it."""
    try:
        return record_of(LockerLinkItem.get(reference_id, consistent_read=True), LockerLinkRecord)
    except LockerLinkItem.DoesNotExist:
        return None


def record_push(current: LockerLinkRecord, dose: int, uri: str | None) -> bool:
    """Remember `uri` as the dose's document in the locker (None: none, taken out), only if the link is
    still the one read (same account, same document before): False when a relink or another push changed
    it meanwhile."""
    seen = current.pushed.get(str(dose))
    condition = (LockerLinkItem.locker_id == current.locker_id) & (LockerLinkItem.linked_at == current.linked_at)
    entry = LockerLinkItem.pushed[str(dose)]
    condition &= (entry == seen) if seen else entry.does_not_exist()
    return conditionally(lambda: LockerLinkItem(current.beneficiary_reference_id).update(
        actions=[entry.set(uri) if uri else entry.remove()], condition=condition))
