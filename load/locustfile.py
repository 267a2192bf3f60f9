"""Teeka's load mix, for locust: a vaccination campaign as the API sees it.

    locust -f load/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000

`python -m load.run` (`make load`) starts a local stack, seeds it and runs this file for you; docs/load.md
says how to run it against a deployed stage. Three kinds of users, every request named by its route
template so the statistics group per route:

- `Browser` (most users): anonymous availability reads as CoWIN's apps and bots sent them: the 7-day
  calendar and the day's sessions by postal code and by district, states and districts (revalidated with
  their ETag, as a browser does) and the public reports.
- `Citizen`: logs in with a mobile OTP (a fresh mobile each time, so logins go on all run long), registers
  1 to 4 people, looks at the availability of the load's sessions, books, reschedules and cancels on a few
  small sessions (contention on purpose: most attempts find them full), downloads appointment slips and,
  once a person is vaccinated, the certificate.
- `Vaccinator` (a fixed number, `TEEKA_LOAD_VACCINATORS`, default 2): a vaccinator of the load's centre,
  recording a dose for each person the citizens booked into today's session (photo-ID check at the table),
  walk-ins when nobody is waiting, and reading the day's sessions and appointments.

Configuration, all by environment (so that plain `locust` runs it the same way):

- `TEEKA_LOAD_PLAN`: the sessions to book and vaccinate on, as JSON or the path of a JSON file (load.run
  writes it: `{"center_id", "district_id", "pincode", "vaccine", "batch", "vaccinator", "dose_session":
  {"session_id", "date", "slots"}, "booking_sessions": [{"session_id", "date", "slots"}, ...]}`). Without a
  plan, citizens log in, register and browse, but book nothing, and vaccinators stay idle.
- `TEEKA_LOAD_OTP`: where login OTPs come from. `outbox` (the local stack's simulated SMS carrier,
  `GET /_local/outbox`: the default, checked when the test starts), `tokens` (a deployed stage has no outbox:
  citizens use the pre-provisioned bearer tokens in the file `TEEKA_LOAD_CITIZEN_TOKENS`, one per line, and
  make no OTP requests) or `none` (the users that need a login are skipped, saying so).
- `TEEKA_LOAD_VACCINATOR_TOKEN`: the vaccinator's bearer token; without it, the plan's vaccinator mobile logs
  in through the OTP source.
- `TEEKA_LOAD_PACE`: a factor on every user's think time (default 1; 0.5 doubles what each user sends).
- `TEEKA_LOAD_JOURNAL`: a file where the run writes, one JSON line each, what it did that the invariant checks
  need (people registered, appointments booked, moved and cancelled, doses recorded, expected refusals).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests
from gevent.lock import Semaphore
from locust import FastHttpUser, between, events, task
from stdnum import verhoeff

INDIA = timezone(timedelta(hours=5, minutes=30))
# The demo data's districts, postal codes and states (local/seed.py): Mumbai and BBMP Bengaluru.
DISTRICTS = (395, 294)
PINCODES = (400059, 400012, 400008, 400050, 560002, 560034, 560076, 560024)
STATES = (21, 16)
NAMES = ("Asha Rao", "Ravi Kumar", "Meera Iyer", "Arjun Singh", "Fatima Shaikh", "Joseph Dsouza", "Lakshmi Nair",
         "Vikram Patil", "Sunita Devi", "Imran Khan", "Priya Menon", "Gurpreet Kaur")
BOOKING_ATTEMPTS_PER_MOBILE = 15  # the country allows 20 per 5 minutes: a citizen moves on before that
PEOPLE_PER_MOBILE = 4
CERTIFICATE_TRIES = 6
CERTIFICATE_WAIT_SECONDS = 5  # the dose's event issues it within seconds (a queue and a worker away)
STAFF_TOKEN_SECONDS = 12 * 60  # tokens last 15 minutes


def _plan() -> dict | None:
    raw = os.environ.get("TEEKA_LOAD_PLAN", "").strip()
    if not raw:
        return None
    return json.loads(raw if raw.startswith("{") else Path(raw).read_text())


def _otp_mode() -> str:
    mode = os.environ.get("TEEKA_LOAD_OTP", "").strip().lower()
    if not mode:
        return "tokens" if os.environ.get("TEEKA_LOAD_CITIZEN_TOKENS") else "outbox"
    if mode not in ("outbox", "tokens", "none"):
        raise SystemExit(f"TEEKA_LOAD_OTP must be outbox, tokens or none, not {mode!r}")
    return mode


def _citizen_tokens() -> list[str]:
    path = os.environ.get("TEEKA_LOAD_CITIZEN_TOKENS", "")
    if not path:
        return []
    lines = [line.strip() for line in Path(path).read_text().splitlines()]
    return [line.removeprefix("Bearer ").strip() for line in lines if line and not line.startswith("#")]


class Journal:
    """What the load did that the checks need, one JSON line per event (one file per load process)."""

    def __init__(self, path: str | None):
        self.file = open(path, "a", encoding="utf-8") if path else None  # open all run long

    def write(self, event: str, **fields: Any) -> None:
        if self.file is not None:
            self.file.write(json.dumps({"e": event, "at": round(time.time(), 3), **fields}) + "\n")
            self.file.flush()


PLAN = _plan()
PACE = float(os.environ.get("TEEKA_LOAD_PACE", "1"))  # scales every think time: 0.5 sends twice as often
OTP = {"mode": _otp_mode()}
TOKENS = _citizen_tokens()
JOURNAL = Journal(os.environ.get("TEEKA_LOAD_JOURNAL"))
REFUSALS: Counter[str] = Counter()  # expected 4xx answers, by "METHOD route status errorCode"
ARRIVALS: deque[dict] = deque()  # people booked into today's session, waiting for the vaccinator
CERTIFICATES: deque[dict] = deque()  # people vaccinated, whose certificate their citizen will download
_staff: dict[str, tuple[float, dict[str, str]]] = {}
_staff_lock = Semaphore()
_said: set[str] = set()


def say_once(message: str) -> None:
    if message not in _said:
        _said.add(message)
        print(f"[load] {message}", flush=True)


def today(days: int = 0) -> str:
    return (datetime.now(INDIA) + timedelta(days=days)).strftime("%d-%m-%Y")


def fresh_mobile() -> str:
    return f"6{random.randrange(10 ** 9):09d}"  # the demo's and the tests' mobiles start 7, 8 or 9


def fresh_aadhaar() -> str:
    first = f"{random.randint(2, 9)}{random.randrange(10 ** 10):010d}"
    return first + verhoeff.calc_check_digit(first)


def person_body() -> dict[str, Any]:
    return {"name": random.choice(NAMES), "birth_year": str(random.randint(1962, 2004)),
            "gender_id": random.choice((1, 2, 3)), "photo_id_type": 1, "photo_id_number": fresh_aadhaar(),
            "comorbidity_ind": "N", "consent_version": "V1"}


def error_code(response) -> str | None:
    try:
        body = response.json()
    except Exception:  # not JSON: a PDF, an empty body, a broken connection
        return None
    return body.get("errorCode") if isinstance(body, dict) else None


@events.test_start.add_listener
def _test_start(environment, **_kwargs) -> None:
    started, host = time.time(), (environment.host or "").rstrip("/")
    if OTP["mode"] == "outbox":
        try:
            reachable = requests.get(f"{host}/_local/outbox", params={"mobile": "9000000001"}, timeout=10).ok
        except requests.RequestException:
            reachable = False
        if not reachable:
            OTP["mode"] = "none"
            say_once(f"{host} has no SMS outbox (only the local stack has one): the citizens and vaccinators, who "
                     "need an OTP login, are skipped. Set TEEKA_LOAD_OTP=tokens with TEEKA_LOAD_CITIZEN_TOKENS "
                     "(and TEEKA_LOAD_VACCINATOR_TOKEN) to run them against a deployed stage (docs/load.md).")
    if OTP["mode"] == "tokens" and not TOKENS:
        OTP["mode"] = "none"
        say_once("TEEKA_LOAD_OTP=tokens but TEEKA_LOAD_CITIZEN_TOKENS names no tokens: citizens are skipped.")
    if PLAN is None:
        say_once("No TEEKA_LOAD_PLAN: citizens log in, register and browse but book nothing; vaccinators are idle.")
    JOURNAL.write("start", at=round(started, 3), host=host, otp=OTP["mode"], plan=PLAN)


@events.test_stop.add_listener
def _test_stop(environment, **_kwargs) -> None:
    JOURNAL.write("refusals", counts=dict(REFUSALS))


class Api(FastHttpUser):
    """The request every user sends: named by route template; an expected refusal (a full session, a
    certificate not issued yet) is a success, counted apart; anything else unexpected is an error."""

    abstract = True
    network_timeout = 60.0
    connection_timeout = 30.0

    def send(self, method: str, path: str, name: str, ok: tuple[int, ...] = (200,),
             expected: tuple[tuple[int, str | None], ...] = (), **kwargs: Any):
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            status = response.status_code
            if status in ok:
                response.success()
            else:
                code = error_code(response)
                if (status, code) in expected:
                    response.success()
                    REFUSALS[f"{method} {name} {status} {code}"] += 1
                else:
                    text = response.text if isinstance(response.text, str) else ""
                    response.failure(f"unexpected {status} {code or text[:120]}")
        return response

    def otp_login(self, mobile: str) -> dict[str, str] | None:
        """Generate and confirm an OTP, reading it from the local stack's simulated SMS carrier."""
        sent = self.send("POST", "/v2/auth/generateOTP", "/v2/auth/generateOTP", json={"mobile": mobile})
        if sent.status_code != 200:
            return None
        otp = self.read_otp(mobile)
        if otp is None:
            return None
        confirmed = self.send("POST", "/v2/auth/confirmOTP", "/v2/auth/confirmOTP", json={
            "otp": hashlib.sha256(otp.encode()).hexdigest(), "txnId": sent.json()["txnId"]})
        return {"Authorization": f"Bearer {confirmed.json()['token']}"} if confirmed.status_code == 200 else None

    def read_otp(self, mobile: str) -> str | None:
        """The OTP of the newest SMS to `mobile` (read apart from the measured requests: no phone does this)."""
        if not hasattr(self, "outbox"):
            self.outbox = requests.Session()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for sms in reversed(self.outbox.get(f"{self.host}/_local/outbox", params={"mobile": mobile},
                                                timeout=30).json()):
                found = re.search(r"\b(\d{6})\b", sms["message"]) if "OTP" in sms["message"] else None
                if found:
                    return found.group(1)
            time.sleep(0.2)
        say_once(f"No OTP reached the outbox for {mobile} within 10 s")
        return None

    # -- availability, as anyone reads it -----------------------------------------------------------

    def calendar_by_pin(self, pincode: int) -> None:
        self.send("GET", f"/v2/appointment/sessions/public/calendarByPin?pincode={pincode}&date={today()}",
                  "/v2/appointment/sessions/public/calendarByPin")

    def find_by_district(self, district_id: int) -> None:
        self.send("GET", f"/v2/appointment/sessions/public/findByDistrict?district_id={district_id}"
                  f"&date={today(random.randint(0, 3))}", "/v2/appointment/sessions/public/findByDistrict")


class Browser(Api):
    """Anonymous availability reads: the bulk of a campaign's traffic."""

    weight = 15
    wait_time = between(3 * PACE, 10 * PACE)  # a person reading the answer; a CoWIN bot polled about as often

    def on_start(self) -> None:
        JOURNAL.write("user", kind="browser")
        self.etags: dict[str, str] = {}
        extra = (PLAN or {}).get("pincode")
        self.pincodes = PINCODES + ((int(extra),) * 2 if extra else ())
        self.districts = DISTRICTS + ((int(PLAN["district_id"]),) if PLAN else ())

    def revalidated(self, path: str, name: str) -> None:
        """Metadata as a browser reads it: with the ETag it holds, answered 304 while unchanged."""
        headers = {"If-None-Match": self.etags[path]} if path in self.etags else {}
        response = self.send("GET", path, name, ok=(200, 304), headers=headers)
        if response.status_code == 200 and response.headers.get("ETag"):
            self.etags[path] = response.headers["ETag"]

    @task(30)
    def calendar_by_pin_task(self) -> None:
        self.calendar_by_pin(random.choice(self.pincodes))

    @task(15)
    def find_by_pin(self) -> None:
        self.send("GET", f"/v2/appointment/sessions/public/findByPin?pincode={random.choice(self.pincodes)}"
                  f"&date={today(random.randint(0, 3))}", "/v2/appointment/sessions/public/findByPin")

    @task(15)
    def find_by_district_task(self) -> None:
        self.find_by_district(random.choice(self.districts))

    @task(4)
    def calendar_by_district(self) -> None:
        route = "/v2/appointment/sessions/public/calendarByDistrict"
        self.send("GET", f"{route}?district_id={random.choice(self.districts)}&date={today()}", route)

    @task(8)
    def states(self) -> None:
        self.revalidated("/v2/admin/location/states", "/v2/admin/location/states")

    @task(8)
    def districts_of_state(self) -> None:
        self.revalidated(f"/v2/admin/location/districts/{random.choice(STATES)}",
                         "/v2/admin/location/districts/{state_id}")

    @task(4)
    def public_reports(self) -> None:
        state = random.choice(STATES)
        where = random.choice((f"state_id={state}", f"state_id=21&district_id={DISTRICTS[0]}", ""))
        self.send("GET", f"/v1/reports/v2/getPublicReports?{where}", "/v1/reports/v2/getPublicReports")


@dataclass
class Person:
    ref: str
    last4: str
    appointment: str | None = None
    session: str | None = None
    slot: str | None = None


class Citizen(Api):
    """A mobile's owner: log in, register the family, book, move and cancel, download slips and certificates."""

    weight = 5
    wait_time = between(2 * PACE, 6 * PACE)

    def on_start(self) -> None:
        JOURNAL.write("user", kind="citizen")
        self.headers: dict[str, str] | None = None
        self.people: list[Person] = []
        self.attempts = 0
        self.sign_in()

    def sign_in(self) -> None:
        """A new login: a fresh mobile through the OTP flow (or one of the pre-provisioned tokens)."""
        self.headers, self.people, self.attempts, self.registered = None, [], 0, 0
        if OTP["mode"] == "none":
            say_once("Citizens skipped: no OTP source (TEEKA_LOAD_OTP).")
            return
        if OTP["mode"] == "tokens":
            self.headers = {"Authorization": f"Bearer {random.choice(TOKENS)}"}
            self.adopt()
        else:
            self.headers = self.otp_login(fresh_mobile())
            if self.headers is None:
                return
        for _ in range(random.choice((1, 1, 2, 2, 3, 4)) - len(self.people)):
            self.register()

    def adopt(self) -> None:
        """With a pre-provisioned token: the people already on the mobile, those without an appointment."""
        answer = self.send("GET", "/v2/appointment/beneficiaries", "/v2/appointment/beneficiaries",
                           headers=self.headers)
        if answer.status_code == 200:
            for found in answer.json().get("beneficiaries", []):
                if not found.get("appointments") and found.get("vaccination_status") == "Not Vaccinated":
                    self.people.append(Person(found["beneficiary_reference_id"], found["photo_id_number"][-4:]))

    def register(self) -> None:
        body = person_body()
        answer = self.send("POST", "/v2/registration/beneficiary/new", "/v2/registration/beneficiary/new",
                           headers=self.headers, json=body, expected=((400, "BENREG0001"),))
        if answer.status_code == 200:
            ref = answer.json()["beneficiary_reference_id"]
            self.people.append(Person(ref, body["photo_id_number"][-4:]))
            self.registered += 1
            JOURNAL.write("person", ref=ref)

    def ready(self) -> bool:
        if self.headers is None:
            self.sign_in()
        elif self.attempts >= BOOKING_ATTEMPTS_PER_MOBILE:
            self.sign_in()  # the mobile's booking window is nearly spent: another family's turn
        return self.headers is not None

    @task(3)
    def look(self) -> None:
        if PLAN:
            self.calendar_by_pin(int(PLAN["pincode"]))
        else:
            self.find_by_district(random.choice(DISTRICTS))

    @task(2)
    def my_beneficiaries(self) -> None:
        if self.ready():
            self.send("GET", "/v2/appointment/beneficiaries", "/v2/appointment/beneficiaries", headers=self.headers)

    @task(6)
    def book(self) -> None:
        if not (PLAN and self.ready()):
            return
        free = [p for p in self.people if p.appointment is None]
        if not free:
            if self.registered < PEOPLE_PER_MOBILE and OTP["mode"] == "outbox":
                self.register()
            return
        person = random.choice(free)
        to_vaccinate = vaccinating() and random.random() < 0.3
        session = PLAN["dose_session"] if to_vaccinate else random.choice(PLAN["booking_sessions"])
        slot = random.choice(session["slots"])
        self.attempts += 1
        answer = self.send("POST", "/v2/appointment/schedule", "/v2/appointment/schedule", ok=(200, 202),
                           headers=self.headers, json={"dose": 1, "session_id": session["session_id"], "slot": slot,
                                                       "beneficiaries": [person.ref]},
                           expected=((409, "APPOIN0040"), (429, "USRRES0429")))
        if answer.status_code == 200:
            person.appointment = answer.json()["appointment_id"]
            person.session, person.slot = session["session_id"], slot
            JOURNAL.write("booked", appointment=person.appointment, ref=person.ref, session=person.session, slot=slot)
            if to_vaccinate:  # off to the centre: the vaccinator takes it from here
                self.people.remove(person)
                ARRIVALS.append({"ref": person.ref, "last4": person.last4, "appointment": person.appointment,
                                 "citizen": self.headers})
        elif answer.status_code not in (409, 429):  # 202 (queued) or a failure: what became of it is unknown
            JOURNAL.write("unsure", ref=person.ref)
            self.people.remove(person)

    def booked_here(self) -> list[Person]:
        return [p for p in self.people if p.appointment is not None]

    @task(2)
    def reschedule(self) -> None:
        held = self.booked_here() if PLAN and self.ready() else []
        if not held:
            return
        person = random.choice(held)
        session = random.choice(PLAN["booking_sessions"])  # type: ignore[index]
        slot = random.choice([s for s in session["slots"] if (session["session_id"], s) != (person.session,
                                                                                             person.slot)])
        self.attempts += 1
        JOURNAL.write("try", appointment=person.appointment)
        answer = self.send("POST", "/v2/appointment/reschedule", "/v2/appointment/reschedule", ok=(204,),
                           headers=self.headers, json={"appointment_id": person.appointment,
                                                       "session_id": session["session_id"], "slot": slot},
                           expected=((409, "APPOIN0040"), (409, "APPOIN0026"), (429, "USRRES0429")))
        if answer.status_code == 204:
            person.session, person.slot = session["session_id"], slot
            JOURNAL.write("moved", appointment=person.appointment, session=person.session, slot=slot)
        elif answer.status_code in (409, 429):
            JOURNAL.write("kept", appointment=person.appointment)
        else:
            self.people.remove(person)  # left "try": unknown

    @task(1)
    def cancel(self) -> None:
        held = self.booked_here() if PLAN and self.ready() else []
        if not held:
            return
        person = random.choice(held)
        self.attempts += 1
        JOURNAL.write("try", appointment=person.appointment)
        answer = self.send("POST", "/v2/appointment/cancel", "/v2/appointment/cancel", ok=(204,), headers=self.headers,
                           json={"appointment_id": person.appointment, "beneficiariesToCancel": [person.ref]},
                           expected=((429, "USRRES0429"),))
        if answer.status_code == 204:
            JOURNAL.write("cancelled", appointment=person.appointment)
            person.appointment = person.session = person.slot = None
        elif answer.status_code == 429:
            JOURNAL.write("kept", appointment=person.appointment)
        else:
            self.people.remove(person)

    @task(1)
    def slip(self) -> None:
        held = self.booked_here() if self.headers else []
        if held and self.headers:
            route = "/v2/appointment/appointmentslip/download"
            self.send("GET", f"{route}?appointment_id={random.choice(held).appointment}", route,
                      headers={**self.headers, "Accept": "application/pdf"})

    @task(2)
    def certificate(self) -> None:
        """A vaccinated person's certificate, downloaded with their mobile's login (issued a moment after the dose)."""
        if not CERTIFICATES or CERTIFICATES[0]["ready_at"] > time.time():
            return
        waiting = CERTIFICATES.popleft()
        answer = self.send("GET", f"/v2/registration/certificate/download?beneficiary_reference_id={waiting['ref']}",
                           "/v2/registration/certificate/download",
                           headers={**waiting["citizen"], "Accept": "application/pdf"},
                           expected=((404, "CERTIF0001"),))
        waiting["tries"] += 1
        if answer.status_code == 404 and waiting["tries"] < CERTIFICATE_TRIES:
            waiting["ready_at"] = time.time() + CERTIFICATE_WAIT_SECONDS
            CERTIFICATES.append(waiting)

    @task(1)
    def another_login(self) -> None:
        self.sign_in()


def vaccinating() -> bool:
    """Whether anyone will vaccinate people booked into today's session (else citizens book only ahead)."""
    return bool(PLAN and PLAN.get("dose_session") and OTP["mode"] != "none" and (
        os.environ.get("TEEKA_LOAD_VACCINATOR_TOKEN") or (PLAN.get("vaccinator") and OTP["mode"] == "outbox"))
        and Vaccinator.fixed_count > 0)


class Vaccinator(Api):
    """The load's vaccinator at its centre's session today (one login shared by every tablet)."""

    fixed_count = int(os.environ.get("TEEKA_LOAD_VACCINATORS", "2"))
    wait_time = between(2 * PACE, 5 * PACE)

    def on_start(self) -> None:
        JOURNAL.write("user", kind="vaccinator")
        self.walk_in_mobile, self.walk_ins_on_mobile = fresh_mobile(), 0

    def staff(self) -> dict[str, str] | None:
        if not vaccinating():
            say_once("Vaccinators skipped: they need a plan with today's session and a vaccinator login "
                     "(TEEKA_LOAD_VACCINATOR_TOKEN, or the plan's vaccinator with the local outbox).")
            return None
        token = os.environ.get("TEEKA_LOAD_VACCINATOR_TOKEN")
        if token:
            return {"Authorization": f"Bearer {token.removeprefix('Bearer ').strip()}"}
        mobile = PLAN["vaccinator"]  # type: ignore[index]
        with _staff_lock:  # one OTP per mobile per 3 minutes: one tablet logs in, the others share it
            at, headers = _staff.get(mobile, (0.0, {}))
            if time.time() - at > STAFF_TOKEN_SECONDS:
                login = self.otp_login(mobile)
                if login is None:
                    return None
                _staff[mobile] = (time.time(), login)
            return _staff[mobile][1]

    def dose_body(self) -> dict[str, Any]:
        session = PLAN["dose_session"]  # type: ignore[index]
        return {"session_id": session["session_id"], "vaccine": PLAN["vaccine"], "batch": PLAN["batch"],  # type: ignore[index]
                "dose": 1}

    @task(6)
    def vaccinate(self) -> None:
        headers = self.staff()
        if headers is None:
            return
        if ARRIVALS:
            self.record(headers, ARRIVALS.popleft())
        elif random.random() < 0.5:
            self.walk_in(headers)

    def record(self, headers: dict[str, str], arrival: dict) -> None:
        JOURNAL.write("try", appointment=arrival["appointment"])
        answer = self.send("POST", "/v2/vaccination/doses", "/v2/vaccination/doses", ok=(201,), headers=headers,
                           json={**self.dose_body(), "beneficiary_reference_id": arrival["ref"], "photo_id_type": 1,
                                 "id_last4": arrival["last4"]})
        if answer.status_code == 201:
            dose = answer.json()
            JOURNAL.write("dose", ref=arrival["ref"], dose=dose["dose"], record_id=dose["record_id"],
                          session=dose["session_id"], appointment=arrival["appointment"], walk_in=False)
            CERTIFICATES.append({"ref": arrival["ref"], "citizen": arrival["citizen"],
                                 "ready_at": time.time() + CERTIFICATE_WAIT_SECONDS,
                                 "tries": 0})

    def walk_in(self, headers: dict[str, str]) -> None:
        if self.walk_ins_on_mobile == PEOPLE_PER_MOBILE:
            self.walk_in_mobile, self.walk_ins_on_mobile = fresh_mobile(), 0
        self.walk_ins_on_mobile += 1
        answer = self.send("POST", "/v2/vaccination/walkin", "/v2/vaccination/walkin", ok=(201, 200),
                           headers=headers, json={**person_body(), **self.dose_body(), "mobile": self.walk_in_mobile},
                           expected=((409, "VACCIN0009"),))
        if answer.status_code in (200, 201):
            body = answer.json()
            JOURNAL.write("person", ref=body["beneficiary_reference_id"])
            JOURNAL.write("dose", ref=body["beneficiary_reference_id"], dose=body["dose"]["dose"],
                          record_id=body["dose"]["record_id"], session=body["dose"]["session_id"], appointment=None,
                          walk_in=True)

    @task(2)
    def sessions_today(self) -> None:
        headers = self.staff()
        if headers is not None:
            self.send("GET", "/v2/vaccination/sessions/today", "/v2/vaccination/sessions/today", headers=headers)

    @task(1)
    def appointments(self) -> None:
        headers = self.staff()
        if headers is not None:
            self.send("GET", f"/v2/vaccination/sessions/{PLAN['dose_session']['session_id']}/appointments",  # type: ignore[index]
                      "/v2/vaccination/sessions/{session_id}/appointments", headers=headers)
