"""The certificate PDF: the human-readable fields, the masked photo ID and the signed QR, bilingual as
CoWIN's was: every label in the citizen's language and in English (English alone for English readers).

`render` fills a template laid out once per pack, language and kind of certificate (services/pdf_template:
about a millisecond a certificate, labels in any script); a value that the template's Helvetica cannot
print (a name in Devanagari) gets the whole page laid out by fpdf2 instead, as before templates."""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.config import CountryProfile
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.services import pdf_template, qr
from chalicelib.services.pdf import bilingual, bilingual_lines, document, label_value_rows
from chalicelib.services.pdf_template import Code, Codes, Field, Gap, Page, Text, Value

MAX_QR_VERSION = qr.MAX_VERSION  # a certificate's QR must stay readable by ordinary phone cameras
MAX_QR_DIGITS = 2386  # what version 22 (error correction L) holds after the `teeka:/` prefix
QR_WIDTH_MM = 80
TEMPLATES = pdf_template.Templates(maxsize=32)  # by pack, authority, language and kind of certificate


def qr_code(text: str) -> qr.Symbol:
    """The QR symbol: prefix in byte mode, digits in numeric mode; error correction L at least, raised
    whenever the same version holds more. ValueError above version 22."""
    return qr.matrix(text, MAX_QR_VERSION)


def qr_png(qr_text: str) -> bytes:
    """The QR as a PNG, 4 pixels a module with its quiet zone (for people and tests; PDFs embed it as an image)."""
    return qr_code(qr_text).png(scale=4)


def dose_number(fields: dict[str, Any], words: Any) -> str:
    """"1 of 2", or "Precaution dose" for the dose after a completed primary series."""
    if fields.get("precaution"):
        return words.gettext("Precaution dose")
    return words.gettext("{dose} of {total}").format(dose=fields["dose"], total=fields["total_doses"])


def _local_day(instant: str, time_zone: str) -> str:
    """The calendar day of a signed UTC instant in the campaign's time zone, as CoWIN prints dates."""
    moment = datetime.strptime(instant, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=ZoneInfo("UTC"))
    return format_cowin_date(moment.astimezone(ZoneInfo(time_zone)).date())


def render(fields: dict[str, Any], qr_text: str, profile: CountryProfile, language: str) -> bytes:
    """The PDF of a certificate's signed fields with the QR of `qr_text`, as the country prints it, in
    `language` (one of the pack's) and English."""
    return render_symbol(fields, qr_code(qr_text), profile, language)


def render_symbol(fields: dict[str, Any], symbol: qr.Symbol, profile: CountryProfile, language: str) -> bytes:
    """`render` with the QR symbol already made."""
    previous = fields.get("previous_dose")
    kind = (fields["status"], "dob" in fields, previous["dose"] if previous else None)
    template = TEMPLATES.get((profile.country_code, profile.certificate_authority, language, kind),
                             lambda: _page(profile, language, kind))
    try:
        return template.fill(_values(fields, profile, language), {"qr": symbol})
    except pdf_template.Unprintable:
        return _laid_out(fields, symbol, profile, language)


def _footer(words: Any) -> list[str]:
    return bilingual_lines(words, "Issued {issued_at} by {issuer}. Scan the QR code to verify this certificate: it is "
                                  "signed, and any verifier with the issuer's published keys can check it offline.")


def _title(words: Any, status: str) -> str:
    if status == "final":
        return bilingual(words, "Final certificate for vaccination")
    return bilingual(words, "Provisional certificate for vaccination")


def _page(profile: CountryProfile, language: str, kind: tuple[str, bool, int | None]) -> Page:
    """The domestic certificate's layout: what `_laid_out` prints, with the values left as slots."""
    words = profile.words(language)
    status, shows_birth_year, previous_dose = kind

    def both(text: str) -> str:
        return bilingual(words, text)

    person = [Field(both("Name"), "name"), Field(both("Age"), "age"), Field(both("Gender"), "gender"),
              Field(both("ID verified"), "id"), Field(both("Beneficiary reference ID"), "reference")]
    if shows_birth_year:
        person.insert(2, Field(both("Year of birth"), "dob"))
    details = [Field(both("Vaccine name"), "vaccine"), Field(both("Manufacturer"), "manufacturer"),
               Field(both("Dose number"), "dose"), Field(both("Date of dose"), "date"), Field(both("Batch"), "batch"),
               Field(both("Vaccinated by"), "vaccinator"), Field(both("Vaccinated at"), "place")]
    if previous_dose is not None:
        details.append(Field(both("Dose {number}").format(number=previous_dose), "previous"))
    footer = _footer(words)
    return Page(_title(words, status), (
        Text(profile.certificate_authority, size=9, align="C"),
        Text(_title(words, status), size=16, bold=True, align="C", height=9),
        Value("certificate_id", size=9, align="C"),
        Gap(3), Text(both("Beneficiary details"), size=12, bold=True, height=8), *person,
        Gap(3), Text(both("Vaccination details"), size=12, bold=True, height=8), *details,
        Gap(4), Codes((Code("qr", QR_WIDTH_MM),)),
        *(Value(f"footer{number}", size=8, align="C", height=4, lines=3) for number in range(len(footer))),
    ), phrases=(both("Certificate ID: {certificate_id}"), words.gettext("{dose} of {total}"),
                words.gettext("{day}, {vaccine} batch {batch}"), *footer,
                *(both(gender.gender) for gender in profile.genders),
                *(both(id_type.type) for id_type in profile.id_types)))


def _values(fields: dict[str, Any], profile: CountryProfile, language: str) -> dict[str, Any]:
    """What each slot of `_page` prints: the texts `_laid_out` prints beside the same labels."""
    words = profile.words(language)
    id_type, _, masked = fields["id"].removeprefix("did:").rpartition(":")
    values = {
        "certificate_id": bilingual(words, "Certificate ID: {certificate_id}").format(
            certificate_id=fields["certificate_id"]),
        "name": fields["name"], "age": fields["age"], "gender": bilingual(words, fields["gender"]),
        "id": f"{bilingual(words, id_type)} {masked}", "reference": fields["beneficiary_reference_id"],
        "dob": fields.get("dob", ""), "vaccine": fields["vaccine"], "manufacturer": fields["manufacturer"],
        "dose": dose_number(fields, words),
        "date": _local_day(fields["date"], profile.time_zone), "batch": fields["batch"],
        "vaccinator": fields["vaccinator"], "place": f"{fields['facility']}, {fields['district']}, {fields['state']}",
    }
    if "previous_dose" in fields:
        earlier = fields["previous_dose"]
        values["previous"] = words.gettext("{day}, {vaccine} batch {batch}").format(
            day=_local_day(earlier["date"], profile.time_zone), vaccine=earlier["vaccine"], batch=earlier["batch"])
    for number, text in enumerate(_footer(words)):
        values[f"footer{number}"] = text.format(issued_at=fields["issued_at"], issuer=fields["issuer"])
    return values


def _laid_out(fields: dict[str, Any], symbol: qr.Symbol, profile: CountryProfile, language: str) -> bytes:
    """The whole page laid out by fpdf2: for values the template's Helvetica cannot print."""
    words = profile.words(language)

    def both(text: str) -> str:
        return bilingual(words, text)

    title = _title(words, fields["status"])
    id_type, _, masked = fields["id"].removeprefix("did:").rpartition(":")
    person = [(both("Name"), fields["name"]), (both("Age"), fields["age"]), (both("Gender"), both(fields["gender"])),
              (both("ID verified"), f"{both(id_type)} {masked}"),
              (both("Beneficiary reference ID"), fields["beneficiary_reference_id"])]
    if "dob" in fields:
        person.insert(2, (both("Year of birth"), fields["dob"]))
    details = [
        (both("Vaccine name"), fields["vaccine"]), (both("Manufacturer"), fields["manufacturer"]),
        (both("Dose number"), dose_number(fields, words)),
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
    footer = [text.format(issued_at=fields["issued_at"], issuer=fields["issuer"])
              for text in _footer(words)]
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
    pdf.image(io.BytesIO(symbol.png(scale=4)), x=(pdf.w - QR_WIDTH_MM) / 2, w=QR_WIDTH_MM)
    pdf.set_font(pdf.family, size=8)
    for text in footer:
        pdf.multi_cell(0, 4, text, new_x="LMARGIN", new_y="NEXT", align="C")
    return bytes(pdf.output())
