"""A person's account settings: the language Teeka writes to them in (SMS, slips, certificates).

An account is its mobile (it exists from the first login); without a choice, the country's own language.
DynamoDB calls: reading = 1 GetItem of one attribute; choosing = 1 UpdateItem.
"""
from __future__ import annotations

from chalicelib.config import CountryProfile
from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError
from chalicelib.store import auth as store


def language_of(profile: CountryProfile, mobile: str) -> str:
    return profile.language(store.account_language(mobile))


def settings(profile: CountryProfile, mobile: str) -> dict:
    return {"language": language_of(profile, mobile), "languages": list(profile.languages)}


def choose_language(profile: CountryProfile, mobile: str, requested: str) -> dict:
    language = profile.matching_language(requested)
    if language is None:
        raise ApiError(errors.UNKNOWN_LANGUAGE, f"Unknown language {requested[:20]!r}: choose one of "
                                                f"{', '.join(profile.languages)}")
    store.set_account_language(mobile, language)
    return {"language": language, "languages": list(profile.languages)}
