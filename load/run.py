"""`make load`: the campaign's request mix (load/locustfile.py) against a local stack, then the invariants.

    make load                                      # 50 users for 60 s on a fresh local stack
    make load ARGS="--users 100 --duration 120"
    .venv/bin/python -m load.run --host http://127.0.0.1:8000 --dynamodb-endpoint http://127.0.0.1:PORT

Starts `python -m local.run` on free ports (as the end-to-end tests do), seeds what the mix needs (a centre
of its own with a vaccinator, today's session to vaccinate on and a few small sessions to fight over),
runs locust headless for a bounded time, prints the throughput, the error rate and p50/p99 per route,
then checks the invariants on the tables (load/invariants.py) and writes bench/results/load.md.
Exits 1 when an invariant fails or the error rate is above --max-error-rate. docs/load.md has the rest.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import requests

from load import invariants
from local.stack import local_stack

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "load" / "locustfile.py"
REPORT = ROOT / "bench" / "results" / "load.md"
INDIA = timezone(timedelta(hours=5, minutes=30))
STATE_ADMIN = "9000000002"  # the demo state admin of Maharashtra plans the load's centre in Pune
PUNE, PUNE_PINCODE = 363, 411005
SLOTS = ("09:00AM-01:00PM", "01:00PM-05:00PM")
VACCINE, BATCH, DOSES_PER_VIAL = "COVISHIELD", "LOAD-0001", 10
STOP_TIMEOUT_SECONDS = 10  # users finish the request they are in when the time is up


# -- the stage's data -------------------------------------------------------------------------------------

def dynamodb_client(endpoint: str | None):
    """The stage's DynamoDB: the embedded AWS at `endpoint`, or AWS itself (the ambient credentials)."""
    import boto3

    from chalicelib.config import get_settings

    if endpoint is None:
        return boto3.client("dynamodb", region_name=get_settings().region)
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=get_settings().region,
                        aws_access_key_id="local", aws_secret_access_key="local")


def outbox_login(url: str, mobile: str) -> dict[str, str]:
    """Staff OTP login through the local stack's SMS outbox (local/surge.py's)."""
    from local.surge import login

    return login(url, mobile)


# -- what the mix needs -------------------------------------------------------------------------------

def cowin_day(days_ahead: int) -> str:
    return (datetime.now(INDIA) + timedelta(days=days_ahead)).strftime("%d-%m-%Y")


def seed(url: str, admin: dict[str, str], booking_sessions: int = 3, seats: int = 4, dose_seats: int = 5000,
         vaccinator: str | None = None) -> dict:
    """A centre of the load's own in Pune (no other test or demo uses the district), with a vaccinator,
    today's session to vaccinate on (room for everyone) and `booking_sessions` small sessions on the
    following days (`seats` each, over two slots) that the citizens fight over. Returns the plan the
    locustfile reads (TEEKA_LOAD_PLAN)."""
    def post(path: str, body: dict) -> dict:
        answer = requests.post(f"{url}{path}", json=body, headers=admin, timeout=60)
        if answer.status_code not in (200, 201):
            raise RuntimeError(f"seeding the load: POST {path} answered {answer.status_code} {answer.text}")
        return answer.json() if answer.content else {}

    tag = "".join(random.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4))
    centre = post("/v2/admin/centers", {
        "name": f"Load Test Clinic {tag}", "address": "Shivajinagar, Pune", "block_name": "Shivajinagar",
        "district_id": PUNE, "pincode": str(PUNE_PINCODE), "lat": 18.53, "long": 73.85})["center_id"]
    vaccinator = vaccinator or f"6{random.randrange(10 ** 9):09d}"
    post(f"/v2/admin/centers/{centre}/staff", {"mobile": vaccinator, "name": f"Load Vaccinator {tag}",
                                               "role": "vaccinator"})
    # Where the country tracks stock (docs/stock.md), sessions are planned within it and every dose draws on a
    # vial of its batch: the centre receives the batch the doses name, enough for every seat.
    seats_planned = dose_seats + booking_sessions * seats
    received = requests.post(f"{url}/v2/stock/receipts", headers=admin, timeout=60, json={
        "center_id": centre, "vaccine": VACCINE, "batch": BATCH, "vials": -(-seats_planned // DOSES_PER_VIAL),
        "doses_per_vial": DOSES_PER_VIAL, "expiry_date": cowin_day(180)})
    if received.status_code != 201 and received.json().get("errorCode") != "STOCK0001":  # 0001: kept elsewhere
        raise RuntimeError(f"seeding the load: its stock answered {received.status_code} {received.text}")

    def session(days_ahead: int, capacity: int) -> dict:
        day = cowin_day(days_ahead)
        created = post("/v2/admin/sessions", {"center_id": centre, "date": day, "vaccine": VACCINE,
                                              "min_age_limit": 18, "capacity_dose1": capacity, "capacity_dose2": 0,
                                              "slots": list(SLOTS)})
        return {"session_id": created["session_id"], "date": day, "slots": list(SLOTS), "capacity": capacity}

    dose_session = session(0, dose_seats)
    post(f"/v2/admin/sessions/{dose_session['session_id']}/allocations", {"mobile": vaccinator})
    return {"center_id": centre, "district_id": PUNE, "pincode": PUNE_PINCODE, "vaccine": VACCINE, "batch": BATCH,
            "vaccinator": vaccinator, "dose_session": dose_session,
            "booking_sessions": [session(day, seats) for day in range(1, booking_sessions + 1)]}


# -- locust ---------------------------------------------------------------------------------------------

@dataclass
class Route:
    method: str
    name: str
    requests: int
    failures: int
    p50: float
    p99: float
    average: float


@dataclass
class Run:
    users: int
    elapsed: float  # seconds from the test's start to its stop, as the journal saw them
    routes: list[Route]
    total: Route
    journal: Path
    log: Path
    failures: list[tuple[str, str, str, int]] = field(default_factory=list)  # method, route, error, count
    said: list[str] = field(default_factory=list)
    load_average: tuple[float, float] = (0.0, 0.0)  # the machine's, over the minute before the start and the end

    def rps(self, route: Route) -> float:
        return route.requests / self.elapsed

    @property
    def error_rate(self) -> float:
        return self.total.failures / self.total.requests if self.total.requests else 1.0


def run_locust(url: str, plan: dict | None, out: Path, users: int = 50, spawn_rate: float = 10,
               duration: int = 60, vaccinators: int = 2, pace: float = 1.0, env: dict[str, str] | None = None) -> Run:
    """Locust headless, in its own process (it patches the standard library with gevent)."""
    out.mkdir(parents=True, exist_ok=True)
    journal, log = out / "journal.jsonl", out / "locust.log"
    journal.unlink(missing_ok=True)
    environment = {**os.environ, "TEEKA_LOAD_JOURNAL": str(journal), "TEEKA_LOAD_VACCINATORS": str(vaccinators),
                   "TEEKA_LOAD_PACE": str(pace),
                   **({"TEEKA_LOAD_PLAN": json.dumps(plan)} if plan else {}), **(env or {})}
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
               "-r", str(spawn_rate), "-t", f"{duration}s", "--host", url, "--csv", str(out / "locust"),
               "--html", str(out / "locust.html"), "--only-summary", "--stop-timeout", str(STOP_TIMEOUT_SECONDS),
               "--exit-code-on-error", "0", "--loglevel", "WARNING"]
    load_before = os.getloadavg()[0]
    with log.open("w") as output:
        finished = subprocess.run(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                  timeout=duration + STOP_TIMEOUT_SECONDS + 120, check=False)
    said = [line.removeprefix("[load] ") for line in log.read_text().splitlines() if line.startswith("[load] ")]
    if finished.returncode != 0 or not (out / "locust_stats.csv").exists():
        raise RuntimeError(f"locust failed (exit {finished.returncode}); its log: {log}\n{log.read_text()[-3000:]}")
    routes, total = _stats(out / "locust_stats.csv")
    moments = [event["at"] for event in map(json.loads, journal.read_text().splitlines())
               if event["e"] in ("start", "refusals")] if journal.exists() else []
    elapsed = max(moments) - min(moments) if len(moments) >= 2 else float(duration)
    return Run(users, elapsed, routes, total, journal, log, _failures(out / "locust_failures.csv"), said,
               (load_before, os.getloadavg()[0]))


def _stats(path: Path) -> tuple[list[Route], Route]:
    rows = []
    with path.open() as file:
        for row in csv.DictReader(file):
            rows.append(Route(row["Type"], row["Name"], int(row["Request Count"]), int(row["Failure Count"]),
                              _number(row["50%"]), _number(row["99%"]), float(row["Average Response Time"])))
    total = next(r for r in rows if r.name == "Aggregated")
    return sorted((r for r in rows if r.name != "Aggregated"), key=lambda r: -r.requests), total


def _number(text: str) -> float:
    return float(text) if text not in ("", "N/A") else float("nan")


def _failures(path: Path) -> list[tuple[str, str, str, int]]:
    if not path.exists():
        return []
    with path.open() as file:
        return [(row["Method"], row["Name"], row["Error"], int(row["Occurrences"])) for row in csv.DictReader(file)]


# -- the verdict ----------------------------------------------------------------------------------------

def check(dynamodb, run: Run, whole: bool = True) -> tuple[invariants.Journal, invariants.Verdict]:
    """The invariants after the run: on every session and person of the stage (`whole`, a stack of the
    load's own), or on those the load touched (a stage others use too)."""
    journal = invariants.read_journal([run.journal])
    time.sleep(1)  # a request the run's end cut off may still be finishing on the server
    return journal, verdict(dynamodb, journal, whole)


def verdict(dynamodb, journal: invariants.Journal, whole: bool) -> invariants.Verdict:
    if whole:
        return invariants.check(invariants.read_tables(dynamodb), journal)
    people = journal.people | {b.ref for b in journal.appointments.values()} | journal.unsure_people
    return invariants.check(invariants.read_scope(dynamodb, journal.sessions, people), journal, journal.sessions,
                            people)


def table(run: Run) -> str:
    lines = ["| route | requests | share | errors | req/s | p50 ms | p99 ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    for route in run.routes:
        lines.append(f"| {route.method} {route.name} | {route.requests} | {route.requests / run.total.requests:.1%} | "
                     f"{route.failures} | {run.rps(route):.1f} | {route.p50:.0f} | {route.p99:.0f} |")
    total = run.total
    lines.append(f"| **all** | **{total.requests}** | 100% | **{total.failures}** | **{run.rps(total):.1f}** | "
                 f"**{total.p50:.0f}** | **{total.p99:.0f}** |")
    return "\n".join(lines)


def refusals(journal: invariants.Journal) -> str:
    if not journal.refusals:
        return "none"
    return ", ".join(f"{where}: {count}" for where, count in journal.refusals.most_common())


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    from importlib.metadata import version  # never `import locust` here: it patches the standard library

    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, locust {version('locust')}; "
            "locust and the stack share its cores")


def report(run: Run, journal: invariants.Journal, verdict: invariants.Verdict | None, target: str,
           spawn_rate: float, max_error_rate: float) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    users = ", ".join(f"{count} {kind}s" for kind, count in journal.users.most_common())
    did = journal.events
    walk_ins = sum(bool(dose.get("walk_in")) for dose in journal.doses)
    errors = "\n".join(f"- {method} {name}: {error} ({count})" for method, name, error, count in run.failures)
    return f"""# Teeka load test

The campaign mix of `load/locustfile.py`, run by `python -m load.run` (`make load`); what it does and
checks: [docs/load.md](../../docs/load.md).

- Target: {target}.
- Users: {run.users}, spawned {spawn_rate:g}/s ({users}), for {run.elapsed:.0f} s.
- Date: {when}.
- Machine: {machine()}. Load average (1 min) {run.load_average[0]:.1f} before the run and
  {run.load_average[1]:.1f} after it: other work on the machine slows the stack down.

**Throughput {run.rps(run.total):.1f} requests/s, error rate {run.error_rate:.2%}** ({run.total.failures} of
{run.total.requests}; the limit is {max_error_rate:.2%}). Over all routes p50 {run.total.p50:.0f} ms, p99
{run.total.p99:.0f} ms (locust's percentiles, to 2 significant digits; a route with few requests has a rough p99).

{table(run)}

What the load did: {did["person"] - walk_ins} people registered, {did["booked"]} appointments booked,
{did["moved"]} moved, {did["cancelled"]} cancelled; {len(journal.doses) - walk_ins} booked people and {walk_ins}
walk-ins vaccinated.

Expected refusals (answered as designed, counted as successes): {refusals(journal)}.
{"" if not errors else chr(10) + "Errors:" + chr(10) + chr(10) + errors + chr(10)}
Invariants: {verdict.summary() if verdict else "not checked (no access to the stage's tables)"}.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    env = os.environ.get
    parser.add_argument("--users", type=int, default=int(env("TEEKA_LOAD_USERS", "50")))
    parser.add_argument("--spawn-rate", type=float, default=float(env("TEEKA_LOAD_SPAWN_RATE", "10")))
    parser.add_argument("--duration", type=int, default=int(env("TEEKA_LOAD_DURATION", "60")), help="seconds")
    parser.add_argument("--pace", type=float, default=float(env("TEEKA_LOAD_PACE", "1")),
                        help="a factor on every think time (0.5: each user sends twice as often)")
    parser.add_argument("--vaccinators", type=int, default=int(env("TEEKA_LOAD_VACCINATORS", "2")))
    parser.add_argument("--sessions", type=int, default=3, help="small sessions the citizens fight over")
    parser.add_argument("--seats", type=int, default=4, help="seats in each of them (half in each of 2 slots)")
    parser.add_argument("--max-error-rate", type=float, default=float(env("TEEKA_LOAD_MAX_ERROR_RATE", "1")),
                        help="percent of requests (5xx and unexpected answers) above which the run fails")
    parser.add_argument("--host", help="a running API (make run, or a deployed stage) instead of a new local stack")
    parser.add_argument("--plan", help="with --host: the plan (JSON file) to use instead of seeding one")
    parser.add_argument("--seed-only", action="store_true", help="with --host: seed, write the plan, and stop")
    parser.add_argument("--dynamodb-endpoint", help="with --host: the embedded AWS to check the invariants on")
    parser.add_argument("--aws", action="store_true", help="with --host: check the invariants on the stage's "
                        "tables in AWS (TEEKA_STAGE, TEEKA_COUNTRY and the ambient AWS credentials)")
    parser.add_argument("--out", default=str(ROOT / "build" / "load"), help="locust's CSV and HTML, the journal")
    parser.add_argument("--report", help="the markdown report ('' for none; default bench/results/load.md, or "
                        "load.md in --out with --host)")
    args = parser.parse_args(argv)
    if not args.host and (args.plan or args.seed_only or args.dynamodb_endpoint or args.aws):
        parser.error("--plan, --seed-only, --dynamodb-endpoint and --aws go with --host")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.report is None:
        args.report = str(out / "load.md" if args.host else REPORT)
    if args.host:
        return _measure(args, args.host.rstrip("/"), args.dynamodb_endpoint, whole=False,
                        target=f"{args.host}")
    print("Starting the local stack (python -m local.run) on free ports...", flush=True)
    with local_stack(out / "server.log") as (url, aws_url):
        return _measure(args, url, aws_url, whole=True, target="a fresh local stack (what `make run` starts: Chalice's "
                        "local server and the embedded AWS in one process)")


def _measure(args, url: str, dynamodb_endpoint: str | None, whole: bool, target: str) -> int:
    plan = _plan(args, url)
    if args.seed_only:
        print(f"The plan is in {Path(args.out) / 'plan.json'}: run again with --plan to use it.")
        return 0
    print(f"Running {args.users} users for {args.duration} s against {url} (locust's log: {args.out}/locust.log)...",
          flush=True)
    run = run_locust(url, plan, Path(args.out), args.users, args.spawn_rate, args.duration, args.vaccinators,
                     args.pace)
    for line in run.said:
        print(f"  {line}")
    can_check = dynamodb_endpoint is not None or args.aws
    journal, verdict = check(dynamodb_client(dynamodb_endpoint), run, whole) if can_check else (
        invariants.read_journal([run.journal]), None)
    text = report(run, journal, verdict, target, args.spawn_rate, args.max_error_rate / 100)
    print("\n" + text)
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(text)
        print(f"Written to {args.report}")
    failed = []
    if verdict is not None and not verdict.ok:
        failed.append("an invariant failed")
    if run.error_rate > args.max_error_rate / 100:
        failed.append(f"the error rate {run.error_rate:.2%} is above {args.max_error_rate / 100:.2%}")
    if failed:
        print(f"FAILED: {' and '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _plan(args, url: str) -> dict | None:
    if args.plan:
        return json.loads(Path(args.plan).read_text())
    token = os.environ.get("TEEKA_LOAD_ADMIN_TOKEN")
    admin: Callable[[], dict[str, str]] = (lambda: {"Authorization": f"Bearer {token.removeprefix('Bearer ')}"}) \
        if token else (lambda: outbox_login(url, STATE_ADMIN))
    if args.host and not token and not _has_outbox(url):
        print("No plan, no TEEKA_LOAD_ADMIN_TOKEN and no outbox: nothing is booked (docs/load.md).", flush=True)
        return None
    print("Seeding: a centre, its vaccinator, today's session and the contended sessions...", flush=True)
    plan = seed(url, admin(), args.sessions, args.seats, vaccinator=os.environ.get("TEEKA_LOAD_VACCINATOR_MOBILE"))
    (Path(args.out) / "plan.json").write_text(json.dumps(plan, indent=2))
    return plan


def _has_outbox(url: str) -> bool:
    try:
        return requests.get(f"{url}/_local/outbox", params={"mobile": STATE_ADMIN}, timeout=10).ok
    except requests.RequestException:
        return False


if __name__ == "__main__":
    sys.exit(main())
