"""Small helpers shared by the API and end-to-end tests."""
from __future__ import annotations

import hashlib
import json
import re
import time

from local import carrier as local_carrier
from local.demo_ids import aadhaar, person  # noqa: F401 (the tests' registration bodies)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def last_otp(mobile: str) -> str:
    """The OTP in the newest SMS the simulated carrier delivered to `mobile`."""
    return re.search(r"\b(\d{6})\b", local_carrier.messages_for(mobile)[-1]["message"]).group(1)


def post(api, path: str, body, headers: dict | None = None):
    payload = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return api.http.post(path, headers={"Content-Type": "application/json", **(headers or {})}, body=payload)


def login(api, mobile: str) -> str:
    """Full OTP login through the API; returns the bearer token."""
    txn_id = post(api, "/v2/auth/generateOTP", {"mobile": mobile}).json_body["txnId"]
    response = post(api, "/v2/auth/confirmOTP", {"otp": sha256(last_otp(mobile)), "txnId": txn_id})
    assert response.status_code == 200, response.body
    return response.json_body["token"]


def stock_tracked(monkeypatch, **overrides) -> None:
    """India's pack as `make run` has it, stock tracked (docs/stock.md), with `overrides`; a mobile may hold
    many people (the stock's tests register many). The suite's default is off (tests/conftest.py)."""
    from chalicelib.config import get_settings

    monkeypatch.setenv("TEEKA_COUNTRY_PROFILE", json.dumps({"stock_tracking": True, "max_beneficiaries_per_mobile": 60,
                                                            **overrides}))
    get_settings.cache_clear()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}




def get_json(api, path: str, headers: dict | None = None):
    """GET `path`, asserting 200; its JSON body."""
    response = api.http.get(path, headers=headers or {})
    assert response.status_code == 200, response.body
    return response.json_body


def locker_envelope(body: dict, org_id: str = "in.gov.digilocker", sent_at: float | None = None) -> dict:
    """A document locker's request body (docs/document-locker.md): `body` with its ver, orgId, ts and txn."""
    import uuid
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(time.time() if sent_at is None else sent_at, UTC)
    return {"ver": "1.0", "ts": moment.isoformat(timespec="seconds"), "txn": str(uuid.uuid4()), "orgId": org_id,
            **body}


def locker_hmac(raw: bytes, key: bytes | None = None) -> dict:
    """The locker's signature header over a raw body, with `key` (by default the stage's locker key)."""
    import base64
    import hmac

    from chalicelib.adapters.secrets import get_secrets

    signing_key = get_secrets().locker_key if key is None else key
    return {"x-locker-hmac": base64.b64encode(hmac.new(signing_key, raw, hashlib.sha256).digest()).decode()}


def locker_signed(body: dict, key: bytes | None = None, org_id: str = "in.gov.digilocker",
                  sent_at: float | None = None) -> tuple[bytes, dict]:
    """A locker's request, signed: the raw body and its header."""
    raw = json.dumps(locker_envelope(body, org_id, sent_at)).encode()
    return raw, locker_hmac(raw, key)
