"""The campaign's calendar: dates are the country's local dates, whatever the server's time zone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile

COWIN_DATE = "%d-%m-%Y"  # how CoWIN writes a date, in both directions


def local_date(profile: CountryProfile, now: int) -> date:
    return datetime.fromtimestamp(now, ZoneInfo(profile.time_zone)).date()


def format_cowin_date(day: date | str | None) -> str:
    """A date (or an ISO `YYYY-MM-DD` as stored) as CoWIN writes it; `""` for none."""
    if not day:
        return ""
    return (date.fromisoformat(day) if isinstance(day, str) else day).strftime(COWIN_DATE)
