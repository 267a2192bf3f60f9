"""PDFs filled from a template (services/pdf_template.py): the values in the text a reader extracts,
shrunk or cut to fit, escaped; the QR codes read back by a real decoder from the page at 200 dpi; the
domestic certificate's fallback to a full fpdf2 layout for values Helvetica cannot print."""
import re
import string
import zlib

import pypdfium2
import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.config import load_pack
from chalicelib.domain import certificates as rules
from chalicelib.services import qr
from chalicelib.services.certificate_pdf import render
from chalicelib.services.pdf_template import (
    Code,
    Codes,
    Field,
    Gap,
    Page,
    Templates,
    Text,
    Unprintable,
    Value,
    build,
    phrase_words,
)
from tests.unit.test_certificate_rules import claims_of, content, qr_of
from tests.unit.test_qr import HC1

TEEKA_QR = "teeka:/" + "5676290952432060346029243740446031222959532654603460292540772804336028702865" * 20

# The international certificate's shape: bilingual labels, two codes side by side with captions.
INTERNATIONAL = Page("Certificat international / International certificate", (
    Text("Ministère de la Santé", size=9, align="C"),
    Text("Certificat international / International certificate", size=16, bold=True, align="C", height=9),
    Gap(3), Field("Nom / Name", "name"), Field("Date de naissance / Date of birth", "dob"),
    Field("Passeport / Passport number", "passport"), Field("Vaccin / Vaccine", "vaccine"),
    Field("Dose / Dose", "dose"), Field("Identifiant / Certificate ID", "certificate_id"), Gap(4),
    Codes((Code("teeka", 70, caption="Teeka"), Code("dcc", 70, caption="Certificat COVID numérique de l'UE")), gap=10),
    Value("footer", size=8, align="C", height=4, lines=2),
))
HINDI = Page("प्रमाणपत्र / Certificate", (
    Text("प्रमाणपत्र / Certificate", size=16, bold=True, align="C", height=9),
    Field("लिंग / Gender", "gender"), Field("खुराक / Dose", "dose"), Value("footer", size=8, align="C", lines=2),
), phrases=("महिला / Female", "{total} में से {dose}"))
VALUES = {"name": "Núñez Peña, José", "dob": "1990-01-31", "passport": "X1234567", "vaccine": "COVISHIELD",
          "dose": "2 of 2", "certificate_id": "3f2c1a2e-9a7d-4c6b-8e1f-2b3c4d5e6f70",
          "footer": "Scan either QR code to verify this certificate: each is signed, and any verifier with the "
                    "issuer's published keys can check it offline."}


@pytest.fixture(scope="module")
def international():
    return build(INTERNATIONAL)


def text_of(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) == 1
    return document[0].get_textpage().get_text_range()


def codes_in(pdf: bytes) -> set[str]:
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil()
    return {barcode.text for barcode in
            zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))}


def values_stream(pdf: bytes) -> bytes:
    """The decoded content stream the incremental update added (the first object after the template's)."""
    update = pdf[pdf.rindex(b"%%EOF", 0, len(pdf) - 8):]
    data = re.search(rb"stream\n(.*?)\nendstream", update, re.S).group(1)
    return zlib.decompress(data)


def test_values_and_both_codes_of_a_two_code_page(international):
    pdf = international.fill(VALUES, {"teeka": qr.matrix(TEEKA_QR), "dcc": qr.matrix(HC1)})
    assert pdf.startswith(international.pdf) and pdf.endswith(b"%%EOF\n")
    assert b"/Prev %d" % international.startxref in pdf  # an incremental update of the template
    text = " ".join(text_of(pdf).split())
    for value in VALUES.values():
        assert value in text, value
    assert "Certificat COVID numérique de l'UE" in text and "Passeport / Passport number" in text
    assert codes_in(pdf) == {TEEKA_QR, HC1}


def test_a_long_value_shrinks_then_is_cut(international):
    codes = {"teeka": qr.matrix("teeka:/1234"), "dcc": qr.matrix("HC1:1234")}
    longer = "Serum Institute of India Private Limited, 212/2 Hadapsar, Off Soli Poonawalla Road, Pune"
    shrunk = international.fill({**VALUES, "vaccine": longer}, codes)
    assert longer in text_of(shrunk)
    sizes = [float(size) for size in re.findall(rb"/TkV ([\d.]+) Tf [\d.]+ [\d.]+ Td \(Serum", values_stream(shrunk))]
    assert sizes and 6 <= sizes[0] < 10
    longest = "Sri Venkateswara Institute of Medical Sciences " * 6
    cut = international.fill({**VALUES, "vaccine": longest}, codes)
    [printed] = [line for line in text_of(cut).splitlines() if line.startswith("Sri Venkateswara")]
    assert printed.endswith("...") and len(printed) < len(longest)
    assert b"/TkV 6.00 Tf" in values_stream(cut)


def test_parentheses_and_backslashes_are_escaped(international):
    codes = {"teeka": qr.matrix("teeka:/1234"), "dcc": qr.matrix("HC1:1234")}
    value = r"Dr. (Mrs) K. Sharma \ Seven Hills) (("
    assert value in text_of(international.fill({**VALUES, "name": value}, codes))


def test_words_helvetica_cannot_print_come_from_the_phrases_or_raise():
    assert phrase_words("{total} में से {dose}") == {"में", "से"}
    assert phrase_words("महिला / Female") == {"महिला"}
    assert phrase_words("أنثى / Female") == set()  # right to left: fpdf2 lays such values out whole
    template = build(HINDI)
    pdf = template.fill({"gender": "महिला / Female", "dose": "2 में से 1", "footer": "(महिला)"},
                        {})
    squeezed = "".join(ch for ch in text_of(pdf) if ch.isprintable() and not ch.isspace())
    assert "महिला/Female" in squeezed and "2मेंसे1" in squeezed and "(महिला)" in squeezed
    with pytest.raises(Unprintable):
        template.fill({"gender": "पुरुष / Male"}, {})


def test_the_certificate_from_its_template_and_the_fallback_for_a_devanagari_name():
    claims = claims_of(content(dose=2))
    text = qr_of(claims)
    pdf = render(rules.summary(claims), text, load_pack("in"), "en_US")
    assert b"/TkV" in pdf and codes_in(pdf) == {text}
    printed = " ".join(text_of(pdf).split())
    for value in ("Final certificate for vaccination", "Asha Rao", "Female", "Aadhaar Card ********1234",
                  "Seven Hills Hospital, Mumbai, Maharashtra", "23-11-2026, COVISHIELD batch 4121Z025",
                  "Certificate ID: 3f2c1a2e-9a7d-4c6b-8e1f-2b3c4d5e6f70", "Issued 2026-11-23T02:15:00Z by"):
        assert value in printed, value
    named = claims_of(content(name="आशा राव", dose=2))
    signed = qr_of(named)
    fallback = render(rules.summary(named), signed, load_pack("in"), "en_US")
    assert b"/TkV" not in fallback  # laid out whole by fpdf2: the name is set in Noto Sans Devanagari
    assert "आशा राव" in text_of(fallback) and codes_in(fallback) == {signed}


def test_the_hindi_certificate_fills_its_template():
    claims = claims_of(content(dose=2))
    signed = qr_of(claims)
    pdf = render(rules.summary(claims), signed, load_pack("in"), "hi_IN")
    assert b"/TkV" in pdf and codes_in(pdf) == {signed}
    squeezed = "".join(ch for ch in text_of(pdf) if ch.isprintable() and not ch.isspace())
    for value in ("महिला/Female", "2मेंसे2", "बैच4121Z025", "नाम/Name", "AshaRao"):
        assert value in squeezed, value


def test_the_cache_keeps_the_most_recently_used():
    built = []
    cache = Templates(maxsize=2)

    def page(n):
        built.append(n)
        return Page(f"page {n}", (Value("v"),))

    for n in (1, 2, 1, 3, 1, 2):
        cache.get(n, lambda n=n: page(n))
    assert built == [1, 2, 3, 2]


WINANSI = "".join(sorted(set(bytes(range(32, 256)).decode("cp1252", errors="ignore")))) + "\t\r\n"


@given(st.text(alphabet=WINANSI, max_size=300), st.text(alphabet=WINANSI, max_size=300))
@settings(max_examples=60, deadline=None)
def test_any_winansi_text_keeps_the_pdf_whole(international, name, footer):
    pdf = international.fill({**VALUES, "name": name, "footer": footer},
                             {"teeka": qr.matrix("teeka:/1234"), "dcc": qr.matrix("HC1:1234")})
    text = text_of(pdf)
    assert "3f2c1a2e-9a7d-4c6b-8e1f-2b3c4d5e6f70" in text


# pdfium's text extraction drops a hyphen ending a line (it reads it as a word broken across lines).
@given(st.text(alphabet=string.ascii_letters + string.digits + "()\\.,-'", min_size=1, max_size=40).filter(
    lambda name: not name.endswith("-")))
@settings(max_examples=40, deadline=None)
def test_a_value_that_fits_is_printed_as_given(international, name):
    pdf = international.fill({**VALUES, "name": name},
                             {"teeka": qr.matrix("teeka:/1234"), "dcc": qr.matrix("HC1:1234")})
    assert name in text_of(pdf)
