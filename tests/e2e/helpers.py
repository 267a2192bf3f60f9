"""HTTP helpers for the end-to-end tests."""
from __future__ import annotations

import hashlib
import random
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

TOKEN_REUSE_SECONDS = 600  # tokens last 15 minutes; a mobile may ask for a new OTP every 3
_tokens: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}


def login(url: str, mobile: str) -> dict[str, str]:
    """OTP login over HTTP, reading the OTP from the local outbox; returns the Authorization header.
    A mobile logged in on this server within the last minutes reuses its token, as an app would."""
    logged_in = _tokens.get((url, mobile))
    if logged_in is not None and time.monotonic() - logged_in[0] < TOKEN_REUSE_SECONDS:
        return logged_in[1]
    txn = requests.post(f"{url}/v2/auth/public/generateOTP", json={"mobile": mobile}, timeout=10).json()["txnId"]
    outbox = requests.get(f"{url}/_local/outbox", params={"mobile": mobile}, timeout=10).json()
    otp = re.search(r"\b(\d{6})\b", outbox[-1]["message"]).group(1)
    token = requests.post(f"{url}/v2/auth/public/confirmOTP", timeout=10,
                          json={"otp": hashlib.sha256(otp.encode()).hexdigest(), "txnId": txn}).json()["token"]
    _tokens[(url, mobile)] = (time.monotonic(), {"Authorization": f"Bearer {token}"})
    return _tokens[(url, mobile)][1]


def together(calls: list, send: Callable, jitter_seconds: float = 0.0) -> list:
    """`send(call)` for every call at once, each from its own thread: all leave a barrier together,
    then each waits a random 0 to `jitter_seconds`, so that over many tries they interleave in every order."""
    barrier = threading.Barrier(len(calls))

    def attempt(call):
        barrier.wait()
        time.sleep(random.uniform(0, jitter_seconds))
        return send(call)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(attempt, calls))


def race(url: str, path: str, attempts: list[tuple[dict, dict]]) -> list[requests.Response]:
    """POST every (headers, body) to `path` at the same instant."""
    return together(attempts, lambda attempt: requests.post(f"{url}{path}", json=attempt[1], headers=attempt[0],
                                                            timeout=60))


def stored_item(aws_url: str, table: str, key: dict) -> dict | None:
    """An item as the embedded AWS holds it now (consistent read), as plain Python values."""
    import boto3
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    from chalicelib.config import get_settings

    dynamodb = boto3.client("dynamodb", endpoint_url=aws_url, region_name=get_settings().region)
    response = dynamodb.get_item(TableName=get_settings().table_name(table), ConsistentRead=True,
                                 Key={name: TypeSerializer().serialize(value) for name, value in key.items()})
    item = response.get("Item")
    return None if item is None else {name: TypeDeserializer().deserialize(value) for name, value in item.items()}
