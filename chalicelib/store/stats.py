"""The public reports' counters: one table, items keyed by area and period, numbers in named cells.

Exactly once: every counted event (a dose record, a correction, a session change) puts its own marker
item `applied#<event id>` in the same transaction as its counters, only if absent. A redelivered stream
batch finds its markers and adds nothing; markers expire after the streams' 24 hours of retention. A
stream batch's events share one transaction (up to 100 items), so its doses share their counter writes.

Hot keys: an area's counters are split over SHARDS partition keys (`<area>#<shard>`: `country#3`,
`state#21#3`, `district#395#3`), the period (a day, `all`, a district's site slice) being the sort key.
DynamoDB's per-partition limit (1,000 write units a second) applies to a partition key, so the shard must
be in it: each transaction writes to one shard chosen at random, and an area's writes spread over SHARDS
partitions (a conflict is retried on another shard). A reader sums the shards: one Query per shard
(`rows`: a report reads every day from a week back on, and sessions are planned for days to come, so
its keys are not known), or one BatchGetItem when they are (`day_rows`: a day's own items).

Counters are written with DynamoDB's raw API: their cell names are data (a vaccine, a district id), which
PynamoDB's declared attributes cannot name.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.store.base import TeekaModel, table_meta
from chalicelib.store.common import connection

SHARDS = 8  # partitions per area: the busiest state's 1,899 write units/s at the dose day's peak become ~237 each
MAX_ITEMS = 100  # DynamoDB's limit per transaction
MARKER_SECONDS = 2 * 24 * 3600  # longer than a stream keeps a record (24 h): no redelivery outlives it
CONFLICT_RETRIES = 8
READ_RETRIES = 8  # BatchGetItem may leave keys unprocessed (throttling): read them again, backing off


class StatsItem(TeekaModel):
    """The key of the counters' table (cells are undeclared number attributes); markers and a site's
    guards (its active sessions that day and ever: attribute `sessions`) live here too."""

    Meta = table_meta("stats")
    # country#<shard> | state#<id>#<shard> | district#<id>#<shard> | center#<id>#<district>#<fee> | applied#<event>
    area = UnicodeAttribute(hash_key=True)
    period = UnicodeAttribute(range_key=True)  # <ISO day> | all | <ISO day>~<slice> | all~<slice> | - (a marker)
    sessions = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # markers expire (written as epoch seconds)


@dataclass(frozen=True)
class Counting:
    """One event's changes: (area, period) -> cell -> how much to add. An event whose cells depend on
    counts it changes too (a site is counted while it holds a session) names its guard: `guard_area`'s
    `sessions` at each of `guard_periods` change by `guard_change`, and `guarded(values before)` gives
    its cells."""

    event_id: str
    cells: Mapping[tuple[str, str], Mapping[str, int]] = field(default_factory=dict)
    guard_area: str = ""
    guard_periods: tuple[str, ...] = ()
    guard_change: int = 0
    guarded: Callable[[list[int]], Mapping[tuple[str, str], Mapping[str, int]]] | None = None

    def guards(self) -> list[tuple[str, str]]:
        return [(self.guard_area, period) for period in self.guard_periods]

    def counter_keys(self) -> set[tuple[str, str]]:
        """The counter items it writes (a guarded event writes the same items whatever the guards hold)."""
        keys = set(self.cells)
        if self.guarded is not None:
            keys |= set(self.guarded([0] * len(self.guard_periods)))
        return keys


def _call(operation: str, **arguments: Any) -> dict:
    """A raw DynamoDB call through the table's PynamoDB connection (its warm client, its metering)."""
    return connection(StatsItem).dispatch(operation, arguments)


def _cancellations(error: ClientError) -> list[str]:
    """Why each item of a cancelled transaction refused ("None" for the ones that did not)."""
    if error.response["Error"]["Code"] != "TransactionCanceledException":
        raise error
    return [reason.code if reason is not None else "None" for reason in getattr(error, "cancellation_reasons", [])]


def _table() -> str:
    return StatsItem.Meta.table_name


def _key(area: str, period: str) -> dict:
    return {"area": {"S": area}, "period": {"S": period}}


def sharded(area: str, shard: int) -> str:
    """The partition key of one shard of an area's counters."""
    return f"{area}#{shard}"


def _marker(event_id: str, now: int) -> dict:
    return {"Put": {"TableName": _table(), "ConditionExpression": "attribute_not_exists(area)",
                    "Item": {**_key(f"applied#{event_id}", "-"), "expires_at": {"N": str(now + MARKER_SECONDS)}}}}


def _add(area: str, period: str, cells: Mapping[str, int]) -> dict:
    names = {f"#c{i}": cell for i, cell in enumerate(cells)}
    return {"Update": {"TableName": _table(), "Key": _key(area, period),
                       "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(cells))),
                       "ExpressionAttributeNames": names,
                       "ExpressionAttributeValues": {f":c{i}": {"N": str(n)} for i, n in enumerate(cells.values())}}}


def _guard(area: str, period: str, before: int, after: int) -> dict:
    """Set a guard to `after` only if it still holds `before`, as read."""
    return {"Update": {"TableName": _table(), "Key": _key(area, period), "UpdateExpression": "SET sessions = :after",
                       "ConditionExpression": "attribute_not_exists(sessions) OR sessions = :before" if before == 0
                       else "sessions = :before",
                       "ExpressionAttributeValues": {":after": {"N": str(after)}, ":before": {"N": str(before)}}}}


def _chunks(countings: Sequence[Counting]) -> list[list[Counting]]:
    """Countings in groups whose markers, guards and counter items fit in one transaction."""
    chunks: list[list[Counting]] = []
    chunk: list[Counting] = []
    items: set[tuple[str, str]] = set()
    for counting in countings:
        grown = items | counting.counter_keys() | set(counting.guards())
        if chunk and len(chunk) + 1 + len(grown) > MAX_ITEMS:
            chunks.append(chunk)
            chunk, grown = [], counting.counter_keys() | set(counting.guards())
        chunk.append(counting)
        items = grown
    if chunk:
        chunks.append(chunk)
    return chunks


def _read_guards(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if not keys:
        return {}
    answer = _call("BatchGetItem", RequestItems={_table(): {
        "Keys": [_key(area, period) for area, period in keys], "ConsistentRead": True,
        "ProjectionExpression": "area, period, sessions"}})
    found = {(item["area"]["S"], item["period"]["S"]): int(item.get("sessions", {}).get("N", "0"))
             for item in answer["Responses"].get(_table(), [])}
    return {key: found.get(key, 0) for key in keys}


def _writes(chunk: Sequence[Counting], now: int, shard: int) -> list[dict]:
    """The chunk's transaction: markers first (in the chunk's order), then guards, then counters (on
    `shard` of each area)."""
    guard_keys = list(dict.fromkeys(key for counting in chunk for key in counting.guards()))
    read = _read_guards(guard_keys)
    running = dict(read)
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for counting in chunk:
        parts = [counting.cells]
        if counting.guarded is not None:
            parts.append(counting.guarded([running[key] for key in counting.guards()]))
            for key in counting.guards():
                running[key] = max(running[key] + counting.guard_change, 0)
        for part in parts:
            for key, changes in part.items():
                into = cells.setdefault(key, {})
                for cell, n in changes.items():
                    into[cell] = into.get(cell, 0) + n
    writes = [_marker(counting.event_id, now) for counting in chunk]
    writes += [_guard(area, period, read[(area, period)], running[(area, period)]) for area, period in guard_keys]
    writes += [_add(sharded(area, shard), period, {c: n for c, n in changes.items() if n})
               for (area, period), changes in cells.items() if any(changes.values())]
    return writes


def apply(countings: Sequence[Counting], now: int) -> int:
    """Add every counting not added before; returns how many were added now. A marker that exists
    drops its counting (added before); a guard that changed since it was read, or a conflicting
    transaction, is read and tried again (on another shard)."""
    added = 0
    once: dict[str, Counting] = {}
    for counting in countings:  # one marker per event, even if a batch holds it twice
        once.setdefault(counting.event_id, counting)
    for chunk in _chunks(list(once.values())):
        pending = list(chunk)
        shard = random.randrange(SHARDS)
        for attempt in range(CONFLICT_RETRIES):
            try:
                _call("TransactWriteItems", TransactItems=_writes(pending, now, shard))
                added += len(pending)
                break
            except ClientError as error:
                reasons = _cancellations(error)
                done = {i for i, code in enumerate(reasons[:len(pending)]) if code == "ConditionalCheckFailed"}
                if not done and not {"ConditionalCheckFailed", "TransactionConflict"} & set(reasons):
                    raise
                pending = [counting for i, counting in enumerate(pending) if i not in done]
                if not pending:  # every one was added before
                    break
                if not done:  # a conflict: another writer on an item (or a guard changed): another shard
                    shard = (shard + random.randrange(1, SHARDS)) % SHARDS
                    time.sleep(random.uniform(0, 0.05 * (attempt + 1)))
        else:
            raise RuntimeError(f"stats: {len(pending)} countings still conflict after {CONFLICT_RETRIES} tries")
    return added


def _cells(item: Mapping[str, Any]) -> dict[str, int]:
    return {name: int(value["N"]) for name, value in item.items() if "N" in value and "|" in name}


def rows(area: str, from_day: str, until: str | None = None) -> list[tuple[str, dict[str, int]]]:
    """Every counter item of `area` from `from_day` on (until the day `until`, or on to its all-time
    items, past the days to come that sessions are planned for): (period, cells), a period once per shard.
    One Query per shard (SHARDS; a shard's 1 MB page holds a district's week and its site slices)."""
    found: list[tuple[str, dict[str, int]]] = []
    last = f"{until}~~" if until else "~"  # after a day's items and its slices ("~" sorts after them)
    for shard in range(SHARDS):
        request: dict[str, Any] = {
            "TableName": _table(), "KeyConditionExpression": "area = :area AND period BETWEEN :from AND :last",
            "ExpressionAttributeValues": {":area": {"S": sharded(area, shard)}, ":from": {"S": from_day},
                                          ":last": {"S": last}}}
        while True:
            page = _call("Query", **request)
            found += [(item["period"]["S"], _cells(item)) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found


def day_rows(area: str, day: str) -> list[tuple[str, dict[str, int]]]:
    """The area's own items of one day (not a district's site slices), every shard: SHARDS known keys,
    one BatchGetItem (again for any keys DynamoDB leaves unprocessed)."""
    keys = [_key(sharded(area, shard), day) for shard in range(SHARDS)]
    found: list[tuple[str, dict[str, int]]] = []
    for attempt in range(READ_RETRIES):
        answer = _call("BatchGetItem", RequestItems={_table(): {"Keys": keys}})
        found += [(item["period"]["S"], _cells(item)) for item in answer["Responses"].get(_table(), [])]
        keys = answer.get("UnprocessedKeys", {}).get(_table(), {}).get("Keys", [])
        if not keys:
            return found
        time.sleep(random.uniform(0, 0.05 * 2 ** attempt))
    raise RuntimeError(f"stats: {len(keys)} counter items of {area} on {day} unread after {READ_RETRIES} tries")
