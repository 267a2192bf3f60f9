"""HTTP helpers for the end-to-end tests."""
from __future__ import annotations

import hashlib
import re

import requests


def login(url: str, mobile: str) -> dict[str, str]:
    """OTP login over HTTP, reading the OTP from the local outbox; returns the Authorization header."""
    txn = requests.post(f"{url}/v2/auth/public/generateOTP", json={"mobile": mobile}, timeout=10).json()["txnId"]
    outbox = requests.get(f"{url}/_local/outbox", params={"mobile": mobile}, timeout=10).json()
    otp = re.search(r"\b(\d{6})\b", outbox[-1]["message"]).group(1)
    token = requests.post(f"{url}/v2/auth/public/confirmOTP", timeout=10,
                          json={"otp": hashlib.sha256(otp.encode()).hexdigest(), "txnId": txn}).json()["token"]
    return {"Authorization": f"Bearer {token}"}
