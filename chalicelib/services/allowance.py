"""The vaccinators' allowance report: doses per vaccinator per day and per session, for a facility or a
district. DynamoDB calls: 1 GetItem (the centre, for a facility) + 1 Query of counts + 1 BatchGetItem
(staff names)."""
from __future__ import annotations

from collections.abc import Mapping

from chalicelib.config import CountryProfile
from chalicelib.domain import errors, inputs
from chalicelib.domain import vaccination as rules
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.masking import mask_mobile
from chalicelib.domain.roles import Principal
from chalicelib.services.metadata import district_states
from chalicelib.store import auth as staff_store
from chalicelib.store import planning as planning_store
from chalicelib.store import vaccination as store


def allowance_report(principal: Principal, query: Mapping[str, str], profile: CountryProfile) -> dict:
    """Doses per vaccinator per day and per session, for a facility or a district, over a range."""
    first = inputs.cowin_date(query.get("from"), "from")
    last = inputs.cowin_date(query.get("to"), "to")
    rules.report_range(first, last)
    scope = principal.scope
    center_id = inputs.integer(query, "center_id") if query.get("center_id") else \
        scope.facility_id if not query.get("district_id") else None
    if center_id is not None:
        centre = planning_store.get_centre(center_id)
        if centre is None:
            raise ApiError(errors.CENTER_NOT_FOUND)
        place = {"state_id": int(centre.state_id), "district_id": int(centre.district_id), "facility_id": center_id}
        counts = store.allowances_at(center_id, first.isoformat(), last.isoformat())
        where = {"center_id": center_id}
    else:
        district_id = inputs.integer(query, "district_id") if query.get("district_id") else scope.district_id
        if district_id is None:
            raise ApiError(errors.INPUT_MISSING, "Input parameter missing: center_id or district_id")
        place = {"district_id": int(district_id)}
        if scope.state_id is not None:
            place["state_id"] = _state_of(profile, int(district_id))
        counts = store.allowances_in(int(district_id), first.isoformat(), last.isoformat())
        where = {"district_id": int(district_id)}
    if not principal.covers(**place):
        raise ApiError(errors.OUT_OF_SCOPE)
    report = rules.allowance(rules.AllowanceCount(c.day, int(c.center_id), c.session_id, c.vaccinator, int(c.doses))
                             for c in counts)
    names = staff_store.names({row["vaccinator"] for row in report["per_vaccinator_day"]})
    for row in (*report["per_vaccinator_day"], *report["per_session"]):
        row["vaccinator_name"] = names.get(row["vaccinator"], "")
        row["date"] = format_cowin_date(row["date"])
        row["vaccinator"] = mask_mobile(row["vaccinator"])
    total = sum(row["doses"] for row in report["per_session"])
    return {**where, "from": format_cowin_date(first), "to": format_cowin_date(last),
            "total_doses": total, **report}


def _state_of(profile: CountryProfile, district_id: int) -> int:
    state = district_states(profile).get(district_id)
    if state is None:
        raise ApiError(errors.INVALID_DISTRICT)
    return state
