"""Parsing of request values, lenient the way CoWIN clients need (numbers as strings, extra fields).

Each function raises `ApiError` with a catalogue code naming the field, so no bad input becomes a 500.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Mapping

from chalicelib.domain.errors import INPUT_MISSING, INVALID_DATE, INVALID_INPUT, INVALID_MOBILE, ApiError

_MISSING = object()


def field(body: Mapping[str, Any], name: str) -> Any:
    value = body.get(name, _MISSING) if isinstance(body, Mapping) else _MISSING
    if value is _MISSING or value is None or (isinstance(value, str) and not value.strip()):
        raise ApiError(INPUT_MISSING, f"Input parameter missing: {name}")
    return value


def text(body: Mapping[str, Any], name: str, max_length: int = 200) -> str:
    value = field(body, name)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ApiError(INVALID_INPUT, f"{name} must be a string")
    value = str(value).strip()
    if len(value) > max_length:
        raise ApiError(INVALID_INPUT, f"{name} is longer than {max_length} characters")
    return value


def integer(body: Mapping[str, Any], name: str) -> int:
    """Accepts 7 and "7" (real clients send both), nothing else."""
    value = field(body, name)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ApiError(INVALID_INPUT, f"{name} must be a whole number")
    try:
        return int(str(value).strip())
    except ValueError:
        raise ApiError(INVALID_INPUT, f"{name} must be a whole number") from None


def mobile(body: Mapping[str, Any], name: str, pattern: str) -> str:
    value = field(body, name)
    candidate = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    # ASCII: a mobile typed in another script's digits must not become a second account.
    if not re.fullmatch(pattern, candidate, flags=re.ASCII):
        raise ApiError(INVALID_MOBILE)
    return candidate


def cowin_date(value: str | None, name: str = "date") -> date:
    """CoWIN dates are DD-MM-YYYY."""
    if not value:
        raise ApiError(INPUT_MISSING, f"Input parameter missing: {name}")
    try:
        return datetime.strptime(value.strip(), "%d-%m-%Y").date()
    except ValueError:
        raise ApiError(INVALID_DATE, f"Invalid {name}, expected DD-MM-YYYY") from None


def format_cowin_date(value: date) -> str:
    return value.strftime("%d-%m-%Y")
