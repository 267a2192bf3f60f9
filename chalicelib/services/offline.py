"""Offline capture: records made on a device without connectivity, synced later in batches, each
with its own UUID; accepted, a duplicate (the original result comes back), or rejected with the reason.

DynamoDB calls for a batch of n: 1 BatchGetItem each for captures, beneficiaries, sessions and
allocations (per 100) + 1 TransactWriteItems per new record (+ 1 PutItem per rejected one).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import errors
from chalicelib.domain import vaccination as rules
from chalicelib.domain.errors import ApiError
from chalicelib.domain.roles import Principal, Role
from chalicelib.observability import metrics
from chalicelib.services import doses, views
from chalicelib.services.site import require_allocated
from chalicelib.store import registration as registration_store
from chalicelib.store import vaccination as store
from chalicelib.store.vaccination import ACCEPTED, REJECTED


def sync_offline(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """Records captured on a device without connectivity, each with its own UUID. Each is accepted
    (recorded now), a duplicate (its UUID was synced before: the original result comes back), or
    rejected with the reason. Safe to resend whole: a batch cut short is finished by the retry."""
    raw = body.get("records")
    if not isinstance(raw, list) or not 1 <= len(raw) <= rules.MAX_BATCH_RECORDS:
        raise ApiError(errors.OFFLINE_BATCH_INVALID)
    oldest = now - profile.offline_capture_window_hours * 3600
    parsed: list[tuple[rules.Capture | None, rules.DoseRequest | None, ApiError | None]] = []
    for entry in raw:
        capture = request = None
        try:
            if not isinstance(entry, dict):
                raise ApiError(errors.INVALID_INPUT, "A record must be a JSON object")
            capture = rules.parse_capture(entry, profile)
            request = rules.parse_dose_request(entry, profile, default_time=capture.captured_at)
            rules.check_time(capture.captured_at, now, oldest, profile, "captured_at")
            rules.check_time(request.given_at, now, oldest, profile, "given_at")
            parsed.append((capture, request, None))
        except ApiError as error:
            parsed.append((capture, request, error))
    known = store.captures([c.record_uuid for c, _, _ in parsed if c is not None])
    fresh = [(c, r) for c, r, e in parsed if e is None and c is not None and r is not None
             and c.record_uuid not in known]
    people = registration_store.get_many([r.beneficiary_reference_id for _, r in fresh])
    sessions, roles = store.sessions_and_allocations([(r.session_id, c.vaccinator) for c, r in fresh])
    allocated = {pair for pair, role in roles.items() if role == Role.VACCINATOR}

    def work() -> dict:
        results: list[dict] = []
        settled: dict[str, dict] = {}  # UUID -> result, within this batch
        for index, (capture, request, error) in enumerate(parsed):
            if capture is None:
                assert error is not None  # a record without a capture is one that could not be read
                results.append({"index": index, "uuid": None, "status": REJECTED, "errorCode": error.error.code,
                                "error": error.message})
                continue
            if capture.record_uuid in settled or capture.record_uuid in known:
                original = settled.get(capture.record_uuid) or views.capture_result(known[capture.record_uuid], profile)
                results.append({"index": index, "uuid": capture.record_uuid, "status": "duplicate",
                                "original": original})
                continue
            outcome = _sync_one(principal, capture, request, error, sessions, allocated, people, now, profile)
            settled[capture.record_uuid] = outcome.get("original", outcome)
            results.append({"index": index, "uuid": capture.record_uuid, **outcome})
        counts = {status: sum(r["status"] == status for r in results) for status in (ACCEPTED, "duplicate", REJECTED)}
        metrics.add_metric(name="OfflineRecordsAccepted", unit="Count", value=counts[ACCEPTED])
        return {"records": results, **counts}

    return doses.guarded(work)


def _sync_one(principal: Principal, capture: rules.Capture, request: rules.DoseRequest | None,
              error: ApiError | None, sessions: dict, allocated: set, people: dict, now: int,
              profile: CountryProfile) -> dict:
    """One fresh record: recorded (with its capture item, atomically), or its rejection kept."""
    if error is None:
        assert request is not None  # a record that parsed has its dose request
        try:
            session = require_allocated(principal, sessions.get(request.session_id),
                                        (request.session_id, capture.vaccinator) in allocated)
            item = doses.record(request, session, people.get(request.beneficiary_reference_id), capture.vaccinator,
                                principal.mobile, now, profile, capture)
            return {"status": ACCEPTED, "beneficiary_reference_id": item.beneficiary_reference_id,
                    "dose": int(item.dose), "record_id": item.record_id, "synced_at": views.moment(now, profile)}
        except doses.Duplicate:
            return _replayed(capture.record_uuid, profile)
        except ApiError as refused:
            error = refused
    if not store.save_rejection(store.new_capture(capture, request, REJECTED, principal.mobile, now,
                                                  error_code=error.error.code, error=error.message)):
        return _replayed(capture.record_uuid, profile)
    return {"status": REJECTED, "errorCode": error.error.code, "error": error.message,
            "beneficiary_reference_id": request.beneficiary_reference_id if request else None,
            "dose": request.dose if request else None}


def _replayed(record_uuid: str, profile: CountryProfile) -> dict:
    """Another request with this UUID got there first: its result is the original."""
    original = store.capture(record_uuid)
    assert original is not None  # it was written by the request that got there first
    return {"status": "duplicate", "original": views.capture_result(original, profile)}
