"""Photo-ID rules: normalising and validating each ID type, and the claim that makes an ID unique.

A number is normalised (spaces, hyphens, slashes and dots removed; digits of any script, such as
Devanagari `२`, turned into ASCII; upper-cased) before it is checked, compared or hashed, so
`2341 2341 2346`, `२३४१२३४१२३४६` and `234123412346` are one ID and one claim.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Verhoeff's dihedral-group tables (as used by Aadhaar's check digit).
_MULTIPLY = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_PERMUTE = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INVERSE = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def verhoeff_check_digit(digits: str) -> str:
    """The digit to append to `digits` so that the whole passes `verhoeff_valid`."""
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _MULTIPLY[check][_PERMUTE[(position + 1) % 8][int(digit)]]
    return str(_INVERSE[check])


def verhoeff_valid(number: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(number)):
        check = _MULTIPLY[check][_PERMUTE[position % 8][int(digit)]]
    return check == 0


def _aadhaar(number: str) -> bool:
    return re.fullmatch(r"[2-9][0-9]{11}", number) is not None and verhoeff_valid(number)


@dataclass(frozen=True)
class IdFormat:
    """How one ID type's number looks once normalised. `rule` documents it in words."""

    pattern: str
    rule: str
    extra_check: Callable[[str], bool] | None = None

    def accepts(self, number: str) -> bool:
        # ASCII: in Python's default (Unicode) mode \d also matches digits of other scripts.
        if re.fullmatch(self.pattern, number, flags=re.ASCII) is None:
            return False
        return self.extra_check is None or self.extra_check(number)


# CoWIN's 13 ID types, by CoWIN's id. Types whose numbers follow no single national format
# (issued by states, banks or departments) get a deliberately loose, documented pattern.
ID_FORMATS: dict[int, IdFormat] = {
    1: IdFormat(r"\d{12}", "Aadhaar: 12 digits, not starting with 0 or 1, Verhoeff check digit", _aadhaar),
    2: IdFormat(r"[A-Z]{2}\d{2}(19|20)\d{2}\d{7}",
                "Driving licence: state code (2 letters), RTO code (2 digits), year of issue, 7 digits"),
    3: IdFormat(r"[A-Z]{3}P[A-Z]\d{4}[A-Z]", "PAN of a person: 5 letters (4th is P), 4 digits, 1 letter"),
    4: IdFormat(r"[A-PR-WY]\d{7}", "Indian passport: a letter (not Q, X or Z) and 7 digits"),
    5: IdFormat(r"[A-Z]{3}\d{7}", "Voter ID (EPIC): 3 letters and 7 digits"),
    6: IdFormat(r"[A-Z0-9]{10,20}", "NPR Smart Card: 10 to 20 letters or digits"),
    7: IdFormat(r"[A-Z0-9]{6,20}", "Pension Passbook (PPO number): 6 to 20 letters or digits"),
    8: IdFormat(r"[A-Z0-9]{4,20}", "Service Identity Card: 4 to 20 letters or digits"),
    9: IdFormat(r"\d{9,18}", "Bank/Post Office Passbook: account number of 9 to 18 digits"),
    10: IdFormat(r"[A-Z]{2}\d{13,20}",
                 "MGNREGA Job Card: state code (2 letters) then 13 to 20 digits (SS-DD-BBB-GGG-VVV/HHHH)"),
    11: IdFormat(r"[A-Z0-9]{4,20}", "Official ID for MPs/MLAs/MLCs: 4 to 20 letters or digits"),
    12: IdFormat(r"[A-Z]{2}\d{16}", "Unique Disability ID: state code (2 letters) and 16 digits"),
    13: IdFormat(r"[A-Z0-9]{8,20}", "Ration Card: 8 to 20 letters or digits"),
}


def normalise(number: str) -> str:
    ascii_digits = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in number)
    return re.sub(r"[\s\-/.]", "", ascii_digits).upper()


def is_valid(id_type: int, normalised_number: str) -> bool:
    format_ = ID_FORMATS.get(id_type)
    return format_ is not None and format_.accepts(normalised_number)


def claim_key(secret: bytes, id_type: int, normalised_number: str) -> str:
    """The one key a person's ID can be registered under, nationwide. Keyed, so not reversible by lookup."""
    return hmac.new(secret, f"{id_type}:{normalised_number}".encode(), hashlib.sha256).hexdigest()


def last4(normalised_number: str) -> str:
    return normalised_number[-4:]
