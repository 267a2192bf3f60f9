"""The international certificate's PDF: filled into its template (Latin values, any reader language) or
laid out whole (a name Helvetica cannot print); both QR codes read back from its pixels by zxing-cpp."""
import pytest

from chalicelib import verifier
from chalicelib.config import load_pack
from chalicelib.domain import international
from chalicelib.services import international_pdf
from tests.unit.test_international_rules import CODES, ISSUANCE, content

SHC_QR = verifier.qr_text("eyJhbGciOiJFUzI1NiJ9." + "a" * 900 + ".sig", "shc:/")
HC1 = "HC1:" + "6BF" * 200


def page_of(pdf: bytes):
    import pypdfium2

    return pypdfium2.PdfDocument(pdf)[0]


def qrs(page) -> set[str]:
    import zxingcpp

    image = page.render(scale=3).to_pil()
    return {code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)}


def squeezed(page) -> str:
    return "".join(ch for ch in page.get_textpage().get_text_range() if ch.isprintable() and not ch.isspace())


@pytest.mark.parametrize("name, language, expected", [
    ("Asha Rao", "en_US", ("Name", "AshaRao", "Dateofbirth", "12-04-1990", "K1234567", "2of2")),
    ("Asha Rao", "hi_IN", ("नाम/Name", "AshaRao", "पासपोर्टसंख्या/Passportnumber", "K1234567")),
    ("आशा राव", "hi_IN", ("आशाराव", "K1234567", "SMARTHealthCard")),  # laid out whole by fpdf2
])
def test_the_pdf_prints_the_traveller_and_both_qr_codes(name, language, expected):
    ddcc = international.core_data_set(content(name=name), CODES, ISSUANCE)
    page = page_of(international_pdf.render(ddcc, SHC_QR, HC1, load_pack("in"), language))
    text = squeezed(page)
    assert all(part in text for part in expected), text
    assert qrs(page) == {SHC_QR, HC1}


def test_without_an_eu_dcc_the_pdf_holds_the_smart_health_card_alone():
    ddcc = international.core_data_set(content(), CODES, ISSUANCE)
    page = page_of(international_pdf.render(ddcc, SHC_QR, None, load_pack("in"), "en_US"))
    assert qrs(page) == {SHC_QR} and "EUDigitalCOVIDCertificate" not in squeezed(page)
