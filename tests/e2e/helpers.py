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


# -- certificates: the PDF, its picture, a forged copy, and revocation ---------------------------------

def certificate_pdf(url: str, citizen: dict[str, str], reference_id: str) -> bytes:
    """The PDF of the person's latest certificate, as the citizen downloads it."""
    answer = requests.get(f"{url}/v2/registration/certificate/download", headers=citizen, timeout=30,
                          params={"beneficiary_reference_id": reference_id})
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF"), answer.text[:200]
    return answer.content


def pdf_page_png(pdf: bytes, scale: float = 2) -> bytes:
    """Page 1 of a PDF as a PNG picture (what a citizen's screenshot or scan of the certificate is)."""
    import io

    import pypdfium2

    picture = io.BytesIO()
    pypdfium2.PdfDocument(pdf)[0].render(scale=scale).to_pil().convert("RGB").save(picture, format="PNG")
    return picture.getvalue()


def tampered_qr_text(qr: str, **subject: str) -> str:
    """The certificate's QR text with `credentialSubject` fields changed and the issuer's signature kept:
    what a forger who edits a genuine certificate makes. Every honest verifier must reject it."""
    import base64
    import json
    import zlib

    from chalicelib import verifier

    header, payload, signature = verifier.jws_of(qr).split(".")
    claims = verifier.payload(verifier.jws_of(qr))
    claims["vc"]["credentialSubject"].update(subject)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    forged = base64.urlsafe_b64encode(compressor.compress(body) + compressor.flush()).rstrip(b"=").decode()
    assert forged != payload
    return verifier.qr_text(f"{header}.{forged}.{signature}")


def wait_until_revoked(url: str, certificate_id: str, seconds: float = 30) -> dict:
    """The entry of the public revocation list (every page of it) that revokes `certificate_id`."""
    deadline = time.monotonic() + seconds
    while True:
        entries, cursor = [], None
        while True:
            page = requests.get(f"{url}/v2/certificate/revoked", params={"next": cursor} if cursor else {},
                                timeout=10).json()
            entries += page["revoked"]
            if not (cursor := page["next"]):
                break
        found = [entry for entry in entries if entry["certificate_id"] == certificate_id]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"{certificate_id} not in the revocation list within {seconds} s"
        time.sleep(0.3)


def receive_stock(url: str, headers: dict, center_id: int, vaccine: str, vials: int = 100, doses_per_vial: int = 10,
                  batch: str | None = None, expiry_days: int = 180) -> str:
    """Vials of a batch (a fresh one by default) received at a centre, so sessions can be planned there
    (docs/stock.md: the local server tracks stock, as `make run` does); returns the batch number."""
    from datetime import date, timedelta

    batch = batch or f"E2E{random.randrange(16 ** 8):08X}"
    received = requests.post(f"{url}/v2/stock/receipts", headers=headers, timeout=30, json={
        "center_id": center_id, "vaccine": vaccine, "batch": batch, "vials": vials, "doses_per_vial": doses_per_vial,
        "expiry_date": (date.today() + timedelta(days=expiry_days)).strftime("%d-%m-%Y")})
    assert received.status_code == 201, received.text
    return batch
