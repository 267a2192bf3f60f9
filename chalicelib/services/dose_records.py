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
from chalicelib.domain.dose_history import Standing, standing
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.roles import Principal
from chalicelib.observability import logger, metrics
from chalicelib.services import views
from chalicelib.services.site import in_reach
from chalicelib.store import registration as registration_store
from chalicelib.store import vaccination as store


def _dose_history(principal: Principal, body: Mapping[str, Any], profile: CountryProfile) -> Standing:
    """The dose a correction or an AEFI report is about (beneficiary_reference_id, dose), as it stands;
    only within the caller's scope."""
    dose = booking_rules.parse_dose(body)
    found = standing(store.history(rules.parse_reference_id(body, profile), dose)).get(dose)
    if found is None:
        raise ApiError(errors.DOSE_NOT_FOUND)
    if not principal.covers_centre(found.record):
        raise ApiError(errors.OUT_OF_SCOPE)
    return found


def doses_of(principal: Principal, query: Mapping[str, str], profile: CountryProfile) -> list[dict]:
    """A beneficiary's doses with their corrections (staff view, masked), for staff within reach of them."""
    reference_id = rules.parse_reference_id(query, profile)
    person = registration_store.get(reference_id)
    if person is None or not in_reach(principal, [person]):
        raise ApiError(errors.OUT_OF_SCOPE)
    return [views.dose(dose, profile) for dose in standing(store.history(reference_id)).values()]


def correct_dose(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    """A correction record supersedes the dose's batch or time; the record itself is never edited."""
    correction = rules.parse_correction(body, profile)
    dose = _dose_history(principal, body, profile)
    current = dose.current
    given_at = correction.given_at if correction.given_at is not None else int(current.given_at)
    day = rules.local_day(given_at, profile).isoformat()
    if day != current.given_on or given_at > now + profile.clock_skew_seconds:
        raise ApiError(errors.INVALID_CORRECTION, "A corrected time must be on the day the dose was given, "
                                                  "not in the future")
    item = store.new_correction(dose.record, current, batch=correction.batch, given_at=given_at,
                                reason=correction.reason, recorded_by=principal.mobile, now=now)
    if not store.add_correction(item):
        raise ApiError(errors.VACCINATION_BUSY)
    return views.dose(Standing(dose.record, item, (*dose.corrections, item)), profile)


def report_aefi(principal: Principal, body: Mapping[str, Any], now: int, profile: CountryProfile) -> dict:
    report = rules.parse_aefi(body, profile)
    given = _dose_history(principal, body, profile)
    record, given_at = given.record, int(given.current.given_at)
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
