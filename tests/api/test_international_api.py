"""International certificates through the API: a traveller adds a passport once; every certificate is
reissued with a WHO DDCC:VS data set, a SMART Health Card and an EU DCC; the international PDF carries
both QRs (read back from its pixels); corrections revoke each format by its own standard; only the owner
downloads; the passport is one person's only."""
import base64
import json
import zlib

import pytest

from chalicelib import hcert
from chalicelib.domain import international
from chalicelib.store.certificates import CertificateItem, CertificateSlotItem
from chalicelib.store.registration import AuditItem
from tests.api.conftest import drain
from tests.api.test_certificates_api import jwks
from tests.api.test_vaccination_api import BASE, OTHER_CITIZEN, register
from tests.helpers import post

PASSPORT = "/v2/registration/beneficiary/passport"
INTERNATIONAL = "/v2/registration/certificate/international"


def add_passport(api, headers, ref, number="K1234567", birth_date="1990-04-12", **extra):
    return post(api, PASSPORT, {"beneficiary_reference_id": ref, "passport_number": number,
                                "birth_date": birth_date, **extra}, headers)


def fetch(api, headers, ref, what):
    accept = "application/pdf" if what == "download" else "application/json"
    return api.http.get(f"{INTERNATIONAL}/{what}?beneficiary_reference_id={ref}", headers={**headers, "Accept": accept})


@pytest.fixture
def traveller(api, vaccinated):
    response = add_passport(api, vaccinated["citizen"], vaccinated["ref"])
    assert response.status_code == 200, response.body
    drain()  # the due marks -> certificates queue -> reissue in every format
    return vaccinated


def qrs_from_pdf(pdf: bytes) -> set[str]:
    import pypdfium2
    import zxingcpp

    image = pypdfium2.PdfDocument(pdf)[0].render(scale=3).to_pil()
    return {barcode.text for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)}


def shc_payload(jws_text: str, keys: dict) -> dict:
    """A SMART Health Card's JWS checked with a standard JOSE library and the issuer's JWKS alone."""
    from joserfc import jws
    from joserfc.jwk import KeySet
    from joserfc.registry import HeaderParameter

    registry = jws.JWSRegistry(header_registry={"zip": HeaderParameter("Compression", "str")}, algorithms=["ES256"])
    token = jws.deserialize_compact(jws_text, KeySet.import_key_set(keys), registry=registry)
    return json.loads(zlib.decompress(token.payload, -15))


def trust(api) -> dict:
    response = api.http.get("/v2/certificate/dcc/trust-list")
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    return hcert.public_keys(response.json_body)


def test_a_traveller_gets_ddcc_shc_and_eu_dcc_that_verify_and_a_pdf_with_both_qrs(api, traveller):
    ref, citizen = traveller["ref"], traveller["citizen"]
    ddcc = fetch(api, citizen, ref, "ddcc").json_body
    assert ddcc["name"] == "Asha Rao" and ddcc["birthDate"] == "1990-04-12" and ddcc["sex"] == "female"
    assert ddcc["identifier"]["value"] == "K1234567"
    vaccination = ddcc["vaccination"]
    assert vaccination["vaccine"] == {"system": international.ICD11, "code": "XM9QW8"}
    assert vaccination["brand"] == {"system": international.ICD11, "code": "XM97T2", "display": "COVISHIELD"}
    assert vaccination["lot"] == "4121Z025"
    assert vaccination["dose"] == 1 and vaccination["totalDoses"] == 2 and vaccination["country"]["code"] == "IND"
    uvci = ddcc["certificate"]["hcid"]["value"]
    assert uvci.startswith("URN:UVCI:01:IN:") and international.uvci_is_valid(uvci)

    card = fetch(api, citizen, ref, "shc")
    assert card.status_code == 200 and card.headers["Content-Type"] == "application/smart-health-card"
    [shc_jws] = card.json_body["verifiableCredential"]
    payload = shc_payload(shc_jws, jwks(api))
    assert payload["iss"] == "https://teeka.health" and "https://smarthealth.cards#health-card" in payload["vc"]["type"]
    patient, immunization = (entry["resource"] for entry in payload["vc"]["credentialSubject"]["fhirBundle"]["entry"])
    assert patient == {"resourceType": "Patient", "name": [{"family": "Rao", "given": ["Asha"]}],
                       "birthDate": "1990-04-12"}
    assert immunization["vaccineCode"]["coding"] == [{"system": international.CVX, "code": "210"}]
    assert immunization["patient"] == {"reference": "resource:0"} and immunization["lotNumber"] == "4121Z025"

    dcc = fetch(api, citizen, ref, "dcc").json_body
    verdict = hcert.verify(dcc["qr"], trust(api))
    assert verdict.status == "valid", verdict.reason
    assert verdict.hcert["nam"] == {"fn": "Rao", "fnt": "RAO", "gn": "Asha", "gnt": "ASHA"}
    assert verdict.hcert["dob"] == "1990-04-12" and verdict.uvci == uvci == dcc["uvci"]
    [entry] = verdict.hcert["v"]
    assert (entry["mp"], entry["ma"], entry["dn"], entry["sd"], entry["co"]) == (
        "Covishield", "ORG-100001981", 1, 2, "IN")

    pdf = fetch(api, citizen, ref, "download")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert qrs_from_pdf(pdf.body) == {"shc:/" + "".join(f"{ord(c) - 45:02d}" for c in shc_jws), dcc["qr"]}


def test_the_domestic_certificate_carries_neither_passport_nor_birth_date(api, traveller):
    credential = api.http.get(f"/v2/registration/certificate/credential?beneficiary_reference_id={traveller['ref']}",
                              headers=traveller["citizen"]).json_body
    text = json.dumps(credential)
    assert "K1234567" not in text and "1990-04-12" not in text and credential["credential"]["credentialSubject"]["age"]


def test_travel_details_are_added_once_audited_and_the_passport_is_one_persons(api, vaccinated, as_):
    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    assert add_passport(api, citizen, ref).status_code == 200
    again = add_passport(api, citizen, ref, number="K7654321")
    assert again.status_code == 409 and again.json_body["errorCode"] == "BENREG0020"
    [audit] = [item for item in AuditItem.query(f"beneficiary#{ref}") if item.action == "travel details"]
    assert audit.new["passport_number"] == "*****567" and audit.new["birth_date"] == "1990-04-12"

    other = as_(OTHER_CITIZEN)
    someone = register(api, other, 7, name="Ravi Kumar")
    taken = add_passport(api, other, someone, number="K1234567")
    assert taken.status_code == 400 and taken.json_body["errorCode"] == "BENREG0002"
    # The passport is a photo ID like any other: nobody registers with it either.
    as_photo_id = post(api, "/v2/registration/beneficiary/new", {
        "name": "Ravi Kumar", "birth_year": "1990", "gender_id": 1, "photo_id_type": 4, "photo_id_number": "K1234567",
        "comorbidity_ind": "N", "consent_version": "V1"}, other)
    assert as_photo_id.status_code == 400 and as_photo_id.json_body["errorCode"] == "BENREG0002"


def test_a_person_registered_with_their_passport_adds_it_for_travel(api, seeded, as_):
    citizen = as_(OTHER_CITIZEN)
    registered = post(api, "/v2/registration/beneficiary/new", {
        "name": "Meera Iyer", "birth_year": "1985", "gender_id": 2, "photo_id_type": 4, "photo_id_number": "M7654321",
        "comorbidity_ind": "N", "consent_version": "V1"}, citizen)
    ref = registered.json_body["beneficiary_reference_id"]
    added = add_passport(api, citizen, ref, number="M7654321", birth_date="1985-02-28", surname="Iyer")
    assert added.status_code == 200, added.body
    assert added.json_body == {"beneficiary_reference_id": ref, "passport_number": "*****321",
                               "birth_date": "1985-02-28", "surname": "Iyer", "given_names": "Meera"}


@pytest.mark.parametrize("body, code", [
    ({"passport_number": "Q1234567"}, "BENREG0021"),  # Indian passports never start with Q
    ({"passport_number": ""}, "USRRES0001"),
    ({"birth_date": "1991-04-12"}, "BENREG0022"),  # not the registered birth year
    ({"birth_date": "12-04-1990"}, "BENREG0022"),
    ({"birth_date": "1990-02-30"}, "BENREG0022"),
    ({"birth_date": "１９９０-04-12"}, "BENREG0022"),
    ({"surname": "Sharma"}, "BENREG0023"),
    ({"surname": "Asha Rao Kumar"}, "BENREG0023"),
])
def test_bad_travel_details_get_clear_errors_and_change_nothing(api, vaccinated, body, code):
    response = add_passport(api, vaccinated["citizen"], vaccinated["ref"], **body)
    assert response.status_code == 400 and response.json_body["errorCode"] == code, response.body
    assert fetch(api, vaccinated["citizen"], vaccinated["ref"], "ddcc").json_body["errorCode"] == "CERTIF0004"


def test_only_the_owner_adds_a_passport_or_downloads_the_international_formats(api, traveller, as_):
    stranger = as_(OTHER_CITIZEN)
    assert add_passport(api, stranger, traveller["ref"]).json_body["errorCode"] == "BENREG0009"
    for what in ("download", "ddcc", "shc", "dcc"):
        response = fetch(api, stranger, traveller["ref"], what)
        assert response.status_code == 400 and response.json_body["errorCode"] == "BENREG0009", what
        assert api.http.get(f"{INTERNATIONAL}/{what}?beneficiary_reference_id={traveller['ref']}").status_code == 401


def test_before_travel_details_the_international_formats_say_what_to_do(api, vaccinated):
    for what in ("download", "ddcc", "shc", "dcc"):
        response = fetch(api, vaccinated["citizen"], vaccinated["ref"], what)
        assert response.status_code == 404 and response.json_body["errorCode"] == "CERTIF0004", what


def test_a_correction_revokes_each_format_by_its_own_standard(api, traveller, as_):
    ref, citizen = traveller["ref"], traveller["citizen"]
    old_id = CertificateSlotItem.get(ref, 1).issued_id
    old = CertificateItem.get(old_id)
    old_dcc = fetch(api, citizen, ref, "dcc").json_body["qr"]
    fixed = post(api, f"{BASE}/doses/correction", {"beneficiary_reference_id": ref, "dose": 1, "batch": "4121Z099",
                                                   "reason": "wrong batch typed"}, as_("9000000005"))
    assert fixed.status_code == 201, fixed.body
    drain()
    new = CertificateItem.get(CertificateSlotItem.get(ref, 1).issued_id)
    assert new.uvci != old.uvci and new.rid != old.rid and new.shc and new.hc1

    keys = api.http.get("/.well-known/jwks.json").json_body["keys"]
    crl = api.http.get(f"/.well-known/crl/{old.kid}.json")
    assert crl.status_code == 200 and "public" in crl.headers["Cache-Control"]
    assert crl.json_body == {"kid": old.kid, "method": "rid", "ctr": keys[0]["crlVersion"], "rids": [old.rid]}

    revoked = api.http.get("/v2/certificate/dcc/revoked").json_body
    assert revoked[0]["hashType"] == "UCI" and revoked[0]["entries"] == [{"hash": hcert.uvci_hash(old.uvci)}]
    hashes = {entry["hash"] for entry in revoked[0]["entries"]}
    assert hcert.verify(old_dcc, trust(api), hashes).status == "revoked"
    assert hcert.verify(new.hc1, trust(api), hashes).status == "valid"
    assert hcert.verify(new.hc1, trust(api)).hcert["v"][0]["ci"] == new.uvci


def test_wrong_key_tampering_and_oversized_texts_are_invalid(api, traveller):
    from cryptography.hazmat.primitives.asymmetric import ec

    dcc = fetch(api, traveller["citizen"], traveller["ref"], "dcc").json_body["qr"]
    keys = trust(api)
    stranger = {kid: ec.generate_private_key(ec.SECP256R1()).public_key() for kid in keys}
    assert hcert.verify(dcc, stranger).reason == "signature does not match"
    assert hcert.verify(dcc, {}).unknown_key

    decoded = hcert.decode(dcc)
    forged = dict(decoded.claims)
    forged[hcert.HCERT_CLAIM] = {1: {**decoded.hcert, "dob": "1970-01-01"}}
    protected, payload, _ = hcert.signing_input(forged, decoded.kid)
    assert hcert.verify(hcert.encode(protected, payload, decoded.signature), keys).reason == "signature does not match"
    assert hcert.verify("HC1:" + "A" * hcert.MAX_TEXT, keys).status == "invalid"
    assert hcert.verify("HC1:not base45!", keys).reason == "not Base45"

    [card] = fetch(api, traveller["citizen"], traveller["ref"], "shc").json_body["verifiableCredential"]
    header, body, signature = card.split(".")
    claims = json.loads(zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), -15))
    claims["vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["birthDate"] = "1970-01-01"
    packed = zlib.compressobj(9, zlib.DEFLATED, -15)
    tampered = base64.urlsafe_b64encode(packed.compress(json.dumps(claims).encode()) + packed.flush()).rstrip(b"=")
    from joserfc.errors import BadSignatureError

    with pytest.raises(BadSignatureError):
        shc_payload(f"{header}.{tampered.decode()}.{signature}", jwks(api))


def test_public_trust_and_revocation_routes_refuse_junk(api, seeded):
    for path in ("/.well-known/crl/nope.json", "/.well-known/crl/jwks", "/.well-known/crl/%00.json"):
        response = api.http.get(path)
        assert response.status_code in (400, 404) and "errorCode" in response.json_body, path
    entries = api.http.get("/v2/certificate/dcc/trust-list").json_body
    assert entries and all(e["certificateType"] == "DSC" and len(base64.b64decode(e["kid"])) == 8 for e in entries)


def test_a_smart_health_card_is_not_mistaken_for_a_domestic_certificate(api, traveller, tmp_path):
    """Both are JWS signed by the same keys: the domestic verifier knows its own by type and id."""
    from chalicelib import verifier

    [card] = fetch(api, traveller["citizen"], traveller["ref"], "shc").json_body["verifiableCredential"]
    for text in (card, "shc:/" + "".join(f"{ord(c) - 45:02d}" for c in card), verifier.qr_text(card)):
        answer = post(api, "/v2/certificate/verify", {"qr": text})
        assert answer.status_code == 200 and answer.json_body["status"] == "invalid", answer.body
    assert verifier.verify(card, jwks(api)).status == "invalid"


def test_a_repeated_passport_request_gets_the_same_answer_and_a_correction_keeps_the_details_true(api, vaccinated):
    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    first, again = add_passport(api, citizen, ref), add_passport(api, citizen, ref)
    assert first.status_code == again.status_code == 200 and first.json_body == again.json_body
    wrong_year = post(api, "/v2/registration/beneficiary/correction",
                      {"beneficiary_reference_id": ref, "birth_year": "1991"}, citizen)
    assert wrong_year.status_code == 400 and wrong_year.json_body["errorCode"] == "BENREG0005"
    renamed = post(api, "/v2/registration/beneficiary/correction",
                   {"beneficiary_reference_id": ref, "name": "Asha Kulkarni"}, citizen)
    assert renamed.status_code == 200, renamed.body
    drain()
    assert shc_payload(fetch(api, citizen, ref, "shc").json_body["verifiableCredential"][0], jwks(api))[
        "vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["name"] == [
        {"family": "Kulkarni", "given": ["Asha"]}]


def test_a_deletion_read_before_a_passport_was_added_leaves_no_claim_behind(api, seeded, as_):
    from chalicelib.store import registration as people
    from chalicelib.store.registration import IdClaimItem, Outcome

    citizen = as_(OTHER_CITIZEN)
    ref = register(api, citizen, 9, name="Ravi Kumar")
    stale = people.get(ref)
    assert add_passport(api, citizen, ref, birth_date="1990-01-01").status_code == 200
    assert people.delete(stale) is Outcome.REFUSED
    assert post(api, "/v2/registration/beneficiary/delete", {"beneficiary_reference_id": ref},
                citizen).status_code == 204
    assert not [item for item in IdClaimItem.scan() if item.beneficiary_reference_id == ref]


def test_the_revocation_counter_grows_with_every_revocation_even_within_a_second(api, traveller, as_):
    versions = []
    for batch in ("4121Z091", "4121Z092"):
        fixed = post(api, f"{BASE}/doses/correction", {"beneficiary_reference_id": traveller["ref"], "dose": 1,
                                                       "batch": batch, "reason": "wrong batch typed"},
                     as_("9000000005"))
        assert fixed.status_code == 201, fixed.body
        drain()
        key = api.http.get("/.well-known/jwks.json").json_body["keys"][0]
        crl = api.http.get(f"/.well-known/crl/{key['kid']}.json")
        assert crl.json_body["ctr"] == key["crlVersion"] and crl.headers["Access-Control-Allow-Origin"] == "*"
        versions.append((key["crlVersion"], len(crl.json_body["rids"])))
    # The counter counts every revocation: adding the passport already superseded the domestic-only one.
    assert versions == [(2, 1), (3, 2)]


def test_a_smart_health_card_too_large_for_one_qr_is_left_out_and_the_rest_is_issued(api, vaccinated, monkeypatch):
    """No name a person can register is that large (tests/unit/test_international_rules.py), but were one
    so, the domestic certificate and the EU DCC are issued all the same, and the card is said to be missing."""
    from chalicelib.services import international as service

    monkeypatch.setattr(service, "MAX_SHC_DIGITS", 1000)
    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    assert add_passport(api, citizen, ref).status_code == 200
    drain()
    assert fetch(api, citizen, ref, "shc").json_body["errorCode"] == "CERTIF0005"
    dcc = fetch(api, citizen, ref, "dcc").json_body["qr"]
    assert hcert.verify(dcc, trust(api)).status == "valid"
    assert qrs_from_pdf(fetch(api, citizen, ref, "download").body) == {dcc}
    assert CertificateSlotItem.get(ref, 1).due_shard is None  # issued, not left to retry
