"""Which certificate a citizen may download: the latest issued one of a beneficiary on their own mobile.

DynamoDB calls: 1 Query (the beneficiary's certificate slots); + 1 GetItem only when none is issued,
to tell "not yours" from "not yet".
"""
from __future__ import annotations

from chalicelib.domain import errors
from chalicelib.domain.beneficiaries import is_reference_id
from chalicelib.domain.errors import ApiError
from chalicelib.services import registration
from chalicelib.store import certificates as store


def latest_issued(mobile: str, reference_id: str) -> str:
    """The id of the person's latest issued certificate (of their highest dose)."""
    slots = store.slots(reference_id) if is_reference_id(reference_id) else []
    if slots and slots[0].mobile != mobile:
        raise ApiError(errors.BENEFICIARY_NOT_FOUND)
    issued = {slot.dose: slot.issued_id for slot in slots if slot.issued_id}
    if not issued:
        registration.owned(mobile, reference_id)  # not theirs (or no such person) answers as such
        raise ApiError(errors.CERTIFICATE_NOT_READY)
    return issued[max(issued)]
