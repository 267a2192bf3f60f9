"""The campaign's calendar: dates are the country's local dates, whatever the server's time zone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile


def local_date(profile: CountryProfile, now: int) -> date:
    return datetime.fromtimestamp(now, ZoneInfo(profile.time_zone)).date()
