"""`make surge`: a booking storm against the running local API (start `make run` first).

    make surge                      # 200 people at once for 100 seats, booked synchronously
    make surge ARGS="--queue"       # the same through surge mode (SQS queue + worker)
    make surge ARGS="--people 400 --seats 150"

Plans a fresh session at a demo centre, registers the people (4 per mobile), fires every booking at
the same instant from as many threads, then prints how many were confirmed, rejected (and why) or
still pending, and the session's final capacity. Nothing here reaches into the server: it speaks
HTTP only, as phones would.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

INDIA = timezone(timedelta(hours=5, minutes=30))
CENTRE, PINCODE = 100010, 400008  # JJ Hospital, a free demo centre in Mumbai
PLANNER, NATIONAL_ADMIN = "9000000002", "9000000001"  # state admin of Maharashtra, national admin


TOKENS = Path(tempfile.gettempdir()) / "teeka-surge-tokens.json"
PLANNING_TRIES = 20
TOKEN_REUSE_SECONDS = 12 * 60  # tokens last 15 minutes; a mobile gets one OTP per 3 minutes


def staff_login(url: str, mobile: str) -> dict[str, str]:
    """Staff tokens are kept between runs, so that running twice in a row needs no second OTP."""
    saved = json.loads(TOKENS.read_text()) if TOKENS.exists() else {}
    token, at = saved.get(f"{url} {mobile}", ("", 0))
    still_good = time.time() - at < TOKEN_REUSE_SECONDS and requests.get(
        f"{url}/v2/registration/beneficiary/genders", headers={"Authorization": token}, timeout=30).ok
    if not still_good:  # expired, or the server was restarted (and signs with a new key)
        token = login(url, mobile)["Authorization"]
        saved[f"{url} {mobile}"] = (token, time.time())
        TOKENS.write_text(json.dumps(saved))
    return {"Authorization": token}


def login(url: str, mobile: str) -> dict[str, str]:
    answer = requests.post(f"{url}/v2/auth/generateOTP", json={"mobile": mobile}, timeout=30)
    if answer.status_code != 200:
        raise SystemExit(f"OTP for {mobile} refused: {answer.text} (a mobile gets one OTP per 3 minutes; "
                         "wait, or restart make run)")
    outbox = requests.get(f"{url}/_local/outbox", params={"mobile": mobile}, timeout=30).json()
    found = re.search(r"\b(\d{6})\b", outbox[-1]["message"])
    if found is None:
        raise SystemExit(f"No OTP in the SMS to {mobile}: {outbox[-1]['message']}")
    otp = found.group(1)
    token = requests.post(f"{url}/v2/auth/confirmOTP", timeout=30, json={
        "otp": hashlib.sha256(otp.encode()).hexdigest(), "txnId": answer.json()["txnId"]}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def verhoeff_aadhaar(rng: random.Random) -> str:
    from stdnum import verhoeff

    first = f"{rng.randint(2, 9)}{rng.randrange(10 ** 10):010d}"
    return first + verhoeff.calc_check_digit(first)


def register_family(url: str, mobile: str, size: int, rng: random.Random) -> tuple[dict, list[str]]:
    headers = login(url, mobile)
    refs = []
    for member in range(size):
        body: dict[str, Any] = {"name": f"Surge Person {'ABCD'[member]}", "birth_year": str(rng.randint(1980, 2000)),
                                "gender_id": 3, "photo_id_type": 1, "photo_id_number": verhoeff_aadhaar(rng)}
        answer = requests.post(f"{url}/v2/registration/beneficiary/new", json=body, headers=headers, timeout=30)
        answer.raise_for_status()
        refs.append(answer.json()["beneficiary_reference_id"])
    return headers, refs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--queue", action="store_true", help="switch surge mode on: bookings go through SQS")
    args = parser.parse_args()
    url, rng = args.url.rstrip("/"), random.Random()

    planner = staff_login(url, PLANNER)
    for _ in range(PLANNING_TRIES):  # the centre may already hold a session that day (an earlier storm)
        day = (datetime.now(INDIA) + timedelta(days=rng.randint(20, 50))).strftime("%d-%m-%Y")
        created = requests.post(f"{url}/v2/admin/sessions", headers=planner, timeout=30, json={
            "center_id": CENTRE, "date": day, "vaccine": rng.choice(["COVISHIELD", "COVAXIN", "SPUTNIK V"]),
            "min_age_limit": 18, "capacity_dose1": args.seats, "capacity_dose2": 0, "slots": ["09:00AM-05:00PM"]})
        if created.status_code != 409 or created.json().get("errorCode") != "PLANNG0014":
            break  # planned, or refused for another reason than a session there that day (e.g. its stock)
    if created.status_code != 201:
        raise SystemExit(f"Could not plan the session: {created.text}")
    session_id = created.json()["session_id"]
    print(f"Session {session_id} on {day}: {args.seats} seats. Registering {args.people} people...", flush=True)

    first_mobile = rng.randrange(7_000_000_000, 7_999_000_000)
    families = [(str(first_mobile + n), min(4, args.people - 4 * n)) for n in range((args.people + 3) // 4)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        registered = list(pool.map(lambda family: register_family(url, family[0], family[1], random.Random()),
                                   families))
    attempts = [(headers, ref) for headers, refs in registered for ref in refs]

    national = staff_login(url, NATIONAL_ADMIN) if args.queue else None
    if national:
        requests.post(f"{url}/v2/admin/surge", headers=national, json={"on": True}, timeout=30).raise_for_status()
    barrier = threading.Barrier(len(attempts))

    def book(attempt):
        headers, ref = attempt
        barrier.wait()
        return headers, requests.post(f"{url}/v2/appointment/schedule", headers=headers, timeout=120, json={
            "dose": 1, "session_id": session_id, "slot": "09:00AM-05:00PM", "beneficiaries": [ref]})

    print(f"Firing {len(attempts)} bookings at once{' through surge mode' if args.queue else ''}...", flush=True)
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
            answers = list(pool.map(book, attempts))
        elapsed = time.monotonic() - started
        outcomes: Counter[str] = Counter()
        for headers, answer in answers:
            if answer.status_code == 202:
                outcomes[settle(url, headers, answer.json()["appointment_id"])] += 1
            elif answer.status_code == 200:
                outcomes["CONFIRMED"] += 1
            else:
                outcomes[f"REJECTED {answer.json().get('errorCode', answer.status_code)}"] += 1
    finally:
        if national:
            requests.post(f"{url}/v2/admin/surge", headers=national, json={"on": False}, timeout=30)
    sessions = requests.get(f"{url}/v2/appointment/sessions/public/findByPin", timeout=30,
                            params={"pincode": str(PINCODE), "date": day}).json()["sessions"]
    [session] = [s for s in sessions if s["session_id"] == session_id]
    print(f"\nAnswered in {elapsed:.1f} s ({len(answers) / elapsed:.0f} requests/s).")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {outcome:<22} {count}")
    print(f"Session capacity {args.seats}: {args.seats - session['available_capacity_dose1']} booked, "
          f"{session['available_capacity_dose1']} available.")


def settle(url: str, headers: dict, appointment_id: str, timeout: float = 120) -> str:
    """Wait for the worker's verdict on a queued booking."""
    deadline = time.monotonic() + timeout
    while True:
        status = requests.get(f"{url}/v2/appointment/status/{appointment_id}", headers=headers, timeout=30).json()
        if status["status"] != "PENDING" or time.monotonic() > deadline:
            return status["status"] + (f" {status['errorCode']}" if status.get("errorCode") else "")
        time.sleep(0.5)


if __name__ == "__main__":
    main()
