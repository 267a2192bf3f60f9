"""A small world on the local server for races: fresh sessions, people and bookings; `world.ledger`
checks what every race must leave (tests/ledger.py)."""
from __future__ import annotations

import itertools
import time

import boto3
import requests

from chalicelib.config import get_settings
from chalicelib.domain.calendar import local_date
from tests.e2e.helpers import login
from tests.helpers import person
from tests.ledger import Ledger

CENTRE = 100001  # Seven Hills Hospital: the demo facility admin plans it, the demo vaccinator works it
FACILITY_ADMIN, VACCINATOR, VERIFIER = "9000000005", "9000000006", "9000000007"
SLOTS = ("09:00AM-01:00PM", "01:00PM-05:00PM")
VACCINE = "SPUTNIK V"  # the demo data has none, so every session here is fresh
FAMILY = 2  # people per mobile: each races a few bookings, within the mobile's booking rate limit


def cowin_day(days_ahead: int) -> str:
    return local_date(get_settings().country, int(time.time()) + days_ahead * 86400).strftime("%d-%m-%Y")


class World:
    """Sessions at the demo centre on days of their own, and people two to a fresh mobile."""

    def __init__(self, url: str, aws_url: str, mobile_prefix: str, first_seed: int, first_day: int):
        self.url, self.aws_url = url, aws_url
        self.planner = login(url, FACILITY_ADMIN)
        self._mobiles = (f"{mobile_prefix}{n:04d}" for n in itertools.count())
        self._seeds = itertools.count(first_seed)
        self._days = itertools.count(first_day)
        self._family: tuple[str, dict, int] | None = None
        self._today: str | None = None
        self.ledger = Ledger(boto3.client("dynamodb", endpoint_url=aws_url, region_name=get_settings().region))

    def post(self, path: str, body: dict, headers: dict) -> requests.Response:
        return requests.post(f"{self.url}{path}", json=body, headers=headers, timeout=60)

    def session(self, capacity_dose1: int = 40, days_ahead: int | None = None, slots=SLOTS) -> str:
        """A fresh SPUTNIK V session at the demo centre (today with `days_ahead=0`), its slots sharing
        the capacity evenly; the demo vaccinator and verifier are allocated to it."""
        day = cowin_day(next(self._days) if days_ahead is None else days_ahead)
        created = self.post("/v2/admin/sessions", {
            "center_id": CENTRE, "date": day, "vaccine": VACCINE, "min_age_limit": 18,
            "capacity_dose1": capacity_dose1, "capacity_dose2": 0, "slots": list(slots)}, self.planner)
        assert created.status_code == 201, created.text
        session_id = created.json()["session_id"]
        for staff in (VACCINATOR, VERIFIER):
            assert self.post(f"/v2/admin/sessions/{session_id}/allocations", {"mobile": staff},
                             self.planner).status_code == 201
        return session_id

    def today(self) -> str:
        """Today's SPUTNIK V session at the demo centre, where doses can be given (one per server)."""
        if self._today is None:
            self._today = self.session(capacity_dose1=1000, days_ahead=0)
        return self._today

    def person(self) -> tuple[dict, str, int, str]:
        """A newly registered person: (their mobile's Authorization header, reference id, Aadhaar seed, mobile)."""
        if self._family is None or self._family[2] == FAMILY:
            mobile = next(self._mobiles)
            self._family = (mobile, login(self.url, mobile), 0)
        mobile, headers, members = self._family
        self._family = (mobile, headers, members + 1)
        seed = next(self._seeds)
        registered = self.post("/v2/registration/beneficiary/new", person(seed), headers)
        assert registered.status_code == 200, registered.text
        return headers, registered.json()["beneficiary_reference_id"], seed, mobile

    def book(self, headers: dict, refs: list[str], session_id: str, slot: str = SLOTS[0]) -> str:
        booked = self.post("/v2/appointment/schedule", {"dose": 1, "session_id": session_id, "slot": slot,
                                                        "beneficiaries": refs}, headers)
        assert booked.status_code == 200, booked.text
        return booked.json()["appointment_id"]
