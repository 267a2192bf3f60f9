"""Each deployed stage's operational settings: how long logs are kept, how fast the API may be called.

The functions' memory, timeout and reserved concurrency are Chalice's stage settings
(.chalice/config.json); what Chalice cannot say lives here, one place for both stages.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Throttle:
    """API Gateway's token bucket: a steady rate (requests a second) and the burst it absorbs."""
    rate: int
    burst: int


@dataclass(frozen=True)
class StageOperations:
    log_retention_days: int  # the functions' and API Gateway's access logs (CloudWatch's allowed values)
    api: Throttle  # the whole stage, every route
    # What reaches the origin of the CDN's cached reads: cache misses only, so a flood that busts the cache
    # is cut here and cannot take the API function's concurrency from logins and bookings.
    public_reads: Throttle
    otp: Throttle  # generateOTP and confirmOTP: the WAF limits each address; this, all of them together
    p99_latency_ms: int  # the alarm's threshold on API Gateway's p99 latency
    server_error_percent: float  # the alarm's threshold on the share of 5xx answers


STAGES = {
    # Account quotas bound these: API Gateway allows 10,000 requests a second per region by default
    # (docs/deploy.md says to raise it for a campaign); the API function's 600 reserved executions at
    # ~50 ms a request serve ~12,000 a second.
    "prod": StageOperations(log_retention_days=90, api=Throttle(rate=10_000, burst=5_000),
                            public_reads=Throttle(rate=2_000, burst=1_000), otp=Throttle(rate=1_000, burst=500),
                            p99_latency_ms=1_000, server_error_percent=1.0),
    "dev": StageOperations(log_retention_days=14, api=Throttle(rate=200, burst=100),
                           public_reads=Throttle(rate=100, burst=50), otp=Throttle(rate=20, burst=10),
                           p99_latency_ms=2_000, server_error_percent=5.0),
}
