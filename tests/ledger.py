"""What the tables hold, read straight from DynamoDB (the embedded AWS, or the in-process moto), and
the invariants every race and interleaving must leave: each session's seat counters equal the places
held in it, and each person holds at most one live appointment per dose, which their lock names."""
from __future__ import annotations

from collections import Counter

from boto3.dynamodb.types import TypeDeserializer

from chalicelib.config import get_settings

_deserialize = TypeDeserializer().deserialize


def _plain(item: dict) -> dict:
    return {name: _deserialize(value) for name, value in item.items()}


class Ledger:
    def __init__(self, dynamodb):
        self.dynamodb = dynamodb

    def _items(self, operation: str = "query", **request) -> list[dict]:
        pages = self.dynamodb.get_paginator(operation).paginate(**request)
        return [_plain(item) for page in pages for item in page["Items"]]

    def _get(self, table: str, key: dict) -> dict | None:
        item = self.dynamodb.get_item(TableName=get_settings().table_name(table), ConsistentRead=True,
                                      Key=key).get("Item")
        return None if item is None else _plain(item)

    def stored_session(self, session_id: str) -> dict:
        return self._get("sessions", {"session_id": {"S": session_id}})

    def beneficiary(self, ref: str) -> dict | None:
        return self._get("beneficiaries", {"beneficiary_reference_id": {"S": ref}})

    def places(self, session_id: str) -> list[dict]:
        return self._items(TableName=get_settings().table_name("appointments"), IndexName="by-session",
                           KeyConditionExpression="session_id = :s",
                           ExpressionAttributeValues={":s": {"S": session_id}})

    def appointments_of(self, ref: str) -> list[dict]:
        """Every appointment item of a beneficiary (a test-only Scan: the app never looks this way)."""
        return self._items("scan", TableName=get_settings().table_name("appointments"),
                           FilterExpression="beneficiary_reference_id = :r",
                           ExpressionAttributeValues={":r": {"S": ref}})

    def walk_ins(self, session_id: str) -> Counter:
        doses = self._items("scan", TableName=get_settings().table_name("doses"),
                            FilterExpression="session_id = :s AND walk_in = :t",
                            ExpressionAttributeValues={":s": {"S": session_id}, ":t": {"BOOL": True}})
        return Counter(int(d["dose"]) for d in doses)

    def assert_books_balance(self, *session_ids: str) -> None:
        """Each session's counters equal the places that hold a seat in it (booked or vaccinated), per
        dose and per slot, never negative and never above capacity."""
        for session_id in session_ids:
            session = self.stored_session(session_id)
            held = [p for p in self.places(session_id) if p["status"] in ("BOOKED", "COMPLETED")]
            walk_ins = self.walk_ins(session_id)
            for dose in (1, 2):
                booked = int(session[f"booked_dose{dose}"])
                assert booked == sum(int(p["dose"]) == dose for p in held) + walk_ins[dose], (session_id, dose)
                assert 0 <= booked <= int(session[f"capacity_dose{dose}"]), (session_id, dose)
            for slot in session["slots"]:
                assert int(slot["booked"]) == sum(p["slot"] == slot["name"] for p in held), (session_id, slot)
                assert 0 <= int(slot["booked"]) <= int(slot["capacity"]), (session_id, slot)

    def assert_person_consistent(self, ref: str) -> None:
        """A beneficiary holds at most one live appointment per dose, and its dose lock names it."""
        person_now = self.beneficiary(ref)
        live = [a for a in self.appointments_of(ref) if a["status"] == "BOOKED"]
        if person_now is None:
            assert live == [], ref
            return
        for dose in (1, 2):
            held = [(a["appointment_id"], a["session_id"], a["slot"]) for a in live if int(a["dose"]) == dose]
            lock = person_now.get(f"appointment_dose{dose}")
            assert ([(lock["appointment_id"], lock["session_id"], lock["slot"])] if lock else []) == held, ref
