"""The appointment slip: a one-page PDF with the centre, date, slot, beneficiaries and security code.

DynamoDB calls: 1 Query (the appointment) + 1 TransactGetItems (its session and beneficiaries) + 1 GetItem
(the account's language, which the slip is written in).
"""
from __future__ import annotations

from chalicelib.config import CountryProfile
from chalicelib.domain import errors
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.domain.errors import ApiError
from chalicelib.domain.messages import N_
from chalicelib.services import views
from chalicelib.services.accounts import language_of
from chalicelib.services.booking import security_code_of
from chalicelib.services.metadata import place_names
from chalicelib.services.pdf import document, label_value_rows
from chalicelib.store import booking as store

STATUS_WORDS = {"BOOKED": N_("Booked"), "CANCELLED": N_("Cancelled"), "COMPLETED": N_("Vaccinated")}


def appointment_slip(mobile: str, appointment_id: str, profile: CountryProfile) -> bytes:
    places = [item for item in store.appointment(appointment_id) if item.mobile == mobile]
    if not places:
        raise ApiError(errors.APPOINTMENT_NOT_FOUND)
    [session], people = store.read_for_booking([places[0].session_id], [p.beneficiary_reference_id for p in places])
    names = place_names(profile, int(session.state_id), int(session.district_id))
    words = profile.words(language_of(profile, mobile))
    say = words.gettext
    day = format_cowin_date(places[0].date)
    details = [
        (say("Appointment ID"), appointment_id),
        (say("Centre"), say("{centre} (ID {center_id})").format(centre=session.name, center_id=int(session.center_id))),
        (say("Address"), f"{session.address}, {session.block_name}, {names['district_name']}, {names['state_name']} "
                         f"{int(session.pincode)}"),
        (say("Date"), day), (say("Time slot"), places[0].slot), (say("Vaccine"), session.vaccine),
        (say("Dose"), str(int(places[0].dose))),
    ]
    columns = ((say("Beneficiary"), 70), (say("Reference ID"), 45), (say("Birth year"), 25), (say("Photo ID"), 30),
               (say("Status"), 20))
    title, code = say("Vaccination appointment slip"), say("Security code: {code}").format(
        code=security_code_of(appointment_id))
    advice = say("Show this code to the vaccinator at the centre. Do not share it with anyone else.")
    pdf = document(title, [title, code, advice, *(text for row in details for text in row),
                           *(header for header, _ in columns), *(person.name for person in people if person)])
    pdf.set_font(pdf.family, "B", 18)
    pdf.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, size=11)
    label_value_rows(pdf, details, label_width=40)
    pdf.ln(4)
    pdf.set_font(pdf.family, "B", 14)
    pdf.cell(0, 10, code, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, size=9)
    pdf.multi_cell(0, 5, advice, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(pdf.family, "B", 11)
    for header, width in columns:
        pdf.cell(width, 8, header, border=1)
    pdf.ln()
    pdf.set_font(pdf.family, size=10)
    by_ref = {p.beneficiary_reference_id: p for p in people if p is not None}
    for place in places:
        person = by_ref.get(place.beneficiary_reference_id)
        cells = (person.name if person else "", place.beneficiary_reference_id,
                 str(int(person.birth_year)) if person else "", views.masked_id(person) if person else "",
                 say(STATUS_WORDS.get(place.status, place.status)))
        for value, (_, width) in zip(cells, columns):
            pdf.cell(width, 8, value, border=1)
        pdf.ln()
    return bytes(pdf.output())
