"""The certificate's content, its QR text codec, the offline verifier and the QR size bound."""
import random
import string
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib import verifier
from chalicelib.config import load_pack
from chalicelib.domain import certificates as rules
from chalicelib.services.certificate_pdf import MAX_QR_DIGITS, MAX_QR_VERSION, qr_code

KEY = ec.generate_private_key(ec.SECP256R1())
JWK = verifier.jwk_from_der(KEY.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
JWKS = {"keys": [JWK]}


def sign_raw(message: bytes) -> bytes:
    return verifier.jose_signature(KEY.sign(message, ec.ECDSA(hashes.SHA256())))


def facts(dose=1, vaccinator="Dr. Kavita Sharma", centre="Seven Hills Hospital", batch="4121Z025"):
    return rules.DoseFacts(dose, "COVISHIELD", "Serum Institute of India", batch, 1795400000, "2026-11-23",
                           vaccinator, centre, "Mumbai", "Maharashtra")


def content(name="Asha Rao", dose=1, **changes):
    subject = rules.Subject("12345678901234", name, 1990, "Female", "Aadhaar Card", "********1234")
    return rules.Content(subject, facts(dose, **changes), 2, facts(dose - 1) if dose > 1 else None)


def claims_of(c: rules.Content, tier: int = 0, show_birth_year=False) -> dict:
    return rules.claims(c, "3f2c1a2e-9a7d-4c6b-8e1f-2b3c4d5e6f70", 1795400100, "https://teeka.health/", "IN",
                        "Indian", show_birth_year, tier)


def qr_of(claims: dict) -> str:
    return verifier.qr_text(verifier.sign(claims, JWK["kid"], sign_raw))


def test_a_credential_carries_the_ddcc_core_fields():
    vc = claims_of(content(dose=2), show_birth_year=True)["vc"]
    person, [evidence] = vc["credentialSubject"], vc["evidence"]
    assert person == {"type": "Person", "id": "did:Aadhaar Card:********1234", "refId": "12345678901234",
                      "name": "Asha Rao", "gender": "Female", "age": "36", "nationality": "Indian", "dob": "1990"}
    assert evidence["status"] == "final" and evidence["dose"] == 2 and evidence["totalDoses"] == 2
    assert evidence["previousDose"] == {"dose": 1, "date": "2026-11-23T02:13:20Z", "vaccine": "COVISHIELD",
                                        "batch": "4121Z025"}
    assert evidence["facility"]["address"] == {"district": "Mumbai", "addressRegion": "Maharashtra",
                                               "addressCountry": "IN"}
    assert "dob" not in claims_of(content())["vc"]["credentialSubject"]
    assert claims_of(content())["vc"]["evidence"][0]["status"] == "provisional"


def test_the_basis_changes_exactly_when_what_the_certificate_says_changes():
    assert rules.basis(content()) == rules.basis(content())
    assert rules.basis(content()) != rules.basis(content(name="Asha R. Rao"))
    assert rules.basis(content()) != rules.basis(content(batch="4121Z099"))


def test_a_signed_qr_verifies_offline_and_what_it_says_is_what_was_signed():
    claims = claims_of(content())
    verdict = verifier.verify(qr_of(claims), JWKS)
    assert verdict.status == "valid" and verdict.claims == claims
    assert verdict.certificate_id == "3f2c1a2e-9a7d-4c6b-8e1f-2b3c4d5e6f70"
    assert rules.summary(verdict.claims)["issued_at"] == "2026-11-23T02:15:00Z"
    revoked = verifier.verify(qr_of(claims), JWKS, revoked={verdict.certificate_id})
    assert revoked.status == "revoked"


def test_any_change_to_the_qr_text_fails_verification():
    qr = qr_of(claims_of(content()))
    rng = random.Random(7)
    for _ in range(200):
        position = rng.randrange(len("teeka:/"), len(qr) - 1, 2)
        pair = int(qr[position:position + 2])
        replacement = f"{(pair + rng.randrange(1, 78)) % 78:02d}"  # another base64url/'.' character code
        tampered = qr[:position] + replacement + qr[position + 2:]
        assert verifier.verify(tampered, JWKS).status == "invalid"


def test_a_key_not_in_the_jwks_is_refused():
    other = ec.generate_private_key(ec.SECP256R1())
    jws = verifier.sign(claims_of(content()), JWK["kid"],
                        lambda m: verifier.jose_signature(other.sign(m, ec.ECDSA(hashes.SHA256()))))
    assert verifier.verify(jws, JWKS).reason == "signature does not match"
    assert verifier.verify(qr_of(claims_of(content())), {"keys": []}).reason == "signed by an unknown key"


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_.", min_size=1, max_size=300))
def test_the_numeric_encoding_round_trips(jws):
    assert verifier.jws_of(verifier.qr_text(jws)) == jws


@given(st.text(max_size=400))
@settings(max_examples=300)
def test_junk_is_invalid_never_an_exception(text):
    assert verifier.verify(text, JWKS).status == "invalid"


def test_the_jwk_kid_is_the_rfc7638_thumbprint():
    # RFC 7638 section 3.1's example uses RSA; for EC the members are crv, kty, x, y in that order.
    import base64
    import hashlib
    import json

    canonical = json.dumps({"crv": "P-256", "kty": "EC", "x": JWK["x"], "y": JWK["y"]}, separators=(",", ":"))
    expected = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    assert JWK["kid"] == expected and JWK["alg"] == "ES256" and JWK["use"] == "sig"


@pytest.mark.parametrize("alphabet", [string.ascii_letters + " ", "".join(map(chr, range(0x0905, 0x0939))),
                                      "".join(map(chr, range(0x4E00, 0x4E80)))], ids=["latin", "devanagari", "cjk"])
def test_the_longest_inputs_in_any_script_fit_a_version_22_qr(alphabet):
    """Registration allows 100-character names and 200-character centre names: the issuer's tiers
    shorten what the QR carries until it fits, never past the last tier."""
    rng = random.Random(3)

    def text(n):
        return "".join(rng.choice(alphabet) for _ in range(n))

    longest = rules.Content(
        rules.Subject("12345678901234", text(100), 1930, "Others", "Official ID for MPs/MLAs/MLCs", "********1234"),
        rules.DoseFacts(2, "SPUTNIK V", "Dr. Reddy's Laboratories", "ABCDEFGHIJ1234567890", 1795400000, "2026-11-23",
                        text(100), text(200), "Sri Potti Sriramulu Nellore", "Andaman and Nicobar Islands"),
        2, rules.DoseFacts(1, "SPUTNIK V", "Dr. Reddy's Laboratories", "ABCDEFGHIJ1234567890", 1790000000,
                           "2026-09-23", "", text(200), "Sri Potti Sriramulu Nellore", "Andaman and Nicobar Islands"))
    tier = next(t for t in range(len(rules.FIT_TIERS))
                if verifier.qr_digits(verifier.signing_input(claims_of(longest, t), JWK["kid"])) <= MAX_QR_DIGITS)
    assert qr_code(qr_of(claims_of(longest, tier))).version <= MAX_QR_VERSION
    assert verifier.verify(qr_of(claims_of(longest, tier)), JWKS).status == "valid"


def test_an_ordinary_certificate_needs_no_shortening():
    qr = qr_of(claims_of(content(dose=2)))
    assert len(qr) - len("teeka:/") <= MAX_QR_DIGITS and qr_code(qr).version <= 19


def test_the_digit_limit_is_what_a_version_22_qr_holds():
    assert qr_code("teeka:/" + "0" * MAX_QR_DIGITS).version == MAX_QR_VERSION
    with pytest.raises(ValueError):
        qr_code("teeka:/" + "0" * (MAX_QR_DIGITS + 2))


def test_a_final_certificate_pdf_prints_both_doses_and_a_readable_qr():
    from chalicelib.services.certificate_pdf import render
    from tests.api.test_certificates_api import qr_from_pdf

    claims = claims_of(content(dose=2))
    qr = qr_of(claims)
    pdf = render(rules.summary(claims), qr, load_pack("in"), "en_US")
    assert qr_from_pdf(pdf) == qr
    import pypdfium2

    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    for printed in ("Final certificate for vaccination", "Asha Rao", "********1234", "2 of 2", "Dose 1",
                    "Date of dose", "23-11-2026",  # 02:13 UTC is 07:43 in India
                    "Serum Institute of India", "Seven Hills Hospital, Mumbai, Maharashtra",
                    "3f2c1a2e-9a7d-4c6b-8e1f-2b3c4d5e6f70"):
        assert printed in text, printed


def test_the_pdf_prints_the_dose_day_in_the_campaign_time_zone():
    from chalicelib.services.certificate_pdf import _local_day

    assert _local_day("2026-11-23T19:00:00Z", "Asia/Kolkata") == "24-11-2026"
    assert _local_day("2026-11-23T18:29:59Z", "Asia/Kolkata") == "23-11-2026"


SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "build" / "pdf-samples"


@pytest.mark.parametrize("name, pack", [("आशा राव", "in"), ("க்ஷேத்ரா ஸ்ரீநிவாசன்", "in"),
                                        ("José Núñez Peña", "do"), ("নীলাঞ্জনা দত্ত", "in"), ("محمد علي", "in")])
def test_a_name_in_any_script_prints_intact_on_the_certificate(name, pack):
    """The text a reader extracts is the name as written: no '?', no broken conjuncts. Each page is also
    rendered to build/pdf-samples/ so a person can look at it."""
    import pypdfium2

    from chalicelib.services.certificate_pdf import render

    claims = claims_of(content(name=name))
    profile = load_pack(pack)
    pdf = render(rules.summary(claims), qr_of(claims), profile, profile.languages[0])
    page = pypdfium2.PdfDocument(pdf)[0]
    text = page.get_textpage().get_text_range()
    assert name in text and "?" not in text
    SCRIPTS_DIR.mkdir(parents=True, exist_ok=True)
    page.render(scale=1.5).to_pil().save(SCRIPTS_DIR / f"certificate-{pack}-{name.split()[0]}.png")


@pytest.mark.parametrize("pack, language, labels", [
    ("in", "hi_IN", ("नाम / Name", "लाभार्थी का विवरण / Beneficiary details", "महिला / Female")),
    ("do", "es_DO", ("Nombre / Name", "Certificado provisional de vacunación / Provisional certificate")),
    ("in", "en_US", ("Beneficiary details",)),
])
def test_the_certificate_is_in_the_citizens_language_and_english(pack, language, labels):
    """Every label twice, as CoWIN printed them (English alone for an English reader); rendered to
    build/pdf-samples/ to look at."""
    import pypdfium2

    from chalicelib.services.certificate_pdf import render

    claims = claims_of(content())
    page = pypdfium2.PdfDocument(render(rules.summary(claims), qr_of(claims), load_pack(pack), language))[0]
    text = " ".join(page.get_textpage().get_text_range().split())
    squeezed = "".join(ch for ch in text if ch.isprintable() and not ch.isspace())
    assert all("".join(label.split()) in squeezed for label in labels), text
    assert ("/ Name" in text) == (language != "en_US")
    SCRIPTS_DIR.mkdir(parents=True, exist_ok=True)
    page.render(scale=1.5).to_pil().save(SCRIPTS_DIR / f"certificate-{pack}-{language}.png")
