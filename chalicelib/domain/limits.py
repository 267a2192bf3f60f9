"""Fixed-window rate limits, pure: which window a moment falls in, and how long until the next."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import errors
from chalicelib.domain.errors import ApiError


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


def window(limit: Limit, mobile: str, now: int) -> Window:
    number = now // limit.window_seconds
    return Window(f"{limit.action}#{mobile}#{number}", limit.attempts, (number + 1) * limit.window_seconds)


def refused(window_: Window, now: int) -> ApiError:
    """429 with the seconds until the window ends, so a well-behaved client knows when to retry."""
    wait = max(window_.ends_at - now, 1)
    return ApiError(errors.TOO_MANY_REQUESTS, f"Too many attempts, please try again in {wait} seconds",
                    headers={"Retry-After": str(wait)})
