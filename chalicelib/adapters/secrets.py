"""The platform's secrets, one SSM SecureString holding a JSON object.

Keys: `jwt_key` (signs login tokens), `otp_pepper` (keys the stored OTP digests),
`id_hmac_key` (keys photo-ID claims), `locker_key` (the key Teeka gave the document locker, which signs
its pull requests with it: docs/document-locker.md; a stage whose parameter predates it refuses every
locker request until it is added). Deployed stages create the parameter once (docs/deploy.md);
the local stage generates fresh random values at bootstrap.
"""
from __future__ import annotations

import json
import secrets as random_secrets
import time
from dataclasses import dataclass

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

CACHE_SECONDS = 300


@dataclass(frozen=True)
class Secrets:
    jwt_key: bytes
    otp_pepper: bytes
    id_hmac_key: bytes
    locker_key: bytes = b""


_cache: tuple[float, Secrets] | None = None


def get_secrets(now: float | None = None) -> Secrets:
    """Read once per container and refreshed every few minutes, so a rotated value is picked up."""
    global _cache
    now = time.time() if now is None else now
    if _cache is None or now - _cache[0] > CACHE_SECONDS:
        response = client("ssm").get_parameter(Name=get_settings().secrets_parameter, WithDecryption=True)
        values = json.loads(response["Parameter"]["Value"])
        _cache = (now, Secrets(**{name: values[name].encode() for name in Secrets.__dataclass_fields__
                                  if name in values or name != "locker_key"}))
    return _cache[1]


def generate_secret_values() -> str:
    return json.dumps({name: random_secrets.token_urlsafe(48) for name in Secrets.__dataclass_fields__})


def put_secrets(value: str | None = None) -> None:
    client("ssm").put_parameter(
        Name=get_settings().secrets_parameter,
        Value=value or generate_secret_values(),
        Type="SecureString",
        Overwrite=True,
    )
    clear_cache()


def clear_cache() -> None:
    global _cache
    _cache = None
