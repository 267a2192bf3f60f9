"""What a load run must leave behind, checked on the stage's tables once it has stopped.

Read straight from DynamoDB (the local stack's embedded AWS, or a stage's own tables): whole tables on a
stack of the load's own, or only the load's sessions and people on a stage others use too:

- **No seat oversold, none lost**: for every session, per dose, the booked counter equals the places
  held in it (appointments booked or completed there, and walk-ins vaccinated there) and never exceeds
  the capacity; per slot likewise (tests/ledger.py checks the same after every race).
- **No dose lost or doubled**: every dose the API confirmed to the load (201 with a record id) is stored,
  under that record id, exactly once; no person holds two records of one dose; each person's
  `doses_given` equals the doses recorded; each completed appointment names the dose that completed it.
- **Each person consistent**: at most one live appointment per dose, and the person's dose lock names it.
- **Stock exact** (where the country tracks it, docs/stock.md): every vial opened at a session has given
  exactly the doses recorded against it there, never more than it holds (with those wasted at its close).
- **What the load was told is what is stored**: every appointment the load holds at the end (booked,
  moved, cancelled or vaccinated, as the API answered) is stored in that state, session and slot. An
  appointment whose last request got no clear answer (a timeout, a 5xx, the run's end) is left out.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from boto3.dynamodb.types import TypeDeserializer

from chalicelib.config import get_settings

HELD = ("BOOKED", "COMPLETED")
_deserialize = TypeDeserializer().deserialize


@dataclass
class Tables:
    sessions: dict[str, dict]
    appointments: list[dict]
    doses: list[dict]  # dose records only (kind "dose"): corrections are not doses
    beneficiaries: dict[str, dict]
    vials: list[dict] = field(default_factory=list)  # opened at the sessions (store/stock.py)


def read_tables(dynamodb) -> Tables:
    """The four tables as they are now, as plain Python values (a whole-table scan each)."""
    def scan(table: str) -> list[dict]:
        pages = dynamodb.get_paginator("scan").paginate(TableName=get_settings().table_name(table),
                                                        ConsistentRead=True)
        return [{name: _deserialize(value) for name, value in item.items()} for page in pages for item in page["Items"]]

    return Tables(sessions={s["session_id"]: s for s in scan("sessions")}, appointments=scan("appointments"),
                  doses=[d for d in scan("doses") if d.get("kind", "dose") == "dose"],
                  beneficiaries={b["beneficiary_reference_id"]: b for b in scan("beneficiaries")},
                  vials=scan("stock-vials"))


def read_scope(dynamodb, sessions: set[str], people: set[str]) -> Tables:
    """Only the given sessions and people, by key and index (no scan: for a stage others use too). It
    assumes what the load's own sessions are: every appointment of its people is in one of its sessions,
    and every walk-in at its sessions is one of its people (true of the sessions load.run seeds)."""
    settings = get_settings()

    def plain(item: dict) -> dict:
        return {name: _deserialize(value) for name, value in item.items()}

    def by_key(table: str, name: str, keys: set[str]) -> list[dict]:
        found, wanted = [], sorted(keys)
        for start in range(0, len(wanted), 100):
            request = {settings.table_name(table): {"Keys": [{name: {"S": key}} for key in wanted[start:start + 100]],
                                                    "ConsistentRead": True}}
            while request:
                answer = dynamodb.batch_get_item(RequestItems=request)
                found += [plain(item) for items in answer["Responses"].values() for item in items]
                request = answer.get("UnprocessedKeys") or {}
        return found

    def query(table: str, name: str, value: str, index: str | None = None) -> list[dict]:
        request = {"TableName": settings.table_name(table), "KeyConditionExpression": f"{name} = :v",
                   "ExpressionAttributeValues": {":v": {"S": value}}, **({"IndexName": index} if index else {})}
        pages = dynamodb.get_paginator("query").paginate(**request)
        return [plain(item) for page in pages for item in page["Items"]]

    appointments = [a for session_id in sorted(sessions)
                    for a in query("appointments", "session_id", session_id, "by-session")]
    doses = [d for ref in sorted(people) for d in query("doses", "beneficiary_reference_id", ref)]
    return Tables(sessions={s["session_id"]: s for s in by_key("sessions", "session_id", sessions)},
                  appointments=appointments, doses=[d for d in doses if d.get("kind", "dose") == "dose"],
                  beneficiaries={b["beneficiary_reference_id"]: b
                                 for b in by_key("beneficiaries", "beneficiary_reference_id", people)},
                  vials=[v for session_id in sorted(sessions) for v in query("stock-vials", "session_id", session_id)])


@dataclass
class Belief:
    """An appointment as the API's answers to the load left it."""

    ref: str
    status: str
    session: str
    slot: str
    unsure: bool = False


@dataclass
class Journal:
    """What the load did, read back from the journal files the locustfile wrote (load/locustfile.py)."""

    plan: dict | None = None
    people: set[str] = field(default_factory=set)
    doses: list[dict] = field(default_factory=list)
    appointments: dict[str, Belief] = field(default_factory=dict)
    unsure_people: set[str] = field(default_factory=set)
    refusals: Counter[str] = field(default_factory=Counter)
    users: Counter[str] = field(default_factory=Counter)  # how many of each kind locust started
    events: Counter[str] = field(default_factory=Counter)  # how many of each kind of event

    @property
    def sessions(self) -> set[str]:
        """The sessions the load booked or vaccinated on, and those of its plan."""
        planned = [self.plan["dose_session"], *self.plan["booking_sessions"]] if self.plan else []
        return ({s["session_id"] for s in planned} | {b.session for b in self.appointments.values()}
                | {d["session"] for d in self.doses})


def read_journal(paths: Iterable[Path]) -> Journal:
    journal = Journal()
    for path in paths:
        for line in Path(path).read_text().splitlines():
            event = json.loads(line)
            kind = event["e"]
            journal.events[kind] += 1
            belief = journal.appointments.get(event.get("appointment") or "")
            if kind == "start":
                journal.plan = journal.plan or event.get("plan")
            elif kind == "person":
                journal.people.add(event["ref"])
            elif kind == "booked":
                journal.appointments[event["appointment"]] = Belief(event["ref"], "BOOKED", event["session"],
                                                                    event["slot"])
            elif kind == "unsure":
                journal.unsure_people.add(event["ref"])
            elif kind == "refusals":
                journal.refusals.update(event["counts"])
            elif kind == "user":
                journal.users[event["kind"]] += 1
            elif belief is not None and kind == "try":
                belief.unsure = True
            elif belief is not None and kind == "kept":
                belief.unsure = False
            elif belief is not None and kind == "moved":
                belief.session, belief.slot, belief.unsure = event["session"], event["slot"], False
            elif belief is not None and kind == "cancelled":
                belief.status, belief.unsure = "CANCELLED", False
            if kind == "dose":
                journal.doses.append(event)
                if belief is not None:
                    belief.status, belief.unsure = "COMPLETED", False
    return journal


@dataclass
class Verdict:
    checked: dict[str, int]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counts = ", ".join(f"{count} {what}" for what, count in self.checked.items())
        if self.ok:
            return f"PASS ({counts})"
        shown = "\n".join(f"  - {problem}" for problem in self.problems[:30])
        more = f"\n  ... and {len(self.problems) - 30} more" if len(self.problems) > 30 else ""
        return f"FAIL: {len(self.problems)} problems ({counts})\n{shown}{more}"


def check(tables: Tables, journal: Journal, sessions: set[str] | None = None,
          people: set[str] | None = None) -> Verdict:
    """Every invariant, on the given sessions and people (all of them when None: a stack of its own)."""
    by_session: dict[str, list[dict]] = defaultdict(list)
    by_person: dict[str, list[dict]] = defaultdict(list)
    for appointment in tables.appointments:
        by_session[appointment["session_id"]].append(appointment)
        by_person[appointment["beneficiary_reference_id"]].append(appointment)
    doses_of: dict[str, list[dict]] = defaultdict(list)
    walk_ins: dict[str, Counter[int]] = defaultdict(Counter)
    for dose in tables.doses:
        doses_of[dose["beneficiary_reference_id"]].append(dose)
        if dose.get("walk_in"):
            walk_ins[dose.get("session_id") or ""][int(dose["dose"])] += 1
    session_ids = set(tables.sessions) if sessions is None else sessions
    refs = (set(tables.beneficiaries) | set(by_person) | set(doses_of)) if people is None else people
    problems = [*_seats(tables, session_ids, by_session, walk_ins), *_people(tables, refs, by_person, doses_of),
                *_told(tables, journal, by_person, doses_of), *_stock(tables, session_ids)]
    checked = {"sessions": len(session_ids), "people": len(refs), "doses confirmed to the load": len(journal.doses),
               "appointments held by the load": sum(not b.unsure for b in journal.appointments.values())}
    if not journal.events:
        problems.append("the journal is empty: the load did not run (VACUOUS)")
    elif (journal.users["citizen"] or journal.users["vaccinator"]) and not (
            checked["doses confirmed to the load"] or checked["appointments held by the load"]):
        problems.append("citizens or vaccinators ran, yet no dose or appointment was confirmed to check (VACUOUS)")
    return Verdict(checked, problems)


def _stock(tables: Tables, session_ids: set[str]) -> list[str]:
    """Each vial of the sessions gave exactly the doses recorded against it, within what it holds."""
    drawn = Counter((d.get("session_id"), d["vial"]) for d in tables.doses if d.get("vial"))
    problems = []
    for vial in tables.vials:
        if vial["session_id"] not in session_ids:
            continue
        vial_id, used, wasted = f"{vial['batch']}#{int(vial['number'])}", int(vial["used"]), int(vial["wasted"])
        if used != drawn[(vial["session_id"], vial_id)]:
            problems.append(f"vial {vial_id} at session {vial['session_id']}: used {used}, but "
                            f"{drawn[(vial['session_id'], vial_id)]} doses name it")
        if not 0 <= used <= used + wasted <= int(vial["doses"]):
            problems.append(f"vial {vial_id} at session {vial['session_id']}: OVERDRAWN, used {used} and wasted "
                            f"{wasted} of {int(vial['doses'])}")
    return problems


def _seats(tables: Tables, session_ids: set[str], by_session: dict[str, list[dict]],
           walk_ins: dict[str, Counter[int]]) -> list[str]:
    problems = []
    for session_id in sorted(session_ids):
        session = tables.sessions.get(session_id)
        if session is None:
            problems.append(f"session {session_id}: not stored")
            continue
        held = [a for a in by_session[session_id] if a["status"] in HELD]
        for dose in (1, 2):
            booked, capacity = int(session.get(f"booked_dose{dose}", 0)), int(session.get(f"capacity_dose{dose}", 0))
            places = sum(int(a["dose"]) == dose for a in held)
            if booked != places + walk_ins[session_id][dose]:
                problems.append(f"session {session_id} dose {dose}: counter says {booked} booked, but {places} "
                                f"appointments and {walk_ins[session_id][dose]} walk-ins hold a seat")
            if not 0 <= booked <= capacity:
                problems.append(f"session {session_id} dose {dose}: OVERSOLD, {booked} booked of {capacity}")
        for slot in session.get("slots", []):
            booked, capacity = int(slot["booked"]), int(slot["capacity"])
            places = sum(a["slot"] == slot["name"] for a in held)
            if booked != places:
                problems.append(f"session {session_id} slot {slot['name']}: counter says {booked}, {places} held")
            if not 0 <= booked <= capacity:
                problems.append(f"session {session_id} slot {slot['name']}: OVERSOLD, {booked} booked of {capacity}")
    return problems


def _people(tables: Tables, refs: set[str], by_person: dict[str, list[dict]],
            doses_of: dict[str, list[dict]]) -> list[str]:
    problems = []
    for ref in sorted(refs):
        person = tables.beneficiaries.get(ref)
        mine = by_person[ref]
        records = Counter(int(d["dose"]) for d in doses_of[ref])
        for dose, count in records.items():
            if count > 1:
                problems.append(f"person {ref}: {count} records of dose {dose} (DOUBLED)")
        if person is None:
            if any(a["status"] == "BOOKED" for a in mine) or records:
                problems.append(f"person {ref}: not stored, yet holds appointments or doses")
            continue
        if int(person.get("doses_given", 0)) != sum(records.values()) or sorted(records) != list(
                range(1, len(records) + 1)):
            problems.append(f"person {ref}: doses_given {person.get('doses_given', 0)}, but doses "
                            f"{sorted(records.elements())} recorded")
        record_ids = {d["record_id"] for d in doses_of[ref]}
        for dose in (1, 2):
            live = [(a["appointment_id"], a["session_id"], a["slot"]) for a in mine
                    if a["status"] == "BOOKED" and int(a["dose"]) == dose]
            lock = person.get(f"appointment_dose{dose}")
            locked = [(lock["appointment_id"], lock["session_id"], lock["slot"])] if lock else []
            if live != locked:
                problems.append(f"person {ref} dose {dose}: live appointments {live}, dose lock {locked}")
            completed = [a for a in mine if a["status"] == "COMPLETED" and int(a["dose"]) == dose]
            if len(completed) > 1:
                problems.append(f"person {ref} dose {dose}: {len(completed)} completed appointments")
            for appointment in completed:
                if appointment.get("dose_record_id") not in record_ids:
                    problems.append(f"person {ref}: appointment {appointment['appointment_id']} completed by dose "
                                    f"record {appointment.get('dose_record_id')}, which is not stored")
    return problems


def _told(tables: Tables, journal: Journal, by_person: dict[str, list[dict]],
          doses_of: dict[str, list[dict]]) -> list[str]:
    problems = []
    confirmed: Counter[tuple[str, int]] = Counter()
    for event in journal.doses:
        key = (event["ref"], int(event["dose"]))
        confirmed[key] += 1
        stored = [d for d in doses_of[event["ref"]] if int(d["dose"]) == key[1]]
        if not any(d["record_id"] == event["record_id"] for d in stored):
            problems.append(f"person {event['ref']}: dose {key[1]} confirmed as record {event['record_id']}, but "
                            f"{'not stored (LOST)' if not stored else 'stored as ' + stored[0]['record_id']}")
    for (ref, dose), count in confirmed.items():
        if count > 1:
            problems.append(f"person {ref}: dose {dose} confirmed {count} times (DOUBLED)")
    # The load's own people get no dose it was not told of (one whose request went unanswered aside).
    told: dict[str, set[str]] = defaultdict(set)
    for event in journal.doses:
        told[event["ref"]].add(event["record_id"])
    unsure = journal.unsure_people | {belief.ref for belief in journal.appointments.values() if belief.unsure}
    for ref in sorted(journal.people - unsure):
        for record in doses_of[ref]:
            if record["record_id"] not in told[ref]:
                problems.append(f"person {ref}: dose {record['dose']} stored as record {record['record_id']}, which "
                                "the load was never told of (DOUBLED)")
    for appointment_id, belief in journal.appointments.items():
        if belief.unsure:
            continue
        place = next((a for a in by_person[belief.ref] if a["appointment_id"] == appointment_id), None)
        if place is None:
            problems.append(f"appointment {appointment_id}: the load was told {belief.status}; not stored (LOST)")
            continue
        found: tuple = (place["status"], place["session_id"], place["slot"])
        wanted: tuple = (belief.status, belief.session, belief.slot)
        if belief.status == "CANCELLED":
            found, wanted = found[:1], wanted[:1]  # a cancelled place's session and slot no longer matter
        if found != wanted:
            problems.append(f"appointment {appointment_id}: the load was told {wanted}, stored {found}")
    return problems
