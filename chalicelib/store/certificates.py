"""Certificate slots and certificates.

A dose's certificate slot `(beneficiary, dose)` is written by the very transaction that records the
dose (and touched again by every correction of it or of the person), marked *due*: a sparse index
over due slots is what the scheduled sweep reads, so no dose can end up without a certificate even
if every event about it is lost. Issuance claims the slot with a conditional write (the claimed
certificate id must still be the one the issuer saw), so exactly one certificate is issued per
version of a dose's facts, however often the event path and the sweep both run.

A certificate item `(certificate id)` holds the signed credential (JWS), its PDF's S3 key, and its
revocation, if any; a sparse index over revoked certificates is the revocation list.
"""
from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterator, Sequence

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.domain.records import CertificateRecord, CertificateSlotRecord
from chalicelib.store.base import TeekaModel, item_of, record_of, table_meta
from chalicelib.store.common import Transaction, conditionally

DUE_SHARDS = 16  # the due index spreads over 16 partitions: ~16,000 doses/s of write headroom
REVOKED = "revoked"


def shard_name(number: int) -> str:
    return f"due#{number:02d}"


def due_shard(reference_id: str) -> str:
    return shard_name(int(hashlib.sha256(reference_id.encode()).hexdigest()[:8], 16) % DUE_SHARDS)


class DueSlots(GlobalSecondaryIndex):
    class Meta:
        index_name = "due"
        projection = KeysOnlyProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = NumberAttribute(range_key=True)


class CertificateSlotItem(TeekaModel):
    Meta = table_meta("certificate-slots")
    beneficiary_reference_id = UnicodeAttribute(hash_key=True)
    dose = NumberAttribute(range_key=True)
    mobile = UnicodeAttribute()
    # Set while the slot waits for (re)issuance; removed when its certificate is ready.
    due_shard = UnicodeAttribute(null=True)
    due_at = NumberAttribute(null=True)
    marks = NumberAttribute(default=0)  # how many times it was marked due: a newer mark voids an older issuance
    # The certificate being issued (claimed) and the facts it says; the one issued and ready.
    claimed_id = UnicodeAttribute(null=True)
    claimed_basis = UnicodeAttribute(null=True)
    issued_id = UnicodeAttribute(null=True)
    due = DueSlots()


class RevokedCertificates(GlobalSecondaryIndex):
    class Meta:
        index_name = "revoked"
        projection = AllProjection()

    revoked_list = UnicodeAttribute(hash_key=True)
    revoked_at = NumberAttribute(range_key=True)


class CertificateItem(TeekaModel):
    """A certificate; its PDF is `documents.certificate_key(certificate_id)`, its key the JWS's `kid`."""

    Meta = table_meta("certificates")
    certificate_id = UnicodeAttribute(hash_key=True)
    beneficiary_reference_id = UnicodeAttribute()
    dose = NumberAttribute()
    kind = UnicodeAttribute()  # provisional | final
    issued_at = NumberAttribute()
    jws = UnicodeAttribute(null=True)  # set when ready
    kid = UnicodeAttribute(null=True)
    ddcc = UnicodeAttribute(null=True)
    shc = UnicodeAttribute(null=True)
    rid = UnicodeAttribute(null=True)
    hc1 = UnicodeAttribute(null=True)
    uvci = UnicodeAttribute(null=True)
    revoked_list = UnicodeAttribute(null=True)  # "revoked" once revoked: the sparse index key
    revoked_at = NumberAttribute(null=True)
    revoked_reason = UnicodeAttribute(null=True)
    superseded_by = UnicodeAttribute(null=True)
    revoked = RevokedCertificates()


REVOCATION_SHARDS = 8


class RevocationCountItem(TeekaModel):
    """How many certificates were ever revoked: the SMART Health Card revocation lists' counter (`ctr`,
    `crlVersion`), which must grow whenever a list changes. Kept in the certificates table under ids that
    are never a certificate's (`revocations#<shard>`), in shards, so revocations at once do not contend."""

    Meta = table_meta("certificates")
    certificate_id = UnicodeAttribute(hash_key=True)
    revocations = NumberAttribute(default=0)


def revocation_count() -> int:
    """The counter: one BatchGetItem of its shards."""
    keys = [f"revocations#{shard}" for shard in range(REVOCATION_SHARDS)]
    return sum(int(item.revocations) for item in RevocationCountItem.batch_get(keys, consistent_read=True))


def new_certificate(reference_id: str, dose: int, kind: str, now: int) -> CertificateRecord:
    return CertificateRecord(str(uuid.uuid4()), beneficiary_reference_id=reference_id, dose=dose, kind=kind,
                           issued_at=now)


def mark_due(transaction: Transaction, reference_id: str, dose: int, mobile: str, now: int) -> None:
    """Inside a dose's (or a correction's) transaction: this dose needs a (new) certificate."""
    # A slot keeps the mobile it has: a person moved to another mobile (`rehome`) keeps their certificates
    # there, whatever mobile an older record of theirs names.
    transaction.change("certificate", CertificateSlotItem(reference_id, dose), [
        CertificateSlotItem.mobile.set(CertificateSlotItem.mobile | mobile),
        CertificateSlotItem.due_shard.set(due_shard(reference_id)),
        CertificateSlotItem.due_at.set(now), CertificateSlotItem.marks.add(1)])


def slot(reference_id: str, dose: int) -> CertificateSlotRecord | None:
    try:
        return record_of(CertificateSlotItem.get(reference_id, dose, consistent_read=True), CertificateSlotRecord)
    except CertificateSlotItem.DoesNotExist:
        return None


def slots(reference_id: str) -> list[CertificateSlotRecord]:
    return [record_of(item, CertificateSlotRecord)
            for item in CertificateSlotItem.query(reference_id, consistent_read=True)]


def _key(slot: CertificateSlotRecord) -> CertificateSlotItem:
    return CertificateSlotItem(slot.beneficiary_reference_id, slot.dose)


def claim(current: CertificateSlotRecord, certificate: CertificateRecord, basis: str) -> bool:
    """Claim the slot for a new certificate: only if nobody claimed another since `current` was read."""
    seen = current.claimed_id
    condition = CertificateSlotItem.mobile.exists()
    condition &= (CertificateSlotItem.claimed_id == seen) if seen else CertificateSlotItem.claimed_id.does_not_exist()

    def build(transaction: Transaction) -> None:
        transaction.change("slot", _key(current), [
            CertificateSlotItem.claimed_id.set(certificate.certificate_id),
            CertificateSlotItem.claimed_basis.set(basis)], condition)
        transaction.put("certificate", item_of(certificate, CertificateItem),
                        CertificateItem.certificate_id.does_not_exist())

    return Transaction(CertificateSlotItem).attempt(build) is None


SIGNED_FIELDS = ("jws", "kid", "ddcc", "shc", "rid", "hc1", "uvci")


def complete(current: CertificateSlotRecord, certificate: CertificateRecord, now: int) -> bool:
    """The certificate is ready (`certificate` holds its signed formats): store them, point the slot at
    it, clear the slot's due mark unless a newer change marked it again, and revoke what it supersedes,
    all at once. False if a newer claim or a newer change won meanwhile (the certificate then never
    becomes the slot's)."""
    condition = (CertificateSlotItem.claimed_id == certificate.certificate_id) & (
        CertificateSlotItem.marks == int(current.marks))
    # Two finishers of one claim (a slow worker and the sweep's): only the first completes and texts.
    condition &= CertificateSlotItem.issued_id.does_not_exist() | (
        CertificateSlotItem.issued_id != certificate.certificate_id)
    previous = current.issued_id

    def build(transaction: Transaction) -> None:
        transaction.change("slot", _key(current), [
            CertificateSlotItem.issued_id.set(certificate.certificate_id),
            CertificateSlotItem.due_shard.remove(), CertificateSlotItem.due_at.remove()], condition)
        attributes = CertificateItem.get_attributes()
        signed = [attributes[name].set(getattr(certificate, name)) for name in SIGNED_FIELDS
                  if getattr(certificate, name) is not None]
        transaction.change("certificate", CertificateItem(certificate.certificate_id), signed,
                           CertificateItem.certificate_id.exists())
        if previous and previous != certificate.certificate_id:
            transaction.change("count", RevocationCountItem(f"revocations#{random.randrange(REVOCATION_SHARDS)}"),
                               [RevocationCountItem.revocations.add(1)])
            transaction.change("previous", CertificateItem(previous), [
                CertificateItem.revoked_list.set(REVOKED), CertificateItem.revoked_at.set(now),
                CertificateItem.revoked_reason.set("superseded"),
                CertificateItem.superseded_by.set(certificate.certificate_id)],
                CertificateItem.certificate_id.exists())

    return Transaction(CertificateSlotItem).attempt(build) is None


def withdraw(transaction: Transaction, emptied: Sequence[CertificateSlotRecord], now: int) -> None:
    """Inside a repair's transaction (docs/grievances.md): these doses are no longer the person's, so
    each slot is emptied (a newer mark also voids an issuance in flight) and its certificate revoked."""
    revoked = [slot.issued_id for slot in emptied if slot.issued_id]
    for slot in emptied:
        seen = CertificateSlotItem.issued_id == slot.issued_id if slot.issued_id \
            else CertificateSlotItem.issued_id.does_not_exist()
        transaction.change(f"slot {slot.dose}", _key(slot), [
            CertificateSlotItem.issued_id.remove(), CertificateSlotItem.claimed_id.remove(),
            CertificateSlotItem.claimed_basis.remove(), CertificateSlotItem.due_shard.remove(),
            CertificateSlotItem.due_at.remove(), CertificateSlotItem.marks.add(1)], seen)
    if revoked:
        transaction.change("count", RevocationCountItem(f"revocations#{random.randrange(REVOCATION_SHARDS)}"),
                           [RevocationCountItem.revocations.add(len(revoked))])
    for certificate_id in revoked:
        transaction.change(f"revoked {certificate_id}", CertificateItem(certificate_id), [
            CertificateItem.revoked_list.set(REVOKED), CertificateItem.revoked_at.set(now),
            CertificateItem.revoked_reason.set("withdrawn")], CertificateItem.certificate_id.exists())


def rehome(transaction: Transaction, slots: Sequence[CertificateSlotRecord], mobile: str) -> None:
    """Inside a move of a person to another mobile: their certificates are that mobile's to download."""
    for slot in slots:
        transaction.change(f"slot {slot.dose}", _key(slot), [CertificateSlotItem.mobile.set(mobile)],
                           CertificateSlotItem.mobile.exists())


def settle(current: CertificateSlotRecord) -> bool:
    """Clear the due mark of a slot whose issued certificate already says the current facts."""
    return conditionally(lambda: _key(current).update(
        actions=[CertificateSlotItem.due_shard.remove(), CertificateSlotItem.due_at.remove()],
        condition=CertificateSlotItem.marks == int(current.marks)))


def certificate(certificate_id: str) -> CertificateRecord | None:
    if not certificate_id:  # DynamoDB refuses an empty key
        return None
    try:
        return record_of(CertificateItem.get(certificate_id), CertificateRecord)
    except CertificateItem.DoesNotExist:
        return None


def due(shard: str, before: int, limit: int) -> Iterator[tuple[str, int]]:
    """The (beneficiary, dose) of slots due before `before` (the index keeps only their keys)."""
    return ((item.beneficiary_reference_id, int(item.dose))
            for item in CertificateSlotItem.due.query(shard, CertificateSlotItem.due_at < before, limit=limit))


def revoked_since(since: int, limit: int, start: dict | None) -> tuple[list[CertificateRecord], dict | None]:
    """One page of revoked certificates, oldest first, and where the next page starts (None at the end)."""
    pages = CertificateItem.revoked.query(REVOKED, CertificateItem.revoked_at >= since, limit=limit,
                                          last_evaluated_key=start)
    items = [record_of(item, CertificateRecord) for item in pages]
    return items, pages.last_evaluated_key if len(items) == limit else None


def revoked_by_key(kid: str | None = None) -> Iterator[CertificateRecord]:
    """Every revoked certificate `kid` signed (any key's, without one), oldest first: the sparse index's
    pages, filtered by key."""
    condition = CertificateItem.kid == kid if kid else CertificateItem.kid.exists()
    return (record_of(item, CertificateRecord)
            for item in CertificateItem.revoked.query(REVOKED, filter_condition=condition))
