"""Fresh demo identities for the README walkthrough: `python -m local.demo_ids mobile|aadhaar|passport`
prints a random valid Indian mobile, Aadhaar number (Verhoeff check digit) or passport number, so every
run of the walkthrough registers new people (one photo ID registers one person, nationwide; 4 people per
mobile)."""
from __future__ import annotations

import secrets
import sys

from stdnum import verhoeff


def mobile() -> str:
    """98 and eight random digits: never one of the demo staff (90000000NN)."""
    return f"98{secrets.randbelow(10 ** 8):08d}"


def aadhaar(seed: int | None = None) -> str:
    """A valid Aadhaar number (right shape, Verhoeff check digit): random, or a distinct one per `seed`."""
    if seed is None:
        seed = secrets.randbelow(8 * 10 ** 10)
    first_eleven = f"{2 + seed % 8}{seed % 10 ** 10:010d}"
    return first_eleven + verhoeff.calc_check_digit(first_eleven)


def passport() -> str:
    """An Indian passport number: a letter (not Q, X or Z) and seven random digits."""
    return f"K{secrets.randbelow(10 ** 7):07d}"


def person(seed: int = 1, **overrides) -> dict:
    """A valid registration body, with a distinct Aadhaar per seed."""
    return {"name": "Asha Rao", "birth_year": "1990", "gender_id": 2, "photo_id_type": 1,
            "photo_id_number": aadhaar(seed), "comorbidity_ind": "N", "consent_version": "V1", **overrides}


if __name__ == "__main__":
    kinds = {"mobile": mobile, "aadhaar": aadhaar, "passport": passport}
    if len(sys.argv) != 2 or sys.argv[1] not in kinds:
        sys.exit("usage: python -m local.demo_ids mobile|aadhaar|passport")
    print(kinds[sys.argv[1]]())
