"""The international certificate's PDF: the traveller's WHO DDCC:VS fields, every label in their language
and in English, and both QR codes side by side: the SMART Health Card (`shc:/`, numeric mode) and the
EU Digital COVID Certificate (`HC1:`, alphanumeric mode). A border officer's phone reads either.

Filled into a template laid out once per pack, language and set of codes (services/pdf_template.py);
a value Helvetica cannot print (a name in Devanagari) has the page laid out whole by fpdf2 instead."""
from __future__ import annotations

import io
from datetime import date
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.domain.messages import N_
from chalicelib.services import pdf_template, qr
from chalicelib.services.pdf import bilingual, bilingual_lines, document, label_value_rows
from chalicelib.services.pdf_template import Code, Codes, Field, Gap, Page, Text

QR_WIDTH_MM = 80
TEMPLATES = pdf_template.Templates(maxsize=16)  # by pack, authority, language and the codes present
FIELDS = ((N_("Name"), "name"), (N_("Date of birth"), "dob"), (N_("Passport number"), "passport"),
          (N_("Vaccine name"), "vaccine"), (N_("Manufacturer"), "manufacturer"), (N_("Dose number"), "dose"),
          (N_("Date of dose"), "date"), (N_("Batch"), "batch"), (N_("Vaccinated at"), "place"),
          (N_("Certificate ID"), "certificate_id"), (N_("Issued by"), "issuer"))


def _title(words: Any) -> str:
    return bilingual(words, "International certificate of vaccination")


def _footer(words: Any) -> list[str]:
    return bilingual_lines(words, "Scan either QR code to verify this certificate: each is signed, and any verifier "
                                  "with the issuer's published keys can check it offline.")


def _captions(words: Any, slots: tuple[str, ...]) -> list[tuple[str, str]]:
    captions = {"shc": bilingual(words, "SMART Health Card"), "dcc": bilingual(words, "EU Digital COVID Certificate")}
    return [(slot, captions[slot]) for slot in slots]


def _values(ddcc: dict[str, Any], words: Any) -> dict[str, str]:
    vaccination, certificate = ddcc["vaccination"], ddcc["certificate"]
    return {
        "name": ddcc["name"], "dob": format_cowin_date(date.fromisoformat(ddcc["birthDate"])),
        "passport": ddcc["identifier"]["value"], "vaccine": vaccination["brand"]["display"],
        "manufacturer": vaccination["manufacturer"]["display"],
        "dose": words.gettext("{dose} of {total}").format(dose=vaccination["dose"], total=vaccination["totalDoses"]),
        "date": format_cowin_date(date.fromisoformat(vaccination["date"])), "batch": vaccination["lot"],
        "place": f"{vaccination['centre']}, {vaccination['country']['code']}",
        "certificate_id": certificate["hcid"]["value"], "issuer": certificate["issuer"]["identifier"]["value"],
    }


def _page(profile: CountryProfile, language: str, slots: tuple[str, ...]) -> Page:
    words = profile.words(language)
    codes = tuple(Code(slot, QR_WIDTH_MM, caption=caption) for slot, caption in _captions(words, slots))
    return Page(_title(words), (
        Text(profile.certificate_authority, size=9, align="C"),
        Text(_title(words), size=15, bold=True, align="C", height=8), Gap(3),
        *(Field(bilingual(words, label), slot, label_width=70) for label, slot in FIELDS), Gap(4),
        Codes(codes, gap=10), Gap(2), *(Text(line, size=8, align="C", height=4) for line in _footer(words)),
    ), phrases=(words.gettext("{dose} of {total}"),))


def render(ddcc: dict[str, Any], shc_qr: str | None, hc1: str | None, profile: CountryProfile,
           language: str) -> bytes:
    """The PDF of a DDCC:VS core data set with the QR text of its SMART Health Card and EU DCC (at least
    one of them)."""
    words = profile.words(language)
    symbols = {slot: qr.matrix(text) for slot, text in (("shc", shc_qr), ("dcc", hc1)) if text is not None}
    slots = tuple(symbols)
    template = TEMPLATES.get((profile.country_code, profile.certificate_authority, language, slots),
                             lambda: _page(profile, language, slots))
    values = _values(ddcc, words)
    try:
        return template.fill(values, symbols)
    except pdf_template.Unprintable:
        return _laid_out(values, symbols, profile, language)


def _laid_out(values: dict[str, str], symbols: dict[str, qr.Symbol], profile: CountryProfile, language: str) -> bytes:
    """The whole page laid out by fpdf2: for values the template's Helvetica cannot print."""
    words = profile.words(language)
    rows = [(bilingual(words, label), values[slot]) for label, slot in FIELDS]
    codes = [(symbols[slot], caption) for slot, caption in _captions(words, tuple(symbols))]
    footer = _footer(words)
    pdf = document(_title(words), [profile.certificate_authority, _title(words), *footer,
                                   *(text for row in rows for text in row), *(caption for _, caption in codes)])
    pdf.set_font(pdf.family, size=9)
    pdf.cell(0, 5, profile.certificate_authority, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(pdf.family, "B", 15)
    pdf.multi_cell(0, 8, _title(words), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(3)
    label_value_rows(pdf, rows, label_width=70)
    pdf.ln(4)
    top = pdf.get_y()
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(codes)
    size = min(QR_WIDTH_MM, width - 6)
    for number, (symbol, caption) in enumerate(codes):
        left = pdf.l_margin + number * width
        pdf.image(io.BytesIO(symbol.png()), x=left + (width - size) / 2, y=top, w=size)
        pdf.set_xy(left, top + size + 1)
        pdf.set_font(pdf.family, "B", 9)
        pdf.multi_cell(width, 4, caption, align="C")
    pdf.set_xy(pdf.l_margin, top + size + 12)
    pdf.set_font(pdf.family, size=8)
    for text in footer:
        pdf.multi_cell(0, 4, text, new_x="LMARGIN", new_y="NEXT", align="C")
    return bytes(pdf.output())
