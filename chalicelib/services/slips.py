"""The appointment slip: a one-page PDF with the centre, date, slot, beneficiaries and security code.

DynamoDB calls: 1 Query (the appointment) + 1 TransactGetItems (its session and beneficiaries).
"""
from __future__ import annotations

from chalicelib.config import CountryProfile
from chalicelib.domain import errors
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.domain.errors import ApiError
from chalicelib.services import views
from chalicelib.services.booking import security_code_of
from chalicelib.services.metadata import place_names
from chalicelib.services.pdf import document, label_value_rows
from chalicelib.store import booking as store


def appointment_slip(mobile: str, appointment_id: str, profile: CountryProfile) -> bytes:
    places = [item for item in store.appointment(appointment_id) if item.mobile == mobile]
    if not places:
        raise ApiError(errors.APPOINTMENT_NOT_FOUND)
    [session], people = store.read_for_booking([places[0].session_id], [p.beneficiary_reference_id for p in places])
    names = place_names(profile, int(session.state_id), int(session.district_id))
    pdf = document("Appointment slip", [session.name, session.address, session.block_name, *names.values(),
                                         *(person.name for person in people if person)])
    pdf.set_font(pdf.family, "B", 18)
    pdf.cell(0, 12, "Vaccination appointment slip", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, size=11)
    day = format_cowin_date(places[0].date)
    details = [
        ("Appointment ID", appointment_id),
        ("Centre", f"{session.name} (ID {int(session.center_id)})"),
        ("Address", f"{session.address}, {session.block_name}, {names['district_name']}, {names['state_name']} "
                    f"{int(session.pincode)}"),
        ("Date", day), ("Time slot", places[0].slot), ("Vaccine", session.vaccine),
        ("Dose", str(int(places[0].dose))),
    ]
    label_value_rows(pdf, details, label_width=40)
    pdf.ln(4)
    pdf.set_font(pdf.family, "B", 14)
    pdf.cell(0, 10, f"Security code: {security_code_of(appointment_id)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, size=9)
    pdf.multi_cell(0, 5, "Show this code to the vaccinator at the centre. Do not share it with anyone else.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(pdf.family, "B", 11)
    for header, width in (("Beneficiary", 70), ("Reference ID", 45), ("Birth year", 25), ("Photo ID", 30),
                          ("Status", 20)):
        pdf.cell(width, 8, header, border=1)
    pdf.ln()
    pdf.set_font(pdf.family, size=10)
    by_ref = {p.beneficiary_reference_id: p for p in people if p is not None}
    for place in places:
        person = by_ref.get(place.beneficiary_reference_id)
        cells = (person.name if person else "", place.beneficiary_reference_id,
                 str(int(person.birth_year)) if person else "", views.masked_id(person) if person else "",
                 place.status)
        for value, width in zip(cells, (70, 45, 25, 30, 20)):
            pdf.cell(width, 8, value, border=1)
        pdf.ln()
    return bytes(pdf.output())
