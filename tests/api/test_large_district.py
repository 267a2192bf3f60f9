"""A 2,000-centre district's 7-day calendar through the real route stays under Lambda's response limit (issue 19).

Every centre has one session a day for 7 days (14,000 sessions), with every field CoWIN's calendar can carry
at its longest: names, addresses and blocks of 200 characters (the most `inputs.label` takes), the same in
Hindi, a paid centre's fees for all three vaccines, four slots, six-digit capacities and an upper age limit.
One centre in five is fully booked.

The sessions are made by the planning rules and the store's own constructors (`parse_centre`,
`parse_session`, `store.new_centre`, `store.new_session`) and served by an in-memory stand-in for the
store's three session reads: moto loads 14,000 items of this size in about a minute and answers their Query
in about 200 s, far beyond a test. `test_the_stand_in_reads_what_the_store_reads` checks, on a sample
written to moto, that the stand-in gives exactly what the store gives.
"""
from __future__ import annotations

import dataclasses
import json
import time
from datetime import date, timedelta
from functools import lru_cache

import pytest

from chalicelib.domain import availability as shapes
from tests.contract.cowin_spec import validate

PUBLIC = "/v2/appointment/sessions/public"
PUNE, MAHARASHTRA = 363, 21
CENTRES, DAYS, PINCODES = 2000, 7, 80
FIRST_CENTRE, FIRST_PINCODE = 700001, 411001
VACCINES = ("COVISHIELD", "COVAXIN", "SPUTNIK V")
FEES = {"COVISHIELD": "780", "COVAXIN": "1410", "SPUTNIK V": "1145"}
SLOTS = ("09:00AM-11:00AM", "11:00AM-01:00PM", "01:00PM-03:00PM", "03:00PM-05:00PM")
ENVELOPE_ALLOWANCE = 16_384  # the answer's braces, the status and the headers fit in far less (about 1 kB)


def _long(words: str, length: int = 200) -> str:
    """`words` repeated to exactly `length` characters, as a label keeps it (no trailing space)."""
    text = (words * (length // len(words) + 1))[:length]
    return text[:-1] + "." if text.endswith(" ") else text


def _fully_booked(n: int) -> bool:
    return n % 5 == 4


def _centre_body(n: int) -> dict:
    return {
        "name": _long(f"Pune Municipal Corporation Urban Primary Health Centre and Vaccination Site {n + 1}, "),
        "address": _long(f"Plot {n + 1}, Survey 45/2, near Shivaji Maharaj Chowk, opposite State Bank, Karve Road, "),
        "block_name": _long("Kothrud Ward Office, Pune Municipal Corporation, "),
        "district_id": PUNE, "pincode": str(FIRST_PINCODE + n % PINCODES),
        "lat": round(18.41 + n % 40 * 0.0051234, 6), "long": round(73.71 + n // 40 * 0.0051234, 6),
        "from": "09:00:00", "to": "17:00:00", "fee_type": "Paid",
        "vaccine_fees": [{"vaccine": vaccine, "fee": fee} for vaccine, fee in FEES.items()],
        "local_names": {"hi_IN": {"name": _long("पुणे महानगरपालिका शहरी प्राथमिक आरोग्य केंद्र एवं टीकाकरण स्थल "),
                                  "address": _long("भूखंड ४५/२, शिवाजी महाराज चौक के पास, कर्वे रोड, कोथरूड "),
                                  "block_name": _long("कोथरूड वार्ड कार्यालय, पुणे महानगरपालिका ")}},
    }


@lru_cache(maxsize=2)
def district(start: date) -> tuple:
    """The district's 14,000 session records from `start`, as the store would give them back. The first
    centre and each day's plan of each vaccine pass the planning rules (every field within its limits);
    the other centres differ from the first only in their numbers, pincode and place."""
    from chalicelib.config import get_settings
    from chalicelib.domain.planning import parse_centre, parse_session
    from chalicelib.services.planning import session_id_for
    from chalicelib.store import planning as store

    profile = get_settings().country
    first = parse_centre(_centre_body(0), {PUNE: MAHARASHTRA}, profile)
    plans = {(day, vaccine): parse_session({
        "center_id": FIRST_CENTRE, "date": (start + timedelta(days=day)).strftime("%d-%m-%Y"),
        "vaccine": vaccine, "min_age_limit": 18, "max_age_limit": 44, "allow_all_age": True,
        "capacity_dose1": 100_000, "capacity_dose2": 99_999,
        "slots": [{"name": name, "capacity": 50_000 - (i == 3)} for i, name in enumerate(SLOTS)],
    }, first, start, profile) for day in range(DAYS) for vaccine in VACCINES}
    sessions = []
    for n in range(CENTRES):
        center_id, body = FIRST_CENTRE + n, _centre_body(n)
        centre = store.new_centre(center_id, dataclasses.replace(
            first, **{name: body[name] for name in ("name", "address", "lat", "long")}, pincode=int(body["pincode"])))
        for day in range(DAYS):
            vaccine = VACCINES[(n + day) % len(VACCINES)]
            plan = dataclasses.replace(plans[day, vaccine], center_id=center_id)
            session = store.new_session(session_id_for(center_id, plan.date, vaccine), centre, plan)
            if _fully_booked(n):
                session = dataclasses.replace(session, booked_dose1=session.capacity_dose1,
                                              booked_dose2=session.capacity_dose2)
            sessions.append(session)
    return tuple(sessions)


class StandIn:
    """The store's session reads over records in memory, keyed as its three indexes are."""

    def __init__(self, sessions):
        self.by = {"district_id": {}, "pincode": {}, "center_id": {}}
        for session in sorted(sessions, key=lambda s: s.date):
            for key, index in self.by.items():
                index.setdefault(getattr(session, key), []).append(session)

    def reader(self, key: str):
        return lambda value, first, last: iter([s for s in self.by[key].get(value, ()) if first <= s.date <= last])

    def install(self, monkeypatch) -> None:
        from chalicelib.store import planning as store

        for name, key in (("sessions_by_district", "district_id"), ("sessions_by_pincode", "pincode"),
                          ("sessions_by_center", "center_id")):
            monkeypatch.setattr(store, name, self.reader(key))


def _today() -> date:
    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date

    return local_date(get_settings().country, int(time.time()))


@pytest.fixture
def large(api, monkeypatch):
    """The large district served to the real routes; returns its first day, as CoWIN writes it."""
    start = _today()
    StandIn(district(start)).install(monkeypatch)
    return start.strftime("%d-%m-%Y")


@pytest.fixture
def lambda_responses(api, monkeypatch):
    """What the function returns to Lambda for each request (the dict the runtime serialises), in order."""
    gateway, returned = api.http._local_gateway, []
    handle = gateway.handle_request

    def recording(**request):
        returned.append(handle(**request))
        return returned[-1]

    monkeypatch.setattr(gateway, "handle_request", recording)
    return returned


def valid_as(body: dict, name: str, key: str) -> None:
    """`body` is valid as CoWIN's `name`: every 25th entry and the last are validated against the spec
    (jsonschema takes seconds for a thousand; its uniqueItems check is quadratic), and every entry and
    session has the same fields, each of the same type, as one of those."""
    entries = body[key]
    sample = entries[::25] + entries[-1:]
    validate({key: sample}, name)

    def shape(entry: dict) -> frozenset:
        return frozenset((field, type(value)) for field, value in entry.items() if field != "sessions")

    assert {shape(entry) for entry in entries} <= {shape(entry) for entry in sample}
    sessions = [session for entry in sample for session in entry.get("sessions", ())]
    assert {shape(s) for entry in entries for s in entry.get("sessions", ())} <= {shape(s) for s in sessions}


def _lambda_payload(response: dict, ascii_escapes: bool = True) -> int:
    """The response's size as the Lambda runtime sends it: Python 3.11's awslambdaric writes `json.dumps`
    with ASCII escapes; 3.12 and later keep non-ASCII as UTF-8."""
    return len(json.dumps(response, ensure_ascii=ascii_escapes).encode())


@pytest.mark.parametrize("language", ["", "hi_IN"])
def test_a_2000_centre_calendar_keeps_whole_centres_under_lambdas_limit(api, large, lambda_responses, language):
    headers = {"Accept-Language": language} if language else {}
    response = api.http.get(f"{PUBLIC}/calendarByDistrict?district_id={PUNE}&date={large}", headers=headers)
    assert response.status_code == 200
    [returned] = lambda_responses

    # Under Lambda's limit, with the headroom chosen, however the runtime writes it.
    payload = _lambda_payload(returned)
    assert _lambda_payload(returned, ascii_escapes=False) <= payload
    assert payload <= shapes.ANSWER_BUDGET + ENVELOPE_ALLOWANCE < shapes.LAMBDA_RESPONSE_LIMIT - 1_000_000
    body = response.json_body
    assert shapes.lambda_bytes(body["centers"]) <= shapes.ANSWER_BUDGET

    # A valid CoWIN answer of whole centres, in center_id order.
    centres = body["centers"]
    valid_as(body, "inline_response_200_5", "centers")
    ids = [centre["center_id"] for centre in centres]
    assert ids == sorted(set(ids)) and all(len(centre["sessions"]) == DAYS for centre in centres)
    assert all(centre["vaccine_fees"] and centre["sessions"][0]["max_age_limit"] == 44 for centre in centres)
    if language:
        assert all(centre["name_l"].startswith("पुणे") and centre["address_l"] for centre in centres)

    # Partial, and says so: the budget is used, not wasted (the next centre would not have fitted).
    omitted = CENTRES - len(centres)
    assert omitted > 0 and response.headers["X-Centers-Omitted"] == str(omitted)
    largest_centre = max(shapes.lambda_bytes(centre) + 1 for centre in centres)
    assert shapes.lambda_bytes(centres) > shapes.ANSWER_BUDGET - largest_centre

    # Centres with a seat open come first: only they are kept while some of them are left out.
    with_seats = [FIRST_CENTRE + n for n in range(CENTRES) if not _fully_booked(n)]
    assert len(centres) < len(with_seats) and ids == with_seats[:len(centres)]

    # Still cacheable (the 304 of a partial answer: tests/api/test_availability_api.py).
    assert response.headers["Cache-Control"] == "public, max-age=60" and response.headers["ETag"]


def test_centres_left_out_are_reached_by_pincode_and_by_centre(api, large):
    response = api.http.get(f"{PUBLIC}/calendarByDistrict?district_id={PUNE}&date={large}")
    kept = {centre["center_id"] for centre in response.json_body["centers"]}
    left_out = {FIRST_CENTRE + n: FIRST_PINCODE + n % PINCODES for n in range(CENTRES)
                if FIRST_CENTRE + n not in kept}
    named = [int(pincode) for pincode in response.headers["X-Omitted-Pincodes"].split(",")]
    assert named == sorted(set(left_out.values()))  # fewer than OMITTED_PINCODES_LISTED: every one named

    reached = {}
    for pincode in named:
        by_pin = api.http.get(f"{PUBLIC}/calendarByPin?pincode={pincode}&date={large}")
        assert by_pin.status_code == 200 and "X-Centers-Omitted" not in by_pin.headers
        reached.update({centre["center_id"]: centre for centre in by_pin.json_body["centers"]})
    assert set(left_out) <= set(reached)
    assert all(len(reached[center_id]["sessions"]) == DAYS for center_id in left_out)

    center_id = max(left_out)
    one = api.http.get(f"{PUBLIC}/calendarByCenter?center_id={center_id}&date={large}").json_body["centers"]
    assert one == reached[center_id]


def test_the_days_flat_search_is_bounded_by_the_same_rule(api, large, lambda_responses):
    response = api.http.get(f"{PUBLIC}/findByDistrict?district_id={PUNE}&date={large}",
                            headers={"Accept-Language": "hi_IN"})
    assert response.status_code == 200
    assert _lambda_payload(lambda_responses[0]) <= shapes.ANSWER_BUDGET + ENVELOPE_ALLOWANCE
    valid_as(response.json_body, "inline_response_200_4", "sessions")
    rows = response.json_body["sessions"]
    omitted = int(response.headers.get("X-Centers-Omitted", 0))
    assert len({row["center_id"] for row in rows}) + omitted == CENTRES and len(rows) == CENTRES - omitted


def test_the_stand_in_reads_what_the_store_reads(aws):
    from chalicelib.store import planning as store

    start = _today()
    sample = [s for s in district(start) if s.center_id in (FIRST_CENTRE, FIRST_CENTRE + 4, FIRST_CENTRE + 80)]
    store.load([], sample)
    first, last = start.isoformat(), (start + timedelta(days=DAYS - 1)).isoformat()
    stand_in = StandIn(sample)
    for key, read in (("district_id", store.sessions_by_district), ("pincode", store.sessions_by_pincode),
                      ("center_id", store.sessions_by_center)):
        for value in {getattr(s, key) for s in sample}:
            assert sorted(read(value, first, last), key=lambda s: s.session_id) == \
                sorted(stand_in.reader(key)(value, first, last), key=lambda s: s.session_id), (key, value)
