"""Fixed-window rate limits, pure: which window a moment falls in, and how long until the next."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError

DAY = 24 * 3600


@dataclass(frozen=True)
class Limit:
    action: str
    attempts: int
    window_seconds: int


@dataclass(frozen=True)
class Window:
    key: str
    limit: int
    ends_at: int


def window(limit: Limit, subject: str, now: int) -> Window:
    """The window `now` falls in for `subject` (a mobile, a beneficiary, an ID's claim)."""
    number = now // limit.window_seconds
    return Window(f"{limit.action}#{subject}#{number}", limit.attempts, (number + 1) * limit.window_seconds)


def local_day(action: str, attempts: int, subject: str, now: int, time_zone: str) -> Window:
    """The local calendar day `now` falls in, in `time_zone`: a day's limit on people (an operator's
    actions) starts again at their midnight, not at UTC's. Its key names the date, so every moment of
    the day finds the same counter."""
    zone = ZoneInfo(time_zone)
    day = datetime.fromtimestamp(now, zone).date()
    midnight = datetime.combine(day + timedelta(days=1), time(), zone)
    return Window(f"{action}#{subject}#{day.isoformat()}", attempts, int(midnight.timestamp()))


def refused(window_: Window, now: int) -> ApiError:
    """429 with the seconds until the window ends, so a well-behaved client knows when to retry."""
    wait = max(window_.ends_at - now, 1)
    return ApiError(errors.TOO_MANY_REQUESTS, f"Too many attempts, please try again in {wait} seconds",
                    headers={"Retry-After": str(wait)})
