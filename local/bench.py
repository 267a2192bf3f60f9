"""`make bench`: measured numbers, written to bench/results/report.md.

In-process against moto (`mock_aws`), through the real Chalice app (chalice.test.Client), so the
numbers are this code's overhead on top of an in-memory DynamoDB, not AWS latencies. Each figure
sits beside the bare DynamoDB call(s) the request cannot avoid, as a ratio.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from chalicelib.config import get_settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
REPORT = PROJECT_DIR / "bench" / "results" / "report.md"

os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.update({"TEEKA_STAGE": "local", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                   "AWS_DEFAULT_REGION": "ap-south-1", "AWS_REGION": "ap-south-1",
                   "POWERTOOLS_TRACE_DISABLED": "true",
                   "POWERTOOLS_LOG_LEVEL": "WARNING"})
sys.path.insert(0, str(PROJECT_DIR))


def _section(name: str, run):
    started = time.perf_counter()
    print(f"bench: {name}...", flush=True)
    result = run()
    print(f"bench: {name} done in {time.perf_counter() - started:.0f} s", flush=True)
    return result


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn, runs: int) -> list[float]:
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return samples


def summary(name: str, samples: list[float], calls: str, baseline: list[float] | None = None,
            per_request: bool = True) -> dict:
    row = {"path": name, "requests": len(samples), "calls": calls,
           "median_ms": statistics.median(samples) * 1000,
           "p99_ms": percentile(samples, 0.99) * 1000 if per_request else float("nan"),
           "per_second": len(samples) / sum(samples)}
    if baseline:
        row["ratio"] = statistics.median(samples) / statistics.median(baseline)
    return measured(row)


def table_line(row: dict) -> str:
    """A row as the report's table prints it."""
    ratio = f"{row['ratio']:.1f}x" if "ratio" in row else ""
    p99 = "" if row["p99_ms"] != row["p99_ms"] else f"{row['p99_ms']:.2f}"  # NaN: not per request
    rate = f"{row['per_second']:.0f}" + (f" {row['unit']}" if "unit" in row else "")
    return f"| {row['path']} | {row['requests']} | {row['calls']} | {row['median_ms']:.2f} | {p99} | {rate} | {ratio} |"


def show(line: str) -> None:
    """Print now, even inside a section: sections send stdout to a buffer (Powertools writes metrics there)."""
    print(f"bench: {line}", file=sys.__stdout__, flush=True)


def measured(row: dict) -> dict:
    """A row of the report, printed as soon as it is measured."""
    show(table_line(row))
    return row


COLD_START_GOAL = 1.5  # issue 19: the API function's cold import at most 1.5 times `import boto3`
# What the first request of each kind imports after app.py (once per container): the routes import their
# use cases on first use, and the Tracer is made on the first traced invocation, whatever its route.
FIRST_REQUESTS = (
    ("the Tracer alone (X-Ray SDK, libraries patched)", "pass"),
    ("a public search (findByDistrict)", "import chalicelib.services.availability"),
    ("a login (generateOTP, confirmOTP)", "import chalicelib.services.auth"),
    ("a booking (schedule)", "import chalicelib.services.surge"),
    ("a certificate download", "import chalicelib.services.certificates"),
)


def cold_start(runs: int = 9) -> dict:
    """The API function's cold start in the prod stage, as Lambda would run it (LAMBDA_TASK_ROOT set,
    tracing on: no POWERTOOLS_TRACE_DISABLED), beside `import boto3`: fresh processes taking turns,
    medians of `runs`. Bytecode is compiled once beforehand into a private cache, for both alike, so
    neither pays for compiling. Then, after `import app`, what each kind of first request imports."""
    import tempfile

    def seconds(code: str, env: dict, before: str = "pass") -> float:
        """Seconds `code` takes in a fresh process, after `before` (untimed)."""
        timed_code = f"{before}; import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
        return float(subprocess.run([sys.executable, "-c", timed_code], cwd=PROJECT_DIR, env=env,
                                    capture_output=True, text=True, check=True).stdout.strip())

    after_app = "import app; from chalicelib.observability import tracer"
    with tempfile.TemporaryDirectory(prefix="teeka-bench-pycache-") as pycache:
        env = {key: value for key, value in os.environ.items()
               if key not in ("POWERTOOLS_TRACE_DISABLED", "PYTHONDONTWRITEBYTECODE")}
        env.update({"TEEKA_STAGE": "prod", "LAMBDA_TASK_ROOT": str(PROJECT_DIR), "PYTHONPYCACHEPREFIX": pycache,
                    "POWERTOOLS_LOG_LEVEL": "INFO"})
        seconds("import boto3", env)  # each compiles into the private cache
        for _, code in FIRST_REQUESTS:
            seconds(f"tracer(); {code}", env, after_app)
        boto3_samples, app_samples = [], []
        for _ in range(runs):
            boto3_samples.append(seconds("import boto3", env))
            app_samples.append(seconds("import app", env))
        boto3_s, app_s = statistics.median(boto3_samples), statistics.median(app_samples)
        ratio = app_s / boto3_s
        show(f"cold start, prod stage: import app {app_s * 1000:.0f} ms, import boto3 {boto3_s * 1000:.0f} ms: "
             f"{ratio:.2f}x (goal at most {COLD_START_GOAL}x: {'met' if ratio <= COLD_START_GOAL else 'NOT met'})")
        first = {}
        for name, code in FIRST_REQUESTS:
            first[name] = statistics.median(seconds(f"tracer(); {code}", env, after_app)
                                            for _ in range(max(3, runs // 2)))
            show(f"cold start, then the first request: {name}: + {first[name] * 1000:.0f} ms, "
                 f"{(app_s + first[name]) / boto3_s:.2f}x import boto3 in all")
    return {"app_s": app_s, "boto3_s": boto3_s, "ratio": ratio, "runs": runs, "first": first}


def cold_start_lines(cold: dict) -> list[str]:
    """The cold-start figures as the report prints them."""
    met = "met" if cold["ratio"] <= COLD_START_GOAL else "**not met**"
    return [
        f"Cold start of the API function, prod stage, tracing on as in Lambda (fresh processes, medians of "
        f"{cold['runs']}, bytecode compiled beforehand for both): `import app` **{cold['app_s'] * 1000:.0f} ms** "
        f"against `import boto3` {cold['boto3_s'] * 1000:.0f} ms: **{cold['ratio']:.2f}x**; the goal, at most "
        f"{COLD_START_GOAL}x (issue 19), is {met}.",
        "",
        "What the container's first request then imports, once: the Tracer (made on the first traced invocation, "
        "whatever the route) and its route's use cases. Medians of fresh processes, each after `import app`:",
        "",
        "| first request | + ms | import app and it, to `import boto3` |",
        "|---|---|---|",
        *(f"| {name} | {extra * 1000:.0f} | {(cold['app_s'] + extra) / cold['boto3_s']:.2f}x |"
          for name, extra in cold["first"].items()),
        "",
        "Making the Tracer patches every library X-Ray supports that is installed: here that includes the dev "
        "tools' `requests` and `httpx`, which the Lambda package does not carry.",
    ]


def login_paths() -> list[dict]:
    from chalice.test import Client
    from moto import mock_aws
    from pynamodb.transactions import TransactWrite

    from chalicelib.domain.otp import sha256_hex
    from chalicelib.store.auth import AccountItem, OtpItem, OtpThrottleItem, OtpTransactionItem
    from local import carrier as local_carrier
    from local import embedded_aws
    from local.metering import count_dynamodb_calls

    rows = []
    expiry = datetime.now(UTC)
    with mock_aws(), contextlib.redirect_stdout(io.StringIO()):  # Powertools writes metrics (EMF) to stdout
        embedded_aws.provision()
        from app import app

        with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
            client.http.get("/v2/admin/location/states")  # warm caches, as a warm Lambda container would be
            states = timed(lambda i: client.http.get("/v2/admin/location/states"), 2000)
            rows.append(summary("GET /v2/admin/location/states", states, "0"))

            mobiles = [f"9{i:09d}" for i in range(1, 401)]
            txns = []

            # The unavoidable DynamoDB work, done bare. moto copies the table for every transaction
            # (O(table size), unlike DynamoDB), so the bare transaction runs interleaved with the
            # request: both see a table of the same size.
            def bare_transaction(i):
                with TransactWrite(connection=OtpItem._get_connection().connection) as transaction:
                    for key in (f"bench#{i}", f"bench-txn#{i}"):
                        transaction.save(OtpThrottleItem(key, last_sent_at=1, txn_id="t", expires_at=expiry))

            def generate(i):
                txns.append(client.http.post("/v2/auth/public/generateOTP",
                                             headers={"Content-Type": "application/json"},
                                             body=json.dumps({"mobile": mobiles[i]})).json_body["txnId"])

            generate_samples, bare_transact = [], []
            with count_dynamodb_calls() as calls:
                for i in range(len(mobiles)):
                    generate_samples += timed(lambda _, i=i: generate(i), 1)
                    with count_dynamodb_calls():
                        bare_transact += timed(lambda _, i=i: bare_transaction(i), 1)
            generate_calls = {op: n / len(mobiles) for op, n in calls.items()}

            hashes = [sha256_hex(local_carrier.messages_for(m)[-1]["message"].split(" is ")[1][:6]) for m in mobiles]
            with count_dynamodb_calls() as calls:
                confirm_samples = timed(lambda i: client.http.post(
                    "/v2/auth/confirmOTP", headers={"Content-Type": "application/json"},
                    body=json.dumps({"otp": hashes[i], "txnId": txns[i]})), len(mobiles))
            confirm_calls = {op: n / len(mobiles) for op, n in calls.items()}

            bare_get = timed(lambda i: OtpTransactionItem.get(OtpTransactionItem.key(txns[i])), len(mobiles))
            bare_update = timed(lambda i: AccountItem(mobiles[i]).update(
                actions=[AccountItem.last_login_at.set(1)]), len(mobiles))
            bare_pair = [a + b for a, b in zip(bare_get, bare_update)]
            rows.append(summary("POST /v2/auth/public/generateOTP", generate_samples,
                                ", ".join(f"{op} {n:g}" for op, n in generate_calls.items()), bare_transact))
            rows.append(summary("POST /v2/auth/confirmOTP", confirm_samples,
                                ", ".join(f"{op} {n:g}" for op, n in confirm_calls.items()), bare_pair))
            rows.append(summary("bare TransactWriteItems of 2 puts (PynamoDB, moto)", bare_transact, "1"))
            rows.append(summary("bare GetItem + UpdateItem (PynamoDB, moto)", bare_pair, "2"))
    return rows


def shaping(name: str, first, last, runs: int = 20) -> dict:
    """The code's own work on a search answer: records to CoWIN's shape, then to JSON bytes."""
    from chalicelib.config import get_settings
    from chalicelib.domain import availability as shapes
    from chalicelib.services.availability import record
    from chalicelib.services.metadata import place_names
    from chalicelib.store.planning import sessions_by_district

    records = [record(item) for item in sessions_by_district(LARGE_DISTRICT, first.isoformat(), last.isoformat())]
    shape = shapes.calendar if name.startswith("calendar") else shapes.flat_sessions
    names = partial(place_names, get_settings().country)
    samples = timed(lambda i: json.dumps(shape(records, names), separators=(",", ":")), runs)
    return summary(f"  of which: shaping {len(records)} records + JSON (pure, no I/O)", samples, "0")


LARGE_DISTRICT, LARGE_STATE = 363, 21  # Pune: a district as large as the biggest CoWIN saw
LARGE_CENTRES, LARGE_DAYS = 500, 7


def _large_district(start) -> None:
    """500 centres, each with 2 sessions a day for 7 days: 7,000 sessions in one district."""
    from chalicelib.domain.planning import Centre, SessionPlan, Slot
    from chalicelib.services.planning import session_id_for
    from chalicelib.store import planning as store

    sessions = []
    for n in range(LARGE_CENTRES):
        centre = store.new_centre(500001 + n, Centre(
                name=f"Pune Urban PHC {n + 1}", address=f"Ward {n % 40 + 1}, Pune", block_name=f"Ward {n % 40 + 1}",
                district_id=LARGE_DISTRICT, state_id=LARGE_STATE, pincode=411001 + n % 60, lat=18.45 + n % 25 * 0.01,
            long=73.75 + n // 25 * 0.01, opens="09:00:00", closes="17:00:00", fee_type="Free"))
        for day in range(LARGE_DAYS):
            for vaccine, min_age in (("COVISHIELD", 18), ("COVAXIN", 45)):
                plan = SessionPlan(center_id=500001 + n, date=start + timedelta(days=day), vaccine=vaccine,
                                   min_age_limit=min_age, max_age_limit=None, allow_all_age=False,
                                   capacity_dose1=100, capacity_dose2=50,
                                   slots=(Slot("09:00AM-01:00PM", 75), Slot("01:00PM-05:00PM", 75)), fee="0")
                sessions.append(store.new_session(session_id_for(500001 + n, plan.date, vaccine), centre, plan))
    store.load([], sessions)


def availability_paths() -> list[dict]:
    """A large district's searches. moto answers a Query of thousands of items slowly (its response
    serializer dominates), so the request count is small and the bare read is timed beside it; the
    pure shaping step (records -> CoWIN JSON) is timed apart, as the code's own share."""
    from chalice.test import Client
    from moto import mock_aws

    from chalicelib.adapters.aws import client as aws_client
    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date
    from chalicelib.store.planning import SessionItem
    from local import embedded_aws
    from local.metering import count_dynamodb_calls

    rows = []
    with mock_aws(), contextlib.redirect_stdout(io.StringIO()):
        embedded_aws.provision()
        start = local_date(get_settings().country, int(time.time()))
        _large_district(start)
        from app import app

        day = start.strftime("%d-%m-%Y")
        sessions_table = SessionItem.Meta.table_name
        with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
            for name, path, first, last, unit, runs in (
                    ("calendarByDistrict", f"calendarByDistrict?district_id={LARGE_DISTRICT}&date={day}",
                     start, start + timedelta(days=LARGE_DAYS - 1), "centres", 5),
                    ("findByDistrict", f"findByDistrict?district_id={LARGE_DISTRICT}&date={day}", start, start,
                     "sessions", 10)):
                url = f"/v2/appointment/sessions/public/{path}"
                body = client.http.get(url).body
                found = len(json.loads(body)["centers" if unit == "centres" else "sessions"])
                with count_dynamodb_calls() as calls:
                    samples = timed(lambda _, url=url: client.http.get(url), runs)
                per_request = {op: n / runs for op, n in calls.items()}

                def bare(i, first=first, last=last):
                    pages = aws_client("dynamodb").get_paginator("query").paginate(
                        TableName=sessions_table, IndexName="by-district-date",
                        KeyConditionExpression="district_id = :d AND #date BETWEEN :a AND :b",
                        ExpressionAttributeNames={"#date": "date"},
                        ExpressionAttributeValues={":d": {"N": str(LARGE_DISTRICT)}, ":a": {"S": first.isoformat()},
                                                   ":b": {"S": last.isoformat()}})
                    return sum(page["Count"] for page in pages)

                baseline = timed(bare, runs)
                row = summary(f"GET {name} ({LARGE_CENTRES} centres x {LARGE_DAYS} days x 2 sessions; {found} {unit}"
                              f" in the answer, {len(body) / 1024:.0f} KiB)", samples,
                              ", ".join(f"{op} {n:g}" for op, n in per_request.items()), baseline)
                rows.append(row)
                rows.append(summary("  bare Query pages of the same key range (boto3, moto)", baseline,
                                    str(int(per_request.get("Query", 0)))))
                rows.append(shaping(name, first, last))
    return rows


def item_bytes(serialized: dict) -> int:
    """DynamoDB's size of an item: attribute names plus values (strings as UTF-8, numbers about one
    byte per two digits, nested maps and lists with their own names and 3 bytes of overhead each)."""
    def value_size(value: dict) -> int:
        (kind, inner), = value.items()
        if kind == "S":
            return len(inner.encode())
        if kind == "N":
            return len(inner.lstrip("-").replace(".", "")) // 2 + 2
        if kind == "BOOL" or kind == "NULL":
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode()) + value_size(v) for k, v in inner.items())
        if kind == "L":
            return 3 + sum(1 + value_size(v) for v in inner)
        if kind in ("SS", "NS"):
            return sum(len(v.encode()) for v in inner)
        return len(str(inner))
    return sum(len(name.encode()) + value_size(value) for name, value in serialized.items())


def booking_paths(sessions: int = 20, per_session: int = 20) -> tuple[list[dict], dict]:
    """Bookings per second through the API (synchronous) and through the surge worker, against the
    bare TransactWriteItems of the same items; write units from the items' sizes."""
    import math

    from chalice.test import Client
    from moto import mock_aws

    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date
    from chalicelib.services import surge
    from chalicelib.store.booking import AppointmentItem
    from chalicelib.store.planning import SessionItem
    from chalicelib.store.registration import BeneficiaryItem
    from local import dispatcher, embedded_aws
    from local.metering import count_dynamodb_calls

    rows = []
    with mock_aws(), contextlib.redirect_stdout(io.StringIO()):
        embedded_aws.provision()
        now = int(time.time())
        start = local_date(get_settings().country, now) + timedelta(days=1)
        _bookable_sessions(start, sessions)
        from app import app

        people = _people(sessions * per_session, now)
        with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
            surge.is_on(get_settings())
            tokens = {mobile: _token(client, mobile) for mobile in {m for m, _ in people}}

            def request(i):
                mobile, ref = people[i]
                return client.http.post("/v2/appointment/schedule", headers={
                    "Authorization": f"Bearer {tokens[mobile]}", "Content-Type": "application/json"},
                    body=json.dumps({"dose": 1, "session_id": f"bench-{i % sessions}", "slot": "09:00AM-05:00PM",
                                     "beneficiaries": [ref]}))

            half = len(people) // 2
            with count_dynamodb_calls() as calls:
                sync = timed(lambda i: request(i), half)
            per_booking = {op: n / half for op, n in calls.items()}
            appointment = next(iter(AppointmentItem.scan(limit=1)))
            session = SessionItem.get(appointment.session_id)
            beneficiary = BeneficiaryItem.get(appointment.beneficiary_reference_id)
            sizes = [item_bytes(item.serialize()) for item in (session, beneficiary, appointment)]
            write_units = sum(2 * math.ceil(size / 1024) for size in sizes)  # transactional: 2 per KB each

            def bare(i):
                from chalicelib.store.common import Transaction

                with Transaction(SessionItem) as transaction:
                    transaction.change("s", SessionItem(f"bench-{i % sessions}"),
                                       [SessionItem.booked_dose2.add(0)], SessionItem.status == "ACTIVE")
                    transaction.put("b", BeneficiaryItem(f"bare-{i}", **{k: getattr(beneficiary, k) for k in (
                        "mobile", "name", "birth_year", "gender_id", "photo_id_type", "id_claim", "id_last4",
                        "comorbidity_ind", "consent_version", "created_at")}))
                    transaction.put("a", AppointmentItem(f"bare-{i}", appointment.beneficiary_reference_id,
                                                         **{k: getattr(appointment, k) for k in (
                                                             "mobile", "session_id", "center_id", "date", "slot",
                                                             "dose", "status", "reschedules",
                                                             "created_at", "updated_at")}))

            baseline = timed(bare, half)
            rows.append(summary("POST /v2/appointment/schedule (synchronous, 1 beneficiary)", sync,
                                ", ".join(f"{op} {n:g}" for op, n in per_booking.items()), baseline))
            rows.append(summary("  bare TransactWriteItems of the same 3 items (PynamoDB, moto)", baseline, "1"))
            for i in range(half, len(people)):
                mobile, ref = people[i]
                surge.enqueue(mobile, {"dose": 1, "session_id": f"bench-{i % sessions}", "slot": "09:00AM-05:00PM",
                                       "beneficiaries": [ref]}, now, get_settings().country)
            started = time.perf_counter()
            with count_dynamodb_calls() as calls:
                dispatcher.drain(app, rounds=len(people))
            worker_seconds = time.perf_counter() - started
            queued = len(people) - half
            rows.append(measured({
                "path": "surge worker: queued bookings drained (batches of 10, incl. SQS receive/delete)",
                "requests": queued, "calls": ", ".join(f"{op} {n / queued:g}" for op, n in calls.items()),
                "median_ms": worker_seconds / queued * 1000, "p99_ms": float("nan"),
                "per_second": queued / worker_seconds}))
            confirmed = sum(1 for a in AppointmentItem.scan()
                            if a.status == "BOOKED" and not a.appointment_id.startswith("bare-"))
            assert confirmed == len(people), f"{confirmed} of {len(people)} bookings confirmed"
    return rows, {"write_units": write_units, "sizes": sizes}


def dose_paths(people_count: int = 400) -> tuple[list[dict], dict]:
    """Doses recorded in real time (the vaccinator's own photo-ID check: walk-in seats) and offline
    batches of 100, against the bare TransactWriteItems of the same 5 items; then the certificates of
the real-time doses, issued by the queue worker's code."""
    import math

    from chalice.test import Client
    from moto import mock_aws

    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date
    from chalicelib.store.auth import StaffItem
    from chalicelib.store.certificates import CertificateSlotItem
    from chalicelib.store.common import Transaction
    from chalicelib.store.planning import AllocationItem, SessionItem
    from chalicelib.store.registration import BeneficiaryItem
    from chalicelib.store.vaccination import AllowanceItem, DoseItem
    from local import embedded_aws
    from local.demo_ids import aadhaar
    from local.metering import count_dynamodb_calls

    vaccinator = "9000000006"
    rows = []
    with mock_aws(), contextlib.redirect_stdout(io.StringIO()):
        embedded_aws.provision()
        now = int(time.time())
        today = local_date(get_settings().country, now)
        _bookable_sessions(today, 1, capacity=people_count)
        StaffItem(vaccinator, name="Bench Vaccinator", roles={"vaccinator"}, facility_id=1, district_id=395,
                  state_id=21).save()
        AllocationItem("bench-0", vaccinator, role="vaccinator", date=today.isoformat(), center_id=1,
                       allocated_at=now, allocated_by="bench").save()
        people = _people(people_count, now)
        from app import app

        with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
            headers = {"Authorization": f"Bearer {_token(client, vaccinator)}", "Content-Type": "application/json"}

            def body(i):
                return {"beneficiary_reference_id": people[i][1], "session_id": "bench-0", "vaccine": "COVISHIELD",
                        "batch": "4121Z025", "dose": 1, "photo_id_type": 1, "id_last4": aadhaar(10_000 + i)[-4:]}

            half = people_count // 2
            with count_dynamodb_calls() as calls:
                realtime = timed(lambda i: client.http.post("/v2/vaccination/doses", headers=headers,
                                                            body=json.dumps(body(i))), half)
            per_dose = {op: n / half for op, n in calls.items()}
            record = DoseItem.get(people[0][1], "dose#1")
            beneficiary = BeneficiaryItem.get(people[0][1])
            session = SessionItem.get("bench-0")
            allowance = next(iter(AllowanceItem.query(1)))
            slot = CertificateSlotItem.get(people[0][1], 1)
            sizes = [item_bytes(item.serialize()) for item in (record, beneficiary, session, allowance, slot)]
            write_units = sum(2 * math.ceil(size / 1024) for size in sizes)

            def bare(i):
                with Transaction(DoseItem) as transaction:
                    transaction.put("d", DoseItem(f"bare-{i}", "dose#1", **{
                        k: getattr(record, k) for k in DoseItem.get_attributes()
                        if k not in ("beneficiary_reference_id", "entry") and getattr(record, k) is not None}))
                    transaction.change("b", BeneficiaryItem(people[i][1]), [BeneficiaryItem.doses_given.add(0)])
                    transaction.change("s", SessionItem("bench-0"), [SessionItem.booked_dose2.add(0)])
                    transaction.change("a", AllowanceItem(1, allowance.key), [AllowanceItem.doses.add(0)])
                    transaction.change("c", CertificateSlotItem(f"bare-{i}", 1), [
                        CertificateSlotItem.mobile.set(record.mobile), CertificateSlotItem.due_at.set(i)])

            baseline = timed(bare, half)
            rows.append(summary("POST /v2/vaccination/doses (real time, photo-ID check, walk-in seat)", realtime,
                                ", ".join(f"{op} {n:g}" for op, n in per_dose.items()), baseline))
            rows.append(summary("  bare TransactWriteItems of the same 5 items (PynamoDB, moto)", baseline, "1"))
            batches, stamp = [], datetime.now(UTC).isoformat()
            for first in range(half, people_count, 100):
                batches.append([{**body(i), "uuid": f"00000000-0000-4000-8000-{i:012d}", "device_id": "bench",
                                 "captured_at": stamp, "vaccinator": vaccinator}
                                for i in range(first, min(first + 100, people_count))])
            with count_dynamodb_calls() as calls:
                offline = timed(lambda i: client.http.post("/v2/vaccination/offline/sync", headers=headers,
                                                           body=json.dumps({"records": batches[i]})), len(batches))
            synced = sum(len(b) for b in batches)
            rows.append(measured({"path": "POST /v2/vaccination/offline/sync (batches of 100 new records)",
                                  "requests": len(batches),
                                  "calls": ", ".join(f"{op} {n / len(batches):g}" for op, n in calls.items()),
                                  "median_ms": statistics.median(offline) * 1000,
                                  "p99_ms": percentile(offline, 0.99) * 1000,
                                  "per_second": synced / sum(offline), "unit": "records"}))
            replay = timed(lambda i: client.http.post("/v2/vaccination/offline/sync", headers=headers,
                                                      body=json.dumps({"records": batches[i]})), len(batches))
            rows.append(measured({"path": "  the same batches replayed (all duplicates)", "requests": len(batches),
                                  "calls": "BatchGetItem 1", "median_ms": statistics.median(replay) * 1000,
                                  "p99_ms": percentile(replay, 0.99) * 1000, "per_second": synced / sum(replay),
                                  "unit": "records"}))
            recorded = sum(1 for _ in DoseItem.scan()) - half  # the bare ones
            assert recorded == people_count, f"{recorded} of {people_count} doses recorded"
            from chalicelib.services import certificates

            issuing = people[:min(half, 100)]
            with count_dynamodb_calls() as calls:
                issued = timed(lambda i: certificates.issue(issuing[i][1], 1, get_settings().country), len(issuing))
            assert all(CertificateSlotItem.get(ref, 1).issued_id for _, ref in issuing)
            rows.append(summary("certificate issuance (queue worker: read, claim, sign, QR, PDF, S3, complete)", issued,
                                ", ".join(f"{op} {n / len(issuing):g}" for op, n in calls.items())))
    return rows, {"write_units": write_units, "sizes": sizes}


def _old_qr_code(text: str):
    """Before the compiled encoder: segno, prefix in byte mode, digits in numeric mode, error correction
    L boosted (a faithful copy of the old chalicelib/services/certificate_pdf.qr_code)."""
    import segno

    prefix, digits = text[:text.index("/") + 1], text[text.index("/") + 1:]
    segments = [(prefix, segno.consts.MODE_BYTE), (digits, segno.consts.MODE_NUMERIC)]
    code = segno.make(segments, error="L", boost_error=True, micro=False)  # type: ignore[arg-type]
    if int(code.version) > 22:
        raise ValueError(f"certificate QR needs version {code.version}, above 22")
    return code


def _old_qr_png(qr_text: str) -> bytes:
    png = io.BytesIO()
    _old_qr_code(qr_text).save(png, kind="png", scale=4, border=4)
    return png.getvalue()


class _Png:
    """A PNG made beforehand, for the layout that embeds the QR as an image."""

    def __init__(self, png: bytes):
        self._png = png

    def png(self, scale: int = 4) -> bytes:
        return self._png


def _old_certificate_pdf(fields: dict, png: bytes, profile, language: str) -> bytes:
    """Before templates: the whole page laid out by fpdf2 for each certificate, the old render (kept as
    the fallback for text Helvetica cannot print)."""
    from chalicelib.services.certificate_pdf import _laid_out

    return _laid_out(fields, _Png(png), profile, language)  # type: ignore[arg-type]


def _qr_in_pdf(pdf: bytes) -> str:
    """The QR of a PDF's first page, rendered at 200 dpi and read by zxing-cpp ("" when none is found)."""
    import pypdfium2
    import zxingcpp

    image = pypdfium2.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return found[0].text if len(found) == 1 else ""


def _kms_sign_client_seconds(messages: list[bytes]) -> list[float]:
    """CPU seconds of THIS process per kms:Sign against moto served by another process: the client's
    share alone (boto3's serialising, SigV4, HTTP and parsing), what a Lambda spends on the call."""
    import socket

    import boto3
    from botocore.config import Config

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        kms = boto3.client("kms", region_name="ap-south-1", endpoint_url=f"http://127.0.0.1:{port}",
                           config=Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard",
                                                                                     "max_attempts": 3}))
        for _ in range(100):
            try:
                key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
                break
            except Exception:  # the server is still starting
                time.sleep(0.1)
        else:
            raise RuntimeError("moto's server did not start")
        kms.sign(KeyId=key_id, Message=messages[0], MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256")  # warm
        samples = []
        for message in messages:
            start = time.process_time()
            kms.sign(KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256")
            samples.append(time.process_time() - start)
        return samples
    finally:
        server.terminate()
        server.wait(timeout=10)


def certificate_steps(count: int = 100) -> tuple[list[dict], dict]:
    """Sign + QR + PDF of one certificate, OLD (segno, PNG, fpdf2 layout of the whole page) and NEW (libzint,
    a template filled by an incremental update) over the same certificates: CPU time of this process
    (time.process_time), so per core. Every PDF's QR is read back by zxing-cpp (outside the timing)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from moto import mock_aws

    from chalicelib import verifier
    from chalicelib.adapters import signing
    from chalicelib.domain import certificates as rules
    from chalicelib.services import certificate_pdf
    from local import embedded_aws

    subject = rules.Subject("12345678901234", "Asha Rao", 1990, "Female", "Aadhaar Card", "********1234")

    def facts(dose):
        return rules.DoseFacts(dose, "COVISHIELD", "Serum Institute of India", "4121Z025", 1795400000,
                               "2026-11-23", "Dr. Kavita Sharma", "Seven Hills Hospital", "Mumbai", "Maharashtra")

    content = rules.Content(subject, facts(2), 2, facts(1))
    devanagari = rules.Content(rules.Subject("12345678901234", "आशा राव", 1990, "Female", "Aadhaar Card",
                                             "********1234"), facts(2), 2, facts(1))
    profile = get_settings().country
    local_key = ec.generate_private_key(ec.SECP256R1())
    steps: dict[str, list[float]] = {name: [] for name in (
        "claims", "kms_sign", "local_sign", "old_qr", "old_pdf", "new_qr", "new_pdf", "new_pdf_hi", "fallback_pdf")}
    samples: list[tuple[str, bytes, bytes, bytes, bytes]] = []
    messages: list[bytes] = []
    versions: set[int] = set()
    clock = time.process_time
    with mock_aws(), contextlib.redirect_stdout(io.StringIO()):
        embedded_aws.provision()
        key = signing.signing_key()
        # imports, fonts and templates, once per container
        warm = rules.summary(rules.claims(content, "warm", 0, "i", "IN", "Indian", False))
        _old_certificate_pdf(warm, _old_qr_png(verifier.qr_text("a.b.c")), profile, "en_US")
        for language in ("en_US", "hi_IN"):
            certificate_pdf.render(warm, verifier.qr_text("a.b.c"), profile, language)
        signing.sign(b"warm", key)
        for n in range(count):
            certificate_id = f"00000000-0000-4000-8000-{n:012d}"
            start = clock()
            claims = rules.claims(content, certificate_id, 1795400100, "https://teeka.health/", "IN", "Indian", False)
            message = verifier.signing_input(claims, key.kid)
            built = clock()
            jws = verifier.compact(message, signing.sign(message, key))
            signed = clock()
            verifier.jose_signature(local_key.sign(message, ec.ECDSA(hashes.SHA256())))
            signed_locally = clock()
            text, fields = verifier.qr_text(jws), rules.summary(claims)
            png = _old_qr_png(text)
            old_drawn = clock()
            old_pdf = _old_certificate_pdf(fields, png, profile, "en_US")
            old_done = clock()
            symbol = certificate_pdf.qr_code(text)
            new_drawn = clock()
            new_pdf = certificate_pdf.render_symbol(fields, symbol, profile, "en_US")
            new_done = clock()
            hindi_pdf = certificate_pdf.render_symbol(fields, symbol, profile, "hi_IN")
            hindi_done = clock()
            fallback_fields = rules.summary(rules.claims(devanagari, certificate_id, 1795400100,
                                                         "https://teeka.health/", "IN", "Indian", False))
            fallback_start = clock()
            fallback_pdf = certificate_pdf.render_symbol(fallback_fields, symbol, profile, "en_US")
            fallback_done = clock()
            for name, seconds in (("claims", built - start), ("kms_sign", signed - built),
                                  ("local_sign", signed_locally - signed), ("old_qr", old_drawn - signed_locally),
                                  ("old_pdf", old_done - old_drawn), ("new_qr", new_drawn - old_done),
                                  ("new_pdf", new_done - new_drawn), ("new_pdf_hi", hindi_done - new_done),
                                  ("fallback_pdf", fallback_done - fallback_start)):
                steps[name].append(seconds)
            samples.append((text, old_pdf, new_pdf, hindi_pdf, fallback_pdf))
            messages.append(message)
            versions.add(symbol.version)
            if int(_old_qr_code(text).version) < symbol.version:
                raise AssertionError(f"libzint made version {symbol.version}, segno {_old_qr_code(text).version}")
    unread = [(n, kind) for n, (text, *pdfs) in enumerate(samples)
              for kind, pdf in zip(("old", "new", "new hi_IN", "fallback"), pdfs, strict=True)
              if _qr_in_pdf(pdf) != text]
    if unread:
        raise AssertionError(f"QR codes zxing-cpp did not read back as their text: {unread[:10]}")
    steps["kms_client"] = _kms_sign_client_seconds(messages)

    def per_second(*names: str) -> float:
        return count / sum(sum(steps[name]) for name in names)

    def shares(*names: str) -> dict[str, float]:
        total = sum(sum(steps[name]) for name in names)
        return {name: sum(steps[name]) / total for name in names}

    old = ("claims", "kms_sign", "old_qr", "old_pdf")
    new = ("claims", "kms_sign", "new_qr", "new_pdf")
    lambda_new = ("claims", "kms_client", "new_qr", "new_pdf")
    rows = [summary(f"certificate {label}: sign + QR + PDF, CPU of this process, no DynamoDB or S3",
                    [sum(parts) for parts in zip(*(steps[name] for name in names), strict=True)], "0")
            for label, names in (("OLD (kms:Sign on moto in-process, segno, fpdf2 layout)", old),
                                 ("NEW (kms:Sign on moto in-process, libzint, template)", new),
                                 ("NEW, Lambda's share (kms:Sign client only, libzint, template)", lambda_new))]
    return rows, {
        "per_step_ms": {name: statistics.median(samples_) * 1000 for name, samples_ in steps.items()},
        "per_second": {"old": per_second(*old), "new": per_second(*new), "new_lambda": per_second(*lambda_new),
                       "new_local_sign": per_second("claims", "local_sign", "new_qr", "new_pdf"),
                       "new_hi_IN": per_second(*new[:3], "new_pdf_hi"),
                       "new_fallback": per_second(*new[:3], "fallback_pdf")},
        "shares": {"old": shares(*old), "new": shares(*new), "new_lambda": shares(*lambda_new)},
        "pdf_bytes": {"old": len(samples[-1][1]), "new": len(samples[-1][2]), "new_hi_IN": len(samples[-1][3]),
                      "fallback": len(samples[-1][4])},
        "qr_versions": sorted(versions), "count": count, "read_back": len(samples) * 4,
    }


def certificate_lines(steps: dict) -> list[str]:
    """The certificate figures as the report prints them."""
    ms, rate, share = steps["per_step_ms"], steps["per_second"], steps["shares"]
    return [
        f"Certificate steps, CPU time of this process (per core), median ms over {steps['count']} dose-2 certificates "
        f"(QR versions {', '.join(map(str, steps['qr_versions']))}; all {steps['read_back']} PDFs' QR codes read back "
        "by zxing-cpp at 200 dpi):",
        f"- sign: claims and signing input {ms['claims']:.2f} ms; kms:Sign on moto in-process {ms['kms_sign']:.2f} ms "
        f"(moto's server side included), kms:Sign client side only {ms['kms_client']:.2f} ms (moto in another "
        f"process), ECDSA P-256 with `cryptography` {ms['local_sign']:.3f} ms.",
        f"- OLD, segno + PNG + fpdf2 layout: QR {ms['old_qr']:.2f} ms, PDF {ms['old_pdf']:.2f} ms; "
        f"**{rate['old']:.0f} certificates/s per core** (shares: "
        + ", ".join(f"{name} {value:.0%}" for name, value in share["old"].items()) + ").",
        f"- NEW, libzint + template and incremental update: QR {ms['new_qr']:.2f} ms, PDF {ms['new_pdf']:.2f} ms; "
        f"**{rate['new']:.0f} certificates/s per core** with kms:Sign on moto in-process (shares: "
        + ", ".join(f"{name} {value:.0%}" for name, value in share["new"].items())
        + f"), **{rate['new_lambda']:.0f}/s** counting kms:Sign's client side only, what a Lambda spends (shares: "
        + ", ".join(f"{name} {value:.0%}" for name, value in share["new_lambda"].items())
        + f"), {rate['new_local_sign']:.0f}/s signing with a local key.",
        f"- NEW in Hindi (template with pre-rendered Devanagari words): PDF {ms['new_pdf_hi']:.2f} ms, "
        f"{rate['new_hi_IN']:.0f}/s; a name in Devanagari (whole page laid out by fpdf2): PDF "
        f"{ms['fallback_pdf']:.2f} ms, {rate['new_fallback']:.0f}/s.",
        f"- PDF bytes: old {steps['pdf_bytes']['old']:,}, new {steps['pdf_bytes']['new']:,}, new in Hindi "
        f"{steps['pdf_bytes']['new_hi_IN']:,}, fallback {steps['pdf_bytes']['fallback']:,}.",
    ]


def alert_fanout(subscribers: int = 20_000, worker_batches: int = 5) -> tuple[list[dict], dict]:
    """One new session in a district where `subscribers` people wait: the stream handler's fan-out
    (read the district's subscriptions, queue them in batches) beside the bare Query of the same
    subscriptions; and the alerts workers (count each once and queue its SMS) on `worker_batches`
    batches, per subscriber: they run in parallel on AWS, and moto's UpdateItem parser alone costs
    ~15 ms an item here, so the whole sequence in one process would say nothing about AWS."""
    from datetime import UTC

    from moto import mock_aws

    from chalicelib.adapters import queues
    from chalicelib.adapters.aws import client
    from chalicelib.domain.calendar import local_date
    from chalicelib.services import alerts
    from chalicelib.store.alerts import SubscriptionItem
    from local import embedded_aws
    from local.metering import count_dynamodb_calls

    profile = get_settings().country
    with mock_aws(), contextlib.redirect_stdout(io.StringIO()):
        embedded_aws.provision()
        now = int(time.time())
        expires = datetime.fromtimestamp(now + 86400, tz=UTC)
        with SubscriptionItem.batch_write() as batch:
            for n in range(subscribers):
                batch.save(SubscriptionItem(f"7{n:09d}", 1, subscription_id=f"bench-{n:06d}", place="district#395",
                                            min_age_limit=18, dose=1, created_at=now, expires_at=expires))
        day = (local_date(profile, now) + timedelta(days=3)).isoformat()
        session = {"session_id": "bench", "date": day, "status": "ACTIVE", "district_id": 395, "pincode": 400059,
                   "name": "Seven Hills Hospital", "address": "Marol", "vaccine": "COVISHIELD", "fee_type": "Free",
                   "min_age_limit": 18, "capacity_dose1": 100, "booked_dose1": 0, "capacity_dose2": 0,
                   "booked_dose2": 0}
        bare = timed(lambda i: sum(1 for _ in SubscriptionItem.by_place.query("district#395")), 3)
        sqs, url = client("sqs"), queues.queue_url(queues.ALERTS)
        batches: list[dict] = []
        with count_dynamodb_calls() as stream_calls:
            start = time.perf_counter()
            matched = alerts.on_session_change(None, session, now, profile, time.monotonic() + alerts.FANOUT_SECONDS)
            while True:  # the stream handler's run, then the workers reading on where it stopped
                received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                if not received:
                    break
                for body in (json.loads(m["Body"]) for m in received):
                    if "place" in body:
                        matched += alerts.tell(body, now, profile)
                    else:
                        batches.append(body)
                sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                                for i, m in enumerate(received)])
            fanned = time.perf_counter() - start
        sample = batches[:worker_batches]
        with count_dynamodb_calls() as worker_calls:
            start = time.perf_counter()
            told = sum(alerts.tell(batch, now, profile) for batch in sample)
            telling = time.perf_counter() - start
    assert matched == subscribers == sum(len(batch["subscribers"]) for batch in batches), matched
    assert told == sum(len(batch["subscribers"]) for batch in sample), told
    rows = [
        summary(f"slot alert fan-out: {subscribers:,} subscribers read and queued (stream handler)", [fanned],
                ", ".join(f"{op} {n}" for op, n in stream_calls.items()), bare, per_request=False),
        summary(f"slot alert workers: {told:,} of them counted once and SMS queued ({len(sample)} batches, "
                "one process)", [telling], ", ".join(f"{op} {n / told:g} per subscriber"
                                                     for op, n in worker_calls.items()), per_request=False),
    ]
    return rows, {"subscribers": subscribers, "fanout_s": fanned, "per_subscriber_s": telling / told,
                  "batches": len(batches),
                  "queries": stream_calls.get("Query", 0), "bare_query_s": statistics.median(bare)}


def report_counting(doses: int = 2000, batch: int = 100) -> tuple[list[dict], dict]:
    """The public reports' counters: `doses` first and second doses spread over India's districts,
    counted as the stream delivers them (batches of `batch`, one transaction per up to 100 items)
    beside the path it replaces, one transaction per dose; then a report view of the country, a state
    and a district. Write units are estimated from the items' sizes as they stand at the end."""
    import random

    from moto import mock_aws

    from chalicelib.config import read_locations
    from chalicelib.domain import stats as rules
    from chalicelib.store import stats as store
    from chalicelib.store.stats import StatsItem
    from local import embedded_aws
    from local.metering import count_dynamodb_calls

    profile = get_settings().country
    places = [(d["state_id"], d["district_id"]) for d in read_locations(profile.locations_file)["districts"]]
    rng = random.Random(17)
    day, now = "2026-11-30", int(time.time())

    def countings(prefix: str) -> list:
        made = []
        for n in range(doses):
            state_id, district_id = rng.choice(places)
            site = district_id * 1000 + rng.randrange(50)
            fact = rules.DoseFact(day, rng.randrange(8, 18), state_id, district_id, site,
                                  rng.choice(["COVISHIELD", "COVAXIN"]), rng.choice([1, 1, 2]),
                                  rng.choice([b.key for b in profile.report_age_bands]), rng.randrange(1, 4))
            made.append(store.Counting(f"{prefix}-{n}", rules.dose_deltas(fact)))
        return made

    rows, figures = [], {}
    with mock_aws(), contextlib.redirect_stdout(io.StringIO()):
        embedded_aws.provision()
        for name, size in (("one transaction per dose (the path replaced)", 1), (f"stream batches of {batch}", batch)):
            StatsItem.delete_table()
            StatsItem.create_table(wait=True)
            made = countings(name[:3])
            written = [0]
            call = store._call
            store._call = partial(_counting_items, call, written)
            try:
                with count_dynamodb_calls() as calls:
                    start = time.perf_counter()
                    for first in range(0, doses, size):
                        store.apply(made[first:first + size], now)
                    took = time.perf_counter() - start
            finally:
                store._call = call
            writes = calls.get("TransactWriteItems", 0)
            rows.append(summary(f"report counters: {doses:,} doses, {name}", [took / doses] * doses,
                                f"TransactWriteItems {writes / doses:.2f}, items written {written[0] / doses:.2f}"
                                " per dose"))
            figures[size] = {"transactions": writes, "items_per_dose": written[0] / doses,
                             "largest_item_bytes": connection_items()}
        views = {}
        for label, area in (("country", rules.COUNTRY), ("a state", rules.state_area(places[0][0])),
                            ("a district", rules.district_area(places[0][1]))):
            with count_dynamodb_calls() as calls:
                samples = timed(lambda i, area=area: rules.Counts(store.rows(area, rules.first_day(day)), day), 5)
            rows.append(summary(f"report view of {label} (counters read and summed)", samples,
                                ", ".join(f"{op} {n / 5:g}" for op, n in calls.items())))
            views[label] = samples
    return rows, figures


def _counting_items(call, written: list[int], operation: str, **arguments):
    """The store's DynamoDB call, counting the items of each transaction (as DynamoDB bills them)."""
    written[0] += len(arguments.get("TransactItems", []))
    return call(operation, **arguments)


def connection_items() -> dict[str, int]:
    """The counters' table as it stands: each counter item's size in bytes, by area kind."""
    from chalicelib.store.common import connection
    from chalicelib.store.stats import StatsItem

    sizes: dict[str, list[int]] = {}
    request: dict = {"TableName": StatsItem.Meta.table_name}
    while True:
        page = connection(StatsItem).client.scan(**request)  # the benchmark's own look, never a request path
        for item in page["Items"]:
            kind = item["area"]["S"].split("#")[0]
            sizes.setdefault(kind, []).append(item_bytes(item))
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {kind: max(values) for kind, values in sizes.items()} | {
        "written": sum(len(values) for values in sizes.values())}


def _bookable_sessions(day, count: int, capacity: int = 1000) -> None:
    from chalicelib.domain.planning import Centre, SessionPlan, Slot
    from chalicelib.store import planning as store

    centre = store.new_centre(1, Centre(name="Bench PHC", address="Bench Road", block_name="Ward 1", district_id=395,
                                        state_id=21, pincode=400001, lat=18.94, long=72.83, opens="09:00:00",
                                        closes="17:00:00", fee_type="Free"))
    store.load([], [store.new_session(f"bench-{n}", centre, SessionPlan(
        center_id=1, date=day, vaccine="COVISHIELD", min_age_limit=18, max_age_limit=None, allow_all_age=False,
        capacity_dose1=capacity, capacity_dose2=0, slots=(Slot("09:00AM-05:00PM", capacity),), fee="0"))
        for n in range(count)])
    # Where the pack tracks stock (India's does: docs/stock.md), every dose draws on a vial of its batch.
    from datetime import timedelta

    from chalicelib.domain.records import BatchRecord
    from chalicelib.store import stock

    stock.load([(BatchRecord(1, "4121Z025", "COVISHIELD", (day + timedelta(days=180)).isoformat(), 10, 395, 21, 0,
                             vials_received=-(-capacity * count // 10)), "bench")], {})


def _people(count: int, now: int) -> list[tuple[str, str]]:
    from chalicelib.services import registration
    from local.demo_ids import person

    people = []
    for n in range(count):
        mobile = f"97{n // 4:08d}"
        people.append((mobile, registration.register(mobile, person(10_000 + n), now, get_settings().country)))
    return people


def _token(client, mobile: str) -> str:
    from chalicelib.domain.otp import sha256_hex
    from local import carrier as local_carrier

    txn = client.http.post("/v2/auth/generateOTP", headers={"Content-Type": "application/json"},
                           body=json.dumps({"mobile": mobile})).json_body["txnId"]
    otp = local_carrier.messages_for(mobile)[-1]["message"].split(" is ")[1][:6]
    return client.http.post("/v2/auth/confirmOTP", headers={"Content-Type": "application/json"},
                            body=json.dumps({"otp": sha256_hex(otp), "txnId": txn})).json_body["token"]


def _fanout_note(f: dict) -> str:
    """What the measured fan-out means on AWS, with 100 alerts workers at once."""
    from chalicelib.store.alerts import PAGE

    per_subscriber = f["per_subscriber_s"]

    def last_sms_s(subscribers: int) -> float:  # fan-out, then the batches in rounds of 100 workers
        fanout = f["fanout_s"] * subscribers / f["subscribers"]
        rounds = -(-subscribers // 100 // 100)
        return fanout + rounds * 100 * per_subscriber

    return (f"Slot alerts, one new session and {f['subscribers']:,} matching subscribers in one district: the stream "
            f"handler read them in {f['queries']} Query pages and queued {f['batches']} batches of 100 in "
            f"{f['fanout_s']:.1f} s (the bare Query of the same subscriptions: {f['bare_query_s']:.1f} s); a worker "
            f"counted and queued each subscriber in {per_subscriber * 1000:.1f} ms (1 TransactWriteItems of 3 items "
            f"= 6 WCU, a tenth of an SQS batch; moto's expression parser is most of it). With 100 workers at once: "
            f"the last SMS queued ~{last_sms_s(f['subscribers']):.0f} s after the session's write. For 1,000,000 "
            f"subscribers: ~{1_000_000 // PAGE} Query pages (~{1_000_000 * 250 / 4096 / 2:,.0f} RCU), 10,000 batches, "
            f"~{last_sms_s(1_000_000) / 60:.0f} min to the last SMS queued, 6,000,000 WCU of counts; the SMS "
            "themselves then go at the carrier's rate (the account's SNS SMS quota), which bounds it first."
            )


def main() -> None:
    import argparse
    import platform

    parser = argparse.ArgumentParser(description="Teeka's benchmarks (all, into bench/results/report.md)")
    parser.add_argument("--only", choices=["reports", "certificates", "cold-start"],
                        help="run one benchmark and print it")
    only = parser.parse_args().only
    if only == "cold-start":
        print("\n".join(cold_start_lines(cold_start())))
        return
    if only == "reports":
        rows, figures = report_counting()
        for row in rows:
            print(f"{row['path']}: {row['calls']}, {row['median_ms']:.2f} ms")
        print(figures)
        return
    if only == "certificates":
        rows, steps = certificate_steps()
        for row in rows:
            print(f"{row['path']}: median {row['median_ms']:.2f} ms, {row['per_second']:.0f}/s")
        print("\n".join(certificate_lines(steps)))
        return
    # Each section takes a minute or more: say which one runs, so a long quiet wait is not a hang.
    cold = _section("cold start of the API function (prod stage)", cold_start)
    booking_rows, units = _section("booking paths", booking_paths)
    dose_rows, dose_units = _section("dose paths", dose_paths)
    certificate_rows, steps = _section("certificates, old and new", certificate_steps)
    alert_rows, fanout = _section("slot alert fan-out", alert_fanout)
    report_rows, counting = _section("report counting", report_counting)
    rows = (_section("login paths", login_paths) + booking_rows + dose_rows + certificate_rows + alert_rows
            + report_rows + _section("availability paths", availability_paths))
    lines = [
        "# Teeka benchmarks",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; in-process moto, warm container.",
        "",
        *cold_start_lines(cold),
        "",
        "| path | requests | DynamoDB calls per request | median ms | p99 ms | requests/s | ratio to bare DynamoDB |",
        "|---|---|---|---|---|---|---|",
        *(table_line(row) for row in rows),
    ]
    session_bytes, beneficiary_bytes, appointment_bytes = units["sizes"]
    lines += ["", f"Write units per booking of 1 beneficiary: **{units['write_units']} WCU** (transactional writes "
              f"cost 2 per KB of each item: session {session_bytes} B, beneficiary {beneficiary_bytes} B, appointment "
              f"{appointment_bytes} B); a family of n adds 4 per person: 2 + 4n.",
              "The surge worker's row is the time to drain the queue divided by the bookings (no per-request p99).",
              "", f"Write units per dose: **{dose_units['write_units']} WCU** (dose record {dose_units['sizes'][0]} B, "
              f"beneficiary {dose_units['sizes'][1]} B, session {dose_units['sizes'][2]} B, allowance count "
              f"{dose_units['sizes'][3]} B, certificate slot {dose_units['sizes'][4]} B; 2 per KB each, "
              "transactional); an offline record adds its capture item.",
              "", *certificate_lines(steps),
              "", _fanout_note(fanout),
              "", f"Public reports' counters: {counting[1]['items_per_dose']:.1f} items written per dose with one "
              f"transaction per dose, {counting[100]['items_per_dose']:.1f} with the stream's batches of 100 "
              f"({counting[100]['transactions']} transactions for 2,000 doses over every district); largest items "
              f"at the end (bytes): {counting[100]['largest_item_bytes']}. docs/dashboard.md turns these into write "
              "units per dose at a campaign's item sizes."]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten to {REPORT.relative_to(PROJECT_DIR)}")


if __name__ == "__main__":
    main()
