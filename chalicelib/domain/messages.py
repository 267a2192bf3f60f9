"""Every SMS text Teeka sends, in one place (the country packs will translate exactly these)."""
from __future__ import annotations

from chalicelib.domain.calendar import format_cowin_date


def _people(count: int) -> str:
    return f"{count} beneficiar{'y' if count == 1 else 'ies'}"


def login_otp(code: str, minutes: int) -> str:
    return f"Your OTP to log in to Teeka is {code}. It is valid for {minutes} minutes. Do not share it with anyone."


def booked(appointment_id: str, dose: int, people: int, where: str, code: str) -> str:
    return (f"Teeka: appointment {appointment_id} confirmed, dose {dose}, for {_people(people)} at {where}. "
            f"Security code: {code}.")


def rescheduled(appointment_id: str, where: str) -> str:
    return f"Teeka: appointment {appointment_id} is rescheduled to {where}. Your security code is unchanged."


def cancelled(appointment_id: str, people: int) -> str:
    return f"Teeka: appointment {appointment_id} is cancelled for {_people(people)}."


def session_cancelled_for_citizen(centre: str, day: str, appointment_id: str) -> str:
    return (f"Teeka: the session at {centre} on {format_cowin_date(day)} is cancelled, and so is your appointment "
            f"{appointment_id}. Please book another slot.")


def session_cancelled_for_staff(vaccine: str, centre: str, day: str) -> str:
    return (f"Teeka: the {vaccine} session at {centre} on {format_cowin_date(day)} is cancelled. "
            "You are no longer needed there.")


def allocated(vaccine: str, centre: str, address: str, day: str, opens: str, closes: str) -> str:
    return (f"Teeka: you are allocated to the {vaccine} session at {centre}, {address} on {format_cowin_date(day)}, "
            f"{opens[:5]}-{closes[:5]}.")


def booking_rejected(appointment_id: str, reason: str) -> str:
    return f"Teeka: booking request {appointment_id} could not be completed: {reason}"


def dose_given(dose: int, vaccine: str, reference_id: str, centre: str, day: str, batch: str) -> str:
    return (f"Teeka: dose {dose} of {vaccine} was given to beneficiary ****{reference_id[-4:]} at {centre} on "
            f"{format_cowin_date(day)} (batch {batch}).")


def dose_corrected(dose: int, reference_id: str, reason: str) -> str:
    return f"Teeka: the record of dose {dose} for beneficiary ****{reference_id[-4:]} was corrected: {reason}."


def certificate_ready(kind: str, dose: int, reference_id: str) -> str:
    return (f"Teeka: the {kind} vaccination certificate for dose {dose} of beneficiary ****{reference_id[-4:]} "
            "is ready. Download it with your mobile number.")
