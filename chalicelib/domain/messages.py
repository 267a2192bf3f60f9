"""Every SMS text Teeka sends, in one place.

A use case says what to tell a person (`Sms`: a template's name and its values, plain enough for a
queue); the text is chosen when it is sent, in the reader's language: each template is a gettext
message, English as written here, translated by the country pack's catalogue (docs/countries.md,
"Languages"). `make catalogues` extracts them (the `N_` and `Np_` marks) into every pack's .po file.
"""
from __future__ import annotations

import gettext
from dataclasses import asdict, dataclass
from typing import Any

from chalicelib.domain.calendar import format_cowin_date


def N_(text: str) -> str:
    """Marks a text for the catalogues; it is translated where it is rendered."""
    return text


def Np_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a text with a plural form (chosen by a count) for the catalogues."""
    return singular, plural


@dataclass(frozen=True)
class Template:
    text: str
    plural: str = ""  # the text when `count` is not one (each language has its own plural rules)
    count: str = ""  # the value that chooses between them
    translated: tuple[str, ...] = ()  # values that are catalogue texts themselves

    @classmethod
    def counting(cls, forms: tuple[str, str], count: str) -> Template:
        return cls(forms[0], forms[1], count)


@dataclass(frozen=True)
class Place:
    """Where and when an appointment is, as an SMS names it."""

    centre: str
    address: str
    day: str  # DD-MM-YYYY
    slot: str


@dataclass(frozen=True)
class Operator:
    """Who acted for a citizen (docs/assisted-registration.md), as their SMS names them."""

    name: str
    desk: str  # the helpline or service centre


@dataclass(frozen=True)
class Sms:
    template: str  # a key of TEMPLATES
    values: dict[str, Any]


KINDS = {"provisional": N_("provisional"), "final": N_("final")}

TEMPLATES = {
    "login_otp": Template(N_("Your OTP to log in to Teeka is {code}. It is valid for {minutes} minutes. "
                             "Do not share it with anyone.")),
    # The OTP comes first: it is what the citizen reads out to the operator.
    "consent_otp": Template(N_(
        "{code} is your Teeka OTP. Tell it to {operator} of {desk} only if you want them to register you and "
        "book or cancel your vaccination appointments, for {minutes} minutes.")),
    # A third party's KYC-VS request (docs/kycvs.md): the checker's name as a national admin registered it.
    "status_consent_otp": Template(N_(
        "Teeka: {verifier} asks to see your vaccination status. Give them code {code} only if you agree. "
        "It is valid for {minutes} minutes.")),
    "registered_by_operator": Template(N_(
        "Teeka: {operator} of {desk} registered beneficiary ****{reference} on your mobile number with your OTP.")),
    "booked_by_operator": Template.counting(Np_(
        "Teeka: {operator} of {desk} booked appointment {appointment_id}, dose {dose}, for {people} beneficiary "
        "at {centre}, {address} on {day}, {slot}. Security code: {code}.",
        "Teeka: {operator} of {desk} booked appointment {appointment_id}, dose {dose}, for {people} beneficiaries "
        "at {centre}, {address} on {day}, {slot}. Security code: {code}."), "people"),
    "cancelled_by_operator": Template.counting(Np_(
        "Teeka: {operator} of {desk} cancelled appointment {appointment_id} for {people} beneficiary.",
        "Teeka: {operator} of {desk} cancelled appointment {appointment_id} for {people} beneficiaries."),
        "people"),
    "booked": Template.counting(Np_(
        "Teeka: appointment {appointment_id} confirmed, dose {dose}, for {people} beneficiary at {centre}, "
        "{address} on {day}, {slot}. Security code: {code}.",
        "Teeka: appointment {appointment_id} confirmed, dose {dose}, for {people} beneficiaries at {centre}, "
        "{address} on {day}, {slot}. Security code: {code}."), "people"),
    "rescheduled": Template(N_("Teeka: appointment {appointment_id} is rescheduled to {centre}, {address} on "
                               "{day}, {slot}. Your security code is unchanged.")),
    "cancelled": Template.counting(Np_(
        "Teeka: appointment {appointment_id} is cancelled for {people} beneficiary.",
        "Teeka: appointment {appointment_id} is cancelled for {people} beneficiaries."), "people"),
    "session_cancelled_for_citizen": Template(N_(
        "Teeka: the session at {centre} on {day} is cancelled, and so is your appointment {appointment_id}. "
        "Please book another slot.")),
    "session_cancelled_for_staff": Template(N_(
        "Teeka: the {vaccine} session at {centre} on {day} is cancelled. You are no longer needed there.")),
    "allocated": Template(N_(
        "Teeka: you are allocated to the {vaccine} session at {centre}, {address} on {day}, {opens}-{closes}.")),
    "booking_rejected": Template(N_("Teeka: booking request {appointment_id} could not be completed: {reason}"),
                                 translated=("reason",)),
    "dose_given": Template(N_(
        "Teeka: dose {dose} of {vaccine} was given to beneficiary ****{reference} at {centre} on {day} "
        "(batch {batch}).")),
    "dose_corrected": Template(N_(
        "Teeka: the record of dose {dose} for beneficiary ****{reference} was corrected: {reason}.")),
    "slot_open": Template.counting(Np_(
        "Teeka: {seats} free seat for dose {dose} of {vaccine} at {centre}, {address} on {day}. Book it now.",
        "Teeka: {seats} free seats for dose {dose} of {vaccine} at {centre}, {address} on {day}. Book now."),
        "seats"),
    "appointment_tomorrow": Template(N_(
        "Teeka: a reminder: appointment {appointment_id} is tomorrow, {day}, {slot}, at {centre}, {address}. "
        "Bring the photo ID you registered with.")),
    "dose2_open": Template(N_(
        "Teeka: dose 2 of {vaccine} for beneficiary ****{reference} can be given from today. Book a slot on Teeka.")),
    "dose2_closing": Template(N_(
        "Teeka: the time for dose 2 of {vaccine} for beneficiary ****{reference} ends on {day}. Book a slot soon.")),
    "precaution_due": Template(N_(
        "Teeka: beneficiary ****{reference} can now get a precaution dose of {vaccine}. Book a slot on Teeka.")),
    "certificate_ready": Template(N_(
        "Teeka: the {kind} vaccination certificate for dose {dose} of beneficiary ****{reference} is ready. "
        "Download it with your mobile number."), translated=("kind",)),
    "transfer_otp": Template(N_(
        "Teeka: {code} is the code to move beneficiary ****{reference} onto this mobile number. Share it only "
        "if you agree. It is valid for {minutes} minutes.")),
    "merge_otp": Template(N_(
        "Teeka: {code} is the code to merge beneficiary ****{reference} into another record of the same person. "
        "Share it only if you agree. It is valid for {minutes} minutes.")),
    "grievance_opened": Template(N_(
        "Teeka: your issue {ticket} ({kind}) is registered. We will text you when it moves."),
        translated=("kind",)),
    "grievance_in_review": Template(N_("Teeka: an officer is reviewing your issue {ticket}.")),
    "grievance_resolved": Template(N_("Teeka: your issue {ticket} is resolved. {note}")),
    "grievance_rejected": Template(N_("Teeka: your issue {ticket} was not accepted: {note}")),
    "member_moved_here": Template(N_("Teeka: beneficiary ****{reference} is now registered on this mobile number.")),
    "member_merged": Template(N_(
        "Teeka: beneficiary ****{reference} was merged into ****{into}, the same person's record, which now "
        "holds its doses.")),
}


def render(sms: Sms, words: gettext.NullTranslations) -> str:
    """The SMS's text in the language of `words` (a pack catalogue; gettext's NullTranslations is English)."""
    template = TEMPLATES[sms.template]
    values = {name: words.gettext(value) if name in template.translated else value
              for name, value in sms.values.items()}
    if template.plural:
        text = words.ngettext(template.text, template.plural, int(values[template.count]))
    else:
        text = words.gettext(template.text)
    return text.format(**values)


def login_otp(code: str, minutes: int) -> Sms:
    return Sms("login_otp", {"code": code, "minutes": minutes})


def consent_otp(code: str, by: Operator, minutes: int) -> Sms:
    return Sms("consent_otp", {"code": code, "operator": by.name, "desk": by.desk, "minutes": minutes})


def status_consent_otp(code: str, verifier: str, minutes: int) -> Sms:
    return Sms("status_consent_otp", {"code": code, "verifier": verifier, "minutes": minutes})


def registered_by_operator(reference_id: str, by: Operator) -> Sms:
    return Sms("registered_by_operator", {"operator": by.name, "desk": by.desk, "reference": reference_id[-4:]})


def _by(by: Operator | None) -> dict[str, str]:
    return {} if by is None else {"operator": by.name, "desk": by.desk}


def booked(appointment_id: str, dose: int, people: int, where: Place, code: str, by: Operator | None = None) -> Sms:
    """The confirmation; `by`: the operator who booked it for the citizen, whom it then names."""
    return Sms("booked" if by is None else "booked_by_operator",
               {**_by(by), "appointment_id": appointment_id, "dose": dose, "people": people, **asdict(where),
                "code": code})


def rescheduled(appointment_id: str, where: Place) -> Sms:
    return Sms("rescheduled", {"appointment_id": appointment_id, **asdict(where)})


def cancelled(appointment_id: str, people: int, by: Operator | None = None) -> Sms:
    return Sms("cancelled" if by is None else "cancelled_by_operator",
               {**_by(by), "appointment_id": appointment_id, "people": people})


def session_cancelled_for_citizen(centre: str, day: str, appointment_id: str) -> Sms:
    return Sms("session_cancelled_for_citizen",
               {"centre": centre, "day": format_cowin_date(day), "appointment_id": appointment_id})


def session_cancelled_for_staff(vaccine: str, centre: str, day: str) -> Sms:
    return Sms("session_cancelled_for_staff", {"vaccine": vaccine, "centre": centre, "day": format_cowin_date(day)})


def allocated(vaccine: str, centre: str, address: str, day: str, opens: str, closes: str) -> Sms:
    return Sms("allocated", {"vaccine": vaccine, "centre": centre, "address": address,
                             "day": format_cowin_date(day), "opens": opens[:5], "closes": closes[:5]})


def booking_rejected(appointment_id: str, reason: str) -> Sms:
    """`reason`: the error catalogue's text for the cause (translated with it)."""
    return Sms("booking_rejected", {"appointment_id": appointment_id, "reason": reason})


def dose_given(dose: int, vaccine: str, reference_id: str, centre: str, day: str, batch: str) -> Sms:
    return Sms("dose_given", {"dose": dose, "vaccine": vaccine, "reference": reference_id[-4:], "centre": centre,
                              "day": format_cowin_date(day), "batch": batch})


def dose_corrected(dose: int, reference_id: str, reason: str) -> Sms:
    return Sms("dose_corrected", {"dose": dose, "reference": reference_id[-4:], "reason": reason})


def certificate_ready(kind: str, dose: int, reference_id: str) -> Sms:
    return Sms("certificate_ready", {"kind": KINDS[kind], "dose": dose, "reference": reference_id[-4:]})


def slot_open(seats: int, dose: int, vaccine: str, centre: str, address: str, day: str) -> Sms:
    """A slot alert: `day` as CoWIN writes it."""
    return Sms("slot_open", {"seats": seats, "dose": dose, "vaccine": vaccine, "centre": centre,
                             "address": address, "day": day})


def appointment_tomorrow(appointment_id: str, where: Place) -> Sms:
    return Sms("appointment_tomorrow", {"appointment_id": appointment_id, **asdict(where)})


def dose2_open(vaccine: str, reference_id: str) -> Sms:
    return Sms("dose2_open", {"vaccine": vaccine, "reference": reference_id[-4:]})


def dose2_closing(vaccine: str, reference_id: str, last_day: str) -> Sms:
    return Sms("dose2_closing", {"vaccine": vaccine, "reference": reference_id[-4:], "day": last_day})


def precaution_due(vaccine: str, reference_id: str) -> Sms:
    return Sms("precaution_due", {"vaccine": vaccine, "reference": reference_id[-4:]})


def transfer_otp(code: str, reference_id: str, minutes: int) -> Sms:
    return Sms("transfer_otp", {"code": code, "reference": reference_id[-4:], "minutes": minutes})


def merge_otp(code: str, reference_id: str, minutes: int) -> Sms:
    return Sms("merge_otp", {"code": code, "reference": reference_id[-4:], "minutes": minutes})


def grievance_moved(ticket_id: str, status: str, kind: str, note: str) -> Sms:
    """The citizen's SMS at each step of their issue (its `status` after the step)."""
    ticket = ticket_id[:8].upper()
    if status == "open":
        return Sms("grievance_opened", {"ticket": ticket, "kind": kind})
    return Sms(f"grievance_{status}", {"ticket": ticket, "note": note})


def member_moved_here(reference_id: str) -> Sms:
    return Sms("member_moved_here", {"reference": reference_id[-4:]})


def member_merged(reference_id: str, into: str) -> Sms:
    return Sms("member_merged", {"reference": reference_id[-4:], "into": into[-4:]})
