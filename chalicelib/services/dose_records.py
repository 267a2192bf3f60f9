"""After the dose: a person's doses as recorded, corrections (which supersede a dose's batch or time;
the record itself is never edited) and adverse events following immunization (AEFI).

DynamoDB calls: a person's doses = GetItem (the person, for reach) + BatchGetItem for site staff +
Query (the doses); correction = 1 Query (the dose's history) + 1 TransactWriteItems (the correction
and its certificate's due mark); AEFI = 1 Query + 1 PutItem.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import booking as booking_rules
from chalicelib.domain import errors
from chalicelib.domain import vaccination as rules
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.records import DoseRecord
from chalicelib.domain.roles import Principal
from chalicelib.observability import logger, metrics
from chalicelib.services import views
from chalicelib.services.site import in_reach
from chalicelib.store import registration as registration_store
from chalicelib.store import vaccination as store
from chalicelib.store.vaccination import CORRECTION, DOSE


def _dose_history(principal: Principal, body: Mapping[str, Any],
                  profile: CountryProfile) -> tuple[DoseRecord, list[DoseRecord]]:
    """The dose a correction or an AEFI report is about (beneficiary_reference_id, dose): its record and
    its corrections, oldest first; only within the caller's scope."""
    entries = store.history(rules.parse_reference_id(body, profile), booking_rules.parse_dose(body))
    record = next((e for e in entries if e.kind == DOSE), None)
    if record is None:
        raise ApiError(errors.DOSE_NOT_FOUND)
    if not principal.covers_centre(record):
        raise ApiError(errors.OUT_OF_SCOPE)
    return record, [e for e in entries if e.kind == CORRECTION]


def doses_of(principal: Principal, query: Mapping[str, str], profile: CountryProfile) -> list[dict]:
    """A beneficiary's doses with their corrections (staff view, masked), for staff within reach of them."""
    reference_id = rules.parse_reference_id(query, profile)
    person = registration_store.get(reference_id)
    if person is None or not in_reach(principal, [person]):
        raise ApiError(errors.OUT_OF_SCOPE)
    entries = store.history(reference_id)
    shown = []
    for record in (e for e in entries if e.kind == DOSE):
        fixes = [e for e in entries if e.kind == CORRECTION and int(e.dose) == int(record.dose)]
        shown.append(views.dose(record, fixes, profile))
    return shown


def correct_dose(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """A correction record supersedes the dose's batch or time; the record itself is never edited."""
    correction = rules.parse_correction(body, profile)
    record, fixes = _dose_history(principal, body, profile)
    current = fixes[-1] if fixes else record
    given_at = correction.given_at if correction.given_at is not None else int(current.given_at)
    if rules.local_day(given_at, profile).isoformat() != record.given_on or given_at > now + profile.clock_skew_seconds:
        raise ApiError(errors.INVALID_CORRECTION, "A corrected time must be on the day the dose was given, "
                                                  "not in the future")
    item = store.new_correction(record, current, batch=correction.batch, given_at=given_at,
                                reason=correction.reason, recorded_by=principal.mobile, now=now)
    if not store.add_correction(item):
        raise ApiError(errors.VACCINATION_BUSY)
    return views.dose(record, [*fixes, item], profile)


def report_aefi(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    report = rules.parse_aefi(body, profile)
    record, fixes = _dose_history(principal, body, profile)
    given_at = int((fixes[-1] if fixes else record).given_at)
    rules.check_time(report.onset_at, now, given_at - profile.clock_skew_seconds, profile, "onset_at")
    reference_id, dose = record.beneficiary_reference_id, int(record.dose)
    item = store.new_aefi(record, report, principal.mobile, now)
    store.save_aefi(item)
    metrics.add_metric(name=f"Aefi{report.severity.capitalize()}", unit="Count", value=1)
    if report.severity == "serious":
        logger.warning("serious AEFI reported", extra={"report_id": item.report_id, "center_id": item.center_id})
    return {"report_id": item.report_id, "beneficiary_reference_id": reference_id, "dose": dose,
            "dose_record_id": record.record_id, "severity": report.severity, "symptoms": list(report.symptoms),
            "onset_at": views.moment(report.onset_at, profile), "description": report.description,
            "reporter": mask_mobile(principal.mobile), "reported_at": views.moment(now, profile)}
