"""The compiled QR encoder (services/qr.py) against segno, the pure-Python encoder it replaced: never a
larger version, and every symbol read back by a real decoder (zxing-cpp) as the text it was given."""
import io
import random
import string

import pytest
import segno
import zxingcpp
from PIL import Image

from chalicelib import verifier
from chalicelib.domain import certificates as rules
from chalicelib.services import qr
from tests.unit.test_certificate_rules import JWK, claims_of, content, qr_of

HC1 = ("HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0"
       "VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY"
       ":GQ3TE2I+-CPHN6D7LLK*2HG%89UV-0LZ 2ZJJ524-LH/CJTK96L6SR9MU9DHGZ%P WUQRENS431T1XCNCF+47AY0-IFO0500TGPN8F5G.41Q"
       "2E4T8ALW.INSV$ 07UV5SR+BNQHNML7 /KD3TU 4V*CAT3ZGLQMI/XI%ZJNSBBXK2:UG%UJMI:TU+MMPZ5$/PMX19UE4-0LYKDN3ACWFN%N3")


def longest(alphabet: str) -> str:
    """The QR text of the longest certificate registration allows, shortened by the issuer's tiers."""
    rng = random.Random(3)

    def text(n):
        return "".join(rng.choice(alphabet) for _ in range(n))

    facts = [rules.DoseFacts(dose, "SPUTNIK V", "Dr. Reddy's Laboratories", "ABCDEFGHIJ1234567890", at, day, name,
                             text(200), "Sri Potti Sriramulu Nellore", "Andaman and Nicobar Islands")
             for dose, at, day, name in ((1, 1790000000, "2026-09-23", ""), (2, 1795400000, "2026-11-23", text(100)))]
    person = rules.Subject("12345678901234", text(100), 1930, "Others", "Official ID for MPs/MLAs/MLCs", "********1234")
    whole = rules.Content(person, facts[1], 2, facts[0])
    tier = next(t for t in range(len(rules.FIT_TIERS))
                if verifier.qr_digits(verifier.signing_input(claims_of(whole, t), JWK["kid"])) <= 2386)
    return qr_of(claims_of(whole, tier))


TEXTS = {
    "dose 1": qr_of(claims_of(content())),
    "dose 2": qr_of(claims_of(content(dose=2))),
    "longest latin": longest(string.ascii_letters + " "),
    "longest devanagari": longest("".join(map(chr, range(0x0905, 0x0939)))),
    "longest cjk": longest("".join(map(chr, range(0x4E00, 0x4E80)))),
    "smart health card": "shc:/" + "5676290952432060346029243740446031222959532654603460292540772804336028702865" * 12,
    "eu dcc": HC1,
    "short": "teeka:/1234",
}


def segno_symbol(text: str):
    parts = qr.segments(text)
    modes = {qr.BYTE: segno.consts.MODE_BYTE, qr.NUMERIC: segno.consts.MODE_NUMERIC,
             qr.ALNUM: segno.consts.MODE_ALPHANUMERIC}
    return segno.make([(part, modes[mode]) for mode, part in parts], error="L", boost_error=True, micro=False)


def read_back(png: bytes) -> zxingcpp.Barcode:
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)),
                                       formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return barcode


@pytest.mark.parametrize("name", TEXTS)
def test_never_a_larger_version_than_segno_and_read_back_exactly(name):
    text = TEXTS[name]
    symbol = qr.matrix(text, max_version=40)
    assert symbol.version <= int(segno_symbol(text).version)
    assert symbol.version == qr.reference_version(text) and symbol.size == 17 + 4 * symbol.version
    barcode = read_back(symbol.png(scale=3))
    assert barcode.text == text
    assert barcode.ec_level == symbol.ec_level


def test_the_certificates_segments_and_their_versions():
    assert qr.segments("teeka:/5676") == [(qr.BYTE, "teeka:/"), (qr.NUMERIC, "5676")]
    assert qr.segments("shc:/5676") == [(qr.BYTE, "shc:/"), (qr.NUMERIC, "5676")]
    assert qr.segments(HC1) == [(qr.ALNUM, HC1)]
    assert qr.segments("teeka:/56a") == [(qr.BYTE, "teeka:/56a")]
    # The longest certificates stay within version 22; an ordinary dose-2 one is version 19, like segno's.
    assert all(qr.matrix(TEXTS[name]).version <= 22 for name in TEXTS if name.startswith("longest"))
    assert qr.matrix(TEXTS["dose 2"]).version == int(segno_symbol(TEXTS["dose 2"]).version) == 19


def test_the_version_bound():
    assert qr.matrix("teeka:/" + "0" * 2386).version == 22
    with pytest.raises(ValueError):
        qr.matrix("teeka:/" + "0" * 2388)
    assert qr.matrix("teeka:/" + "0" * 2388, max_version=23).version == 23
    with pytest.raises(ValueError):
        qr.matrix("teeka:/" + "0" * 8000, max_version=40)


def test_error_correction_is_raised_where_the_version_allows():
    symbol = qr.matrix("teeka:/1234")
    assert symbol.version == 1 and symbol.ec_level in ("M", "Q", "H")
    assert read_back(symbol.png()).ec_level == symbol.ec_level
    assert qr.matrix(TEXTS["dose 2"]).ec_level == "L"


def test_the_image_rows_are_the_symbol_with_its_quiet_zone():
    symbol = qr.matrix(TEXTS["dose 1"])
    width = symbol.image_size
    assert width == symbol.size + 8
    packed = symbol.image_rows()
    assert len(packed) == width * ((width + 7) // 8)
    image = Image.frombytes("1", (width, width), packed)  # 1 white, 0 black, as /DeviceGray reads them
    assert all(image.getpixel((x, y)) for y in range(width) for x in range(width)
               if min(x, y) < 4 or max(x, y) >= width - 4)
    assert all(bool(image.getpixel((x + 4, y + 4))) != symbol.dark(x, y)
               for y in range(symbol.size) for x in range(symbol.size))
    scaled = image.convert("L").resize((width * 4, width * 4), Image.NEAREST)
    [barcode] = zxingcpp.read_barcodes(scaled, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    assert barcode.text == TEXTS["dose 1"]
