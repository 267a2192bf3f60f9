"""The certificate PDF: the human-readable fields, the masked photo ID and the signed QR."""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.services.pdf import document, label_value_rows

MAX_QR_VERSION = 22  # a certificate's QR must stay readable by ordinary phone cameras
MAX_QR_DIGITS = 2386  # what version 22 (error correction L) holds after the `teeka:/` prefix
QR_WIDTH_MM = 80


def qr_code(text: str) -> Any:
    """The QR symbol: prefix in byte mode, digits in numeric mode; error correction L at least, raised
    by segno whenever the same version holds more."""
    import segno

    prefix, digits = text[:text.index("/") + 1], text[text.index("/") + 1:]
    # A list of (text, mode) segments is segno's documented input; its type hints name only plain content.
    segments = [(prefix, segno.consts.MODE_BYTE), (digits, segno.consts.MODE_NUMERIC)]
    code = segno.make(segments, error="L", boost_error=True, micro=False)  # type: ignore[arg-type]
    if int(code.version) > MAX_QR_VERSION:
        raise ValueError(f"certificate QR needs version {code.version}, above {MAX_QR_VERSION}")
    return code


def qr_png(qr_text: str) -> bytes:
    png = io.BytesIO()
    qr_code(qr_text).save(png, kind="png", scale=4, border=4)
    return png.getvalue()


def _local_day(instant: str, time_zone: str) -> str:
    """The calendar day of a signed UTC instant in the campaign's time zone, as CoWIN prints dates."""
    moment = datetime.strptime(instant, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=ZoneInfo("UTC"))
    return format_cowin_date(moment.astimezone(ZoneInfo(time_zone)).date())


def render(fields: dict[str, Any], png: bytes, profile: CountryProfile) -> bytes:
    """The PDF of a certificate's signed fields with its QR image, as the country prints it."""
    pdf = document("Vaccination certificate", [profile.certificate_authority, *map(str, fields.values())])
    pdf.set_font(pdf.family, size=9)
    pdf.cell(0, 5, profile.certificate_authority, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(pdf.family, "B", 18)
    title = "Final certificate for vaccination" if fields["status"] == "final" else \
        "Provisional certificate for vaccination"
    pdf.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(pdf.family, size=9)
    pdf.cell(0, 5, f"Certificate ID: {fields['certificate_id']}", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    pdf.set_font(pdf.family, "B", 12)
    pdf.cell(0, 8, "Beneficiary details", new_x="LMARGIN", new_y="NEXT")
    id_type, _, masked = fields["id"].removeprefix("did:").rpartition(":")
    person = [("Name", fields["name"]), ("Age", fields["age"]), ("Gender", fields["gender"]),
              ("ID verified", f"{id_type} {masked}"), ("Beneficiary reference ID", fields["beneficiary_reference_id"])]
    if "dob" in fields:
        person.insert(2, ("Year of birth", fields["dob"]))
    label_value_rows(pdf, person, label_width=55)
    pdf.ln(2)
    pdf.set_font(pdf.family, "B", 12)
    pdf.cell(0, 8, "Vaccination details", new_x="LMARGIN", new_y="NEXT")
    details = [
        ("Vaccine name", fields["vaccine"]), ("Manufacturer", fields["manufacturer"]),
        ("Dose number", f"{fields['dose']} of {fields['total_doses']}"),
        ("Date of dose", _local_day(fields["date"], profile.time_zone)), ("Batch", fields["batch"]),
        ("Vaccinated by", fields["vaccinator"]),
        ("Vaccinated at", f"{fields['facility']}, {fields['district']}, {fields['state']}"),
    ]
    if "previous_dose" in fields:
        earlier = fields["previous_dose"]
        details.append((f"Dose {earlier['dose']}", f"{_local_day(earlier['date'], profile.time_zone)}, "
                                                   f"{earlier['vaccine']} batch {earlier['batch']}"))
    label_value_rows(pdf, details, label_width=55)
    pdf.ln(4)
    pdf.image(io.BytesIO(png), x=(pdf.w - QR_WIDTH_MM) / 2, w=QR_WIDTH_MM)
    pdf.set_font(pdf.family, size=8)
    pdf.multi_cell(0, 4, f"Issued {fields['issued_at']} by {fields['issuer']}. Scan the QR code to verify this "
                         "certificate: it is signed, and any verifier with the issuer's published keys can check it "
                         "offline.", new_x="LMARGIN", new_y="NEXT", align="C")
    return bytes(pdf.output())
