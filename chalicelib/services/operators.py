"""Operators of the 1075 helpline and of Common Service Centres (docs/assisted-registration.md), managed
by the area admins: added (or changed) within the admin's own area, switched off, and what they did
read back for a period. An operator's role and area reach their token at their next login.

DynamoDB calls: add = 1 UpdateItem (conditional: a new staff record, or an operator of the admin's
area); deactivate = 1 UpdateItem (conditional, the same); actions = 1 Query (the operator's records
in the period, a page per MB: a month of a busy operator's is about 6,000 small items, 1-2 MB).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import assisted, errors, inputs
from chalicelib.domain import vaccination as dose_rules
from chalicelib.domain.assisted import Area
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.roles import Principal, Role, StaffMember
from chalicelib.observability import logger
from chalicelib.services.metadata import district_states
from chalicelib.store import assisted as actions_store
from chalicelib.store import auth as staff_store

DESK_LENGTH = 60  # it goes into an SMS


def _optional_integer(body: Mapping[str, Any], name: str) -> int | None:
    return None if body.get(name) is None else inputs.integer(body, name)


def _admins_area(principal: Principal) -> Area | None:
    """Where the admin may manage operators: None for the national admin (everywhere)."""
    if Role.NATIONAL_ADMIN in principal.roles:
        return None
    if principal.scope.state_id is None:
        raise ApiError(errors.OUT_OF_SCOPE)
    return Area(principal.scope.state_id, principal.scope.district_id)


def view(operator: StaffMember) -> dict:
    return {"mobile": mask_mobile(operator.mobile), "name": operator.name, "desk": operator.desk,
            "state_id": operator.state_id, "district_id": operator.district_id, "active": operator.active}


def add(principal: Principal, body: Mapping[str, Any], profile: CountryProfile) -> dict:
    """Make a mobile an operator of a state, or of one district, within the admin's own area; an
    operator already of the admin's area is changed (name, desk, area) and active again."""
    mobile = inputs.mobile(body, "mobile", profile.mobile_pattern)
    name = inputs.person_name(inputs.field(body, "name"))
    desk = inputs.label(body, "desk", DESK_LENGTH)
    state_id, district_id = _optional_integer(body, "state_id"), _optional_integer(body, "district_id")
    if state_id is None and district_id is None:
        raise ApiError(errors.INPUT_MISSING, "Input parameter missing: state_id or district_id")
    area = assisted.area_of(district_states(profile), state_id, district_id)
    if area is None:
        raise ApiError(errors.INVALID_DISTRICT if district_id is not None else errors.INVALID_STATE)
    if not assisted.may_manage(principal, area):
        raise ApiError(errors.OUT_OF_SCOPE)
    if not staff_store.put_operator(mobile, name, desk, area, _admins_area(principal)):
        raise ApiError(errors.STAFF_ELSEWHERE, "This mobile is already staff: of a facility, of another role, or an "
                                               "operator of another area")
    logger.info("operator added", extra={"mobile": mask_mobile(mobile), "by": mask_mobile(principal.mobile)})
    return view(StaffMember(mobile, name, frozenset({Role.OPERATOR.value}), True, area.state_id, area.district_id,
                            desk=desk))


def deactivate(principal: Principal, body: Mapping[str, Any], profile: CountryProfile) -> dict:
    """Switch off an operator of the admin's area: their next login is a citizen's, and they can ask no
    citizen for consent from now on (what they were given lasts its few minutes at most)."""
    mobile = inputs.mobile(body, "mobile", profile.mobile_pattern)
    operator = staff_store.deactivate_operator(mobile, _admins_area(principal))
    if operator is None:
        raise ApiError(errors.OPERATOR_NOT_FOUND)
    logger.info("operator deactivated", extra={"mobile": mask_mobile(mobile), "by": mask_mobile(principal.mobile)})
    return view(operator)


def actions(principal: Principal, body: Mapping[str, Any], profile: CountryProfile) -> dict:
    """What an operator did in the admin's area over a period (at most 31 days): every consent and
    action, with the citizen (masked), the beneficiaries and appointments, and when. Actions done while
    the operator worked elsewhere are not the admin's to read, and are left out."""
    mobile = inputs.mobile(body, "mobile", profile.mobile_pattern)
    first = inputs.cowin_date(body.get("from") if isinstance(body.get("from"), str) else None, "from")
    last = inputs.cowin_date(body.get("to") if isinstance(body.get("to"), str) else None, "to")
    dose_rules.report_range(first, last)
    start, end = assisted.period(first, last, profile.time_zone)
    records = [record for record in actions_store.by_operator(mobile, start, end)
               if principal.covers(state_id=int(record.state_id),
                                   district_id=None if record.district_id is None else int(record.district_id))]
    rows = [{"at": dose_rules.iso_moment(int(record.done_at), profile), "action": record.action,
             "citizen": mask_mobile(record.citizen), "beneficiaries": list(record.beneficiaries),
             "appointment_id": record.appointment_id,
             "center_id": None if record.center_id is None else int(record.center_id),
             "consent_id": record.consent_id, "operator_name": record.operator_name, "desk": record.desk,
             "state_id": int(record.state_id),
             "district_id": None if record.district_id is None else int(record.district_id)} for record in records]
    counts = Counter(row["action"] for row in rows)
    return {"operator": mask_mobile(mobile), "from": format_cowin_date(first), "to": format_cowin_date(last),
            "counts": {action: counts.get(action, 0) for action in (assisted.CONSENT, *assisted.ACTIONS)},
            "actions": rows}
