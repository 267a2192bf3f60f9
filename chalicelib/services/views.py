"""How Teeka shows its records: CoWIN's shapes of a beneficiary and an appointment, and the staff's
view of a dose. Views only: they read what they are given (and the place names) and decide nothing."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain import beneficiaries as rules
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.domain.dose_history import Standing
from chalicelib.domain.masking import mask_id_number, mask_mobile
from chalicelib.domain.records import BeneficiaryRecord, CaptureRecord
from chalicelib.domain.vaccination import iso_moment
from chalicelib.services.metadata import place_names
from chalicelib.store.vaccination import REJECTED


def moment(instant: float | None, profile: CountryProfile) -> str | None:
    return None if instant is None else iso_moment(int(instant), profile)


def masked_id(person: BeneficiaryRecord) -> str:
    return mask_id_number(person.id_last4)


def appointment(summary: Mapping[str, Any], profile: CountryProfile) -> dict:
    """CoWIN's appointment entry in a BENEFICIARY."""
    names = place_names(profile, int(summary["state_id"]), int(summary["district_id"]))
    return {"appointment_id": summary["appointment_id"], "center_id": int(summary["center_id"]),
            "name": summary["name"], "state_name": names["state_name"], "district_name": names["district_name"],
            "block_name": summary["block_name"], "from": summary["from"], "to": summary["to"],
            "dose": int(summary["dose"]), "session_id": summary["session_id"],
            "date": format_cowin_date(summary["date"]), "slot": summary["slot"]}


def beneficiary(person: BeneficiaryRecord, profile: CountryProfile) -> dict:
    """CoWIN's BENEFICIARY shape: identifiers masked, dates `DD-MM-YYYY` or `""`."""
    vaccine = profile.vaccine(person.vaccine) if person.vaccine else None
    return {
        "beneficiary_reference_id": person.beneficiary_reference_id,
        "name": person.name,
        "birth_year": str(int(person.birth_year)),
        "gender": profile.gender_name(int(person.gender_id)),
        "mobile_number": mask_mobile(person.mobile),
        "photo_id_type": profile.id_type_name(int(person.photo_id_type)),
        "photo_id_number": masked_id(person),
        "comorbidity_ind": person.comorbidity_ind,
        "vaccination_status": rules.vaccination_status(int(person.doses_given),
                                                       vaccine.total_doses if vaccine else None),
        "vaccine": person.vaccine or "",
        "dose1_date": format_cowin_date(person.dose1_date),
        "dose2_date": format_cowin_date(person.dose2_date),
        # The dose after the primary series (docs/programmes.md): its date and vaccine, or "".
        "precaution_dose_date": format_cowin_date(getattr(person, f"dose{vaccine.total_doses + 1}_date"))
        if vaccine and int(person.doses_given) > vaccine.total_doses else "",
        "precaution_vaccine": person.precaution_vaccine or "",
        "id_verified": bool(person.id_verified),
        "appointments": [appointment(summary, profile) for summary in
                         (person.appointment_dose1, person.appointment_dose2, person.appointment_dose3)
                         if summary is not None],
    }


def dose(dose: Standing, profile: CountryProfile) -> dict:
    """A dose as it stands, with the corrections that superseded its batch, time, day or vaccine (latest wins)."""
    record, current, corrections = dose.record, dose.current, dose.corrections
    batch, given_at = current.batch, int(current.given_at)
    site = record.site()
    return {
        "record_id": record.record_id, "beneficiary_reference_id": record.beneficiary_reference_id,
        "dose": int(record.dose), "vaccine": current.vaccine, "batch": batch, "given_at": moment(given_at, profile),
        "session_id": site.session_id, "center_id": site.center_id, "center_name": site.center_name,
        "vaccinator": mask_mobile(site.vaccinator), "verifier": mask_mobile(site.verifier),
        "appointment_id": record.appointment_id, "walk_in": bool(record.walk_in), "source": record.source,
        "recorded_at": moment(record.recorded_at, profile), "captured_at": moment(record.captured_at, profile),
        "vial": record.vial,
        "corrections": [{"record_id": c.record_id, "reason": c.reason, "batch": c.batch,
                         "given_at": moment(c.given_at, profile), "corrected_by": mask_mobile(c.recorded_by),
                         "corrected_at": moment(c.recorded_at, profile)} for c in corrections],
    }


def capture_result(item: CaptureRecord, profile: CountryProfile) -> dict:
    """What became of an offline record, as its replays answer it."""
    result = {"status": item.status, "beneficiary_reference_id": item.beneficiary_reference_id,
              "dose": None if item.dose is None else int(item.dose), "record_id": item.record_id,
              "synced_at": moment(item.synced_at, profile)}
    if item.status == REJECTED:
        result.update(errorCode=item.error_code, error=item.error)
    return result
