"""Photo-ID rules: normalising and validating a number (each type's form and checksum are data in the
country pack: `IdType` in config.py), and the claim that makes an ID unique.

A number is normalised (spaces, hyphens, slashes and dots removed; digits of any script, such as
Devanagari `२`, turned into ASCII; upper-cased) before it is checked, compared or hashed, so
`2341 2341 2346`, `२३४१२३४१२३४६` and `234123412346` are one ID and one claim.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from chalicelib.config import IdType


def normalise(number: str) -> str:
    ascii_digits = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in number)
    return re.sub(r"[\s\-/.]", "", ascii_digits).upper()


def is_valid(id_type: IdType | None, normalised_number: str) -> bool:
    """Whether a normalised number has its type's form and checksum, as the country pack declares them."""
    return id_type is not None and id_type.accepts(normalised_number)


def claim_key(secret: bytes, id_type: int, normalised_number: str) -> str:
    """The one key a person's ID can be registered under, nationwide. Keyed, so not reversible by lookup."""
    return hmac.new(secret, f"{id_type}:{normalised_number}".encode(), hashlib.sha256).hexdigest()


def last4(normalised_number: str) -> str:
    return normalised_number[-4:]
