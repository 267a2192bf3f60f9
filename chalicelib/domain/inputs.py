"""Parsing of request values, lenient the way CoWIN clients need (numbers as strings or as 1.0, extra
fields), strict about what no field can hold.

Each function raises `ApiError` with a catalogue code naming the field, so no bad input becomes a 500:
a body is refused whole at the edge when it nests too deeply, holds NaN or Infinity, a number beyond
DynamoDB's 38 digits, a lone surrogate or a control character (`json_object`, `clean_parameter`).
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from chalicelib.domain import errors
from chalicelib.domain.calendar import COWIN_DATE
from chalicelib.domain.errors import INPUT_MISSING, INVALID_DATE, INVALID_INPUT, INVALID_JSON, INVALID_MOBILE, ApiError

_MISSING = object()
MAX_NESTING = 12  # the deepest body Teeka takes (a plan's slots) nests 4 levels
MAX_NUMBER = 10 ** 38  # DynamoDB keeps numbers of up to 38 digits
MAX_PARAMETER_LENGTH = 256  # a query or path value: ids, dates, cursors
# C0 and C1 control characters; tab, newline and carriage return are left to each field's own rule.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ and ZWJ shape Indic and Persian names; nothing else invisible is taken
# Dates are checked to lie in these years: anything else is a typo, and date arithmetic stays in range.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def _refuse_constant(name: str) -> Any:
    raise ApiError(INVALID_INPUT, f"{name} is not a number Teeka accepts")


def _check_text(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(INVALID_INPUT, "Text must be valid Unicode (a lone surrogate is not)") from None
    if _CONTROLS.search(value):
        raise ApiError(INVALID_INPUT, "Text must not contain control characters")


def _check_value(value: Any, depth: int) -> None:
    if depth > MAX_NESTING:
        raise ApiError(INVALID_JSON, f"The body nests deeper than {MAX_NESTING} levels")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        if not math.isfinite(value) or abs(value) >= MAX_NUMBER:
            raise ApiError(INVALID_INPUT, "Numbers must be finite and shorter than 38 digits")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1)


def json_object(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object (empty when there is none), whatever Content-Type was claimed."""
    if not raw:
        return {}
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(INVALID_JSON) from None
    if not isinstance(body, dict):
        raise ApiError(INVALID_JSON, "Request body must be a JSON object")
    _check_value(body, 0)
    return body


def clean_parameter(name: str, value: str) -> str:
    """A query or path value: short, valid Unicode, no control characters."""
    if len(value) > MAX_PARAMETER_LENGTH:
        raise ApiError(INVALID_INPUT, f"{name} is longer than {MAX_PARAMETER_LENGTH} characters")
    try:
        _check_text(value)
    except ApiError as error:
        raise ApiError(INVALID_INPUT, f"{name}: {error.message}") from None
    return value


def field(body: Mapping[str, Any], name: str) -> Any:
    value = body.get(name, _MISSING) if isinstance(body, Mapping) else _MISSING
    if value is _MISSING or value is None or (isinstance(value, str) and not value.strip()):
        raise ApiError(INPUT_MISSING, f"Input parameter missing: {name}")
    return value


def _is_visible(text: str, index: int) -> bool:
    """No invisible character but a joiner between two letters or marks (as Unicode's ContextJ allows)."""
    char = text[index]
    if char in _JOINERS:
        return 0 < index < len(text) - 1 and unicodedata.category(text[index - 1])[0] in "LM" \
            and unicodedata.category(text[index + 1])[0] in "LM"
    return unicodedata.category(char)[0] != "C"


def text(body: Mapping[str, Any], name: str, max_length: int = 200, lines: bool = False) -> str:
    """A string field (or a number sent for one), trimmed; with `lines`, it may span several lines."""
    return as_text(field(body, name), name, max_length, lines)


def as_text(value: Any, name: str, max_length: int = 200, lines: bool = False) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ApiError(INVALID_INPUT, f"{name} must be a string")
    value = str(value).strip()
    if not value:
        raise ApiError(INPUT_MISSING, f"Input parameter missing: {name}")
    if len(value) > max_length:
        raise ApiError(INVALID_INPUT, f"{name} is longer than {max_length} characters")
    if not all(_is_visible(value, i) or (lines and value[i] == "\n") for i in range(len(value))):
        raise ApiError(INVALID_INPUT, f"{name} must not contain invisible or control characters")
    return value


def _readable(raw: Any, max_length: int, allowed_categories: str, punctuation: frozenset[str] | None) -> str | None:
    """NFC text with runs of white space made one space, or None if a character is not allowed."""
    if not isinstance(raw, str):
        return None
    value = re.sub(r"\s+", " ", unicodedata.normalize("NFC", raw)).strip()
    if not 1 <= len(value) <= max_length or not any(unicodedata.category(ch)[0] == "L" for ch in value):
        return None
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if char == " " or category[0] in allowed_categories or (char in _JOINERS and _is_visible(value, index)):
            continue
        if category[0] == "P" and (punctuation is None or char in punctuation):
            continue
        return None
    return value


# What people's names really use besides letters and marks: initials, O'Brien, Jean-Luc, D’Souza.
NAME_PUNCTUATION = frozenset(".'-\u2019\u2010\u00b7")


def person_name(raw: Any, max_length: int = 100) -> str:
    """A person's name in any script: letters, marks, spaces and a name's punctuation, nothing else."""
    value = _readable(raw, max_length, "LM", NAME_PUNCTUATION)
    if value is None:
        raise ApiError(errors.INVALID_NAME)
    return value


def label(body: Mapping[str, Any], name: str, max_length: int = 200) -> str:
    """A place's name or an address in any script: letters, marks, digits, spaces and punctuation."""
    raw = field(body, name)
    value = _readable(raw, max_length, "LMN", None)
    if value is None:
        raise ApiError(INVALID_INPUT, f"{name}: letters, digits, spaces and punctuation only, "
                                      f"at most {max_length} characters")
    return value


def integer(body: Mapping[str, Any], name: str, low: int | None = None, high: int | None = None) -> int:
    """A whole number in any spelling clients use: 7, 7.0, 7e0 or "7"; nothing else."""
    value = field(body, name)
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,38}\s*", value, flags=re.ASCII):
        number = int(value)
    if number is None:
        raise ApiError(INVALID_INPUT, f"{name} must be a whole number")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ApiError(INVALID_INPUT, f"{name} must be between {low} and {high}")
    return number


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
        day = datetime.strptime(value.strip(), COWIN_DATE).date()
    except ValueError:
        raise ApiError(INVALID_DATE, f"Invalid {name}, expected DD-MM-YYYY") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ApiError(INVALID_DATE, f"Invalid {name}: the year must be {FIRST_YEAR} to {LAST_YEAR}")
    return day
