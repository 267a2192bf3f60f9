"""Masking of personal identifiers, for every response and every log line."""
from __future__ import annotations


def mask_mobile(mobile: str) -> str:
    """`9876543210` -> `******3210` (CoWIN's form)."""
    return "*" * max(len(mobile) - 4, 0) + mobile[-4:]


def mask_id_number(last4: str) -> str:
    """Photo-ID numbers are stored only as their last 4 characters: `********3405`."""
    return "********" + last4


def mask_passport(number: str) -> str:
    """A passport number as audit trails and answers show it: its last 3 characters."""
    return "*" * max(len(number) - 3, 0) + number[-3:]
