"""Registration rules for a beneficiary, pure: who may be registered, with what details."""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import errors, identity, inputs
from chalicelib.domain.errors import ApiError

MIN_BIRTH_YEAR = 1900
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class Registration:
    """A validated request to register one person."""

    name: str
    birth_year: int
    gender_id: int
    photo_id_type: int
    photo_id_number: str  # normalised; never stored, only hashed into the claim and cut to its last 4
    comorbidity_ind: str
    consent_version: str
    occupation: str | None = None  # one of the pack's occupations, when a cohort names it


def new_reference_id() -> str:
    """14 random digits, not starting with 0: unguessable, so one beneficiary's id says nothing of another's."""
    return str(10**13 + secrets.randbelow(9 * 10**13))


def check_birth_year(year: int, current_year: int, profile: CountryProfile) -> int:
    if not MIN_BIRTH_YEAR <= year <= current_year - profile.min_age_years:
        raise ApiError(errors.INVALID_BIRTH_YEAR,
                       f"Birth year must be between {MIN_BIRTH_YEAR} and {current_year - profile.min_age_years}")
    return year


def check_gender(gender_id: int, profile: CountryProfile) -> int:
    if gender_id not in {g.id for g in profile.genders}:
        raise ApiError(errors.INVALID_GENDER)
    return gender_id


def check_photo_id(id_type: int, raw_number: str, profile: CountryProfile) -> str:
    kind = profile.id_type(id_type)
    if kind is None:
        raise ApiError(errors.INVALID_ID_TYPE)
    number = identity.normalise(raw_number)
    if not identity.is_valid(kind, number):
        raise ApiError(errors.INVALID_ID_NUMBER, f"Invalid {kind.type} number: {kind.rule}")
    return number


def parse_registration(body: Mapping[str, Any], current_year: int, profile: CountryProfile) -> Registration:
    comorbidity = str(body.get("comorbidity_ind", "N")).strip().upper()
    if comorbidity not in ("Y", "N"):
        raise ApiError(errors.INVALID_COMORBIDITY)
    id_type = inputs.integer(body, "photo_id_type")
    return Registration(
        name=inputs.person_name(inputs.field(body, "name"), NAME_MAX_LENGTH),
        birth_year=check_birth_year(inputs.integer(body, "birth_year"), current_year, profile),
        gender_id=check_gender(inputs.integer(body, "gender_id"), profile),
        photo_id_type=id_type,
        photo_id_number=check_photo_id(id_type, inputs.text(body, "photo_id_number", max_length=40), profile),
        comorbidity_ind=comorbidity,
        consent_version=inputs.text(body, "consent_version", max_length=20) if body.get("consent_version") else "V1",
        occupation=parse_occupation(body, profile),
    )


def parse_occupation(body: Mapping[str, Any], profile: CountryProfile) -> str | None:
    """An occupation the programme's cohorts name (e.g. health_worker), or none."""
    if body.get("occupation") in (None, ""):
        return None
    occupation = inputs.text(body, "occupation", max_length=40).lower()
    if occupation not in {known.key for known in profile.occupations}:
        keys = ", ".join(known.key for known in profile.occupations) or "none in this country"
        raise ApiError(errors.INVALID_OCCUPATION, f"occupation must be one of: {keys}")
    return occupation


def parse_correction(body: Mapping[str, Any], current_year: int, profile: CountryProfile) -> dict[str, Any]:
    """The fields to correct, validated like at registration. At least one is required."""
    changes: dict[str, Any] = {}
    if body.get("name") is not None:
        changes["name"] = inputs.person_name(body["name"], NAME_MAX_LENGTH)
    if body.get("birth_year") is not None:
        changes["birth_year"] = check_birth_year(inputs.integer(body, "birth_year"), current_year, profile)
    if body.get("gender_id") is not None:
        changes["gender_id"] = check_gender(inputs.integer(body, "gender_id"), profile)
    if not changes:
        raise ApiError(errors.NOTHING_TO_CORRECT)
    return changes


def is_reference_id(text: str) -> bool:
    """A beneficiary reference id has 14 digits: anything else cannot exist, so is never looked up."""
    return text.isdigit() and len(text) == 14


def vaccination_status(doses_given: int, total_doses: int | None) -> str:
    if doses_given == 0:
        return "Not Vaccinated"
    if total_doses is not None and doses_given >= total_doses:
        return "Vaccinated"
    return "Partially Vaccinated"
