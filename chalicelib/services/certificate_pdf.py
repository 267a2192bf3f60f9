"""The certificate PDF: the human-readable fields, the masked photo ID and the signed QR, bilingual as
CoWIN's was: every label in the citizen's language and in English (English alone for English readers)."""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.services.pdf import bilingual, bilingual_lines, document, label_value_rows

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


def render(fields: dict[str, Any], png: bytes, profile: CountryProfile, language: str) -> bytes:
    """The PDF of a certificate's signed fields with its QR image, as the country prints it, in `language`
    (one of the pack's) and English."""
    words = profile.words(language)

    def both(text: str) -> str:
        return bilingual(words, text)

    if fields["status"] == "final":
        title = both("Final certificate for vaccination")
    else:
        title = both("Provisional certificate for vaccination")
    id_type, _, masked = fields["id"].removeprefix("did:").rpartition(":")
    person = [(both("Name"), fields["name"]), (both("Age"), fields["age"]), (both("Gender"), both(fields["gender"])),
              (both("ID verified"), f"{both(id_type)} {masked}"),
              (both("Beneficiary reference ID"), fields["beneficiary_reference_id"])]
    if "dob" in fields:
        person.insert(2, (both("Year of birth"), fields["dob"]))
    details = [
        (both("Vaccine name"), fields["vaccine"]), (both("Manufacturer"), fields["manufacturer"]),
        (both("Dose number"), words.gettext("{dose} of {total}").format(dose=fields["dose"],
                                                                       total=fields["total_doses"])),
        (both("Date of dose"), _local_day(fields["date"], profile.time_zone)), (both("Batch"), fields["batch"]),
        (both("Vaccinated by"), fields["vaccinator"]),
        (both("Vaccinated at"), f"{fields['facility']}, {fields['district']}, {fields['state']}"),
    ]
    if "previous_dose" in fields:
        earlier = fields["previous_dose"]
        details.append((both("Dose {number}").format(number=earlier["dose"]),
                        words.gettext("{day}, {vaccine} batch {batch}").format(
                            day=_local_day(earlier["date"], profile.time_zone), vaccine=earlier["vaccine"],
                            batch=earlier["batch"])))
    headings = (both("Certificate ID: {certificate_id}").format(certificate_id=fields["certificate_id"]),
                both("Beneficiary details"), both("Vaccination details"))
    footer = [text.format(issued_at=fields["issued_at"], issuer=fields["issuer"]) for text in bilingual_lines(
        words, "Issued {issued_at} by {issuer}. Scan the QR code to verify this certificate: it is signed, and any "
               "verifier with the issuer's published keys can check it offline.")]
    pdf = document(title, [profile.certificate_authority, title, *headings, *footer,
                           *(text for row in person + details for text in row), *map(str, fields.values())])
    pdf.set_font(pdf.family, size=9)
    pdf.cell(0, 5, profile.certificate_authority, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(pdf.family, "B", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(pdf.family, size=9)
    pdf.cell(0, 5, headings[0], new_x="LMARGIN", new_y="NEXT", align="C")
    for heading, rows in ((headings[1], person), (headings[2], details)):
        pdf.ln(3)
        pdf.set_font(pdf.family, "B", 12)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        label_value_rows(pdf, rows, label_width=70)
    pdf.ln(4)
    pdf.image(io.BytesIO(png), x=(pdf.w - QR_WIDTH_MM) / 2, w=QR_WIDTH_MM)
    pdf.set_font(pdf.family, size=8)
    for text in footer:
        pdf.multi_cell(0, 4, text, new_x="LMARGIN", new_y="NEXT", align="C")
    return bytes(pdf.output())
