"""Certificates through the API: issued from the dose event, downloaded by the owner only, verified
independently from the PDF's pixels with a standard JOSE library, reissued and revoked on corrections."""
import json
import zlib
from dataclasses import replace

import pytest

from chalicelib.config import get_settings
from chalicelib.domain.records import CertificateRecord
from chalicelib.store.base import record_of
from chalicelib.store.certificates import CertificateItem, CertificateSlotItem
from local import carrier as local_carrier
from local import dispatcher
from tests.api.conftest import drain
from tests.api.test_vaccination_api import (
    BASE,
    CITIZEN,
    OTHER_CITIZEN,
    VACCINATOR,
    VERIFIER,
    book,
    door,
    dose,
    register,
    session_at,
)
from tests.helpers import aadhaar, post

PUBLIC, PROTECTED = "/v2/registration/certificate/public/download", "/v2/registration/certificate/download"


def download(api, path, ref, headers, accept="application/pdf"):
    return api.http.get(f"{path}?beneficiary_reference_id={ref}", headers={**headers, "Accept": accept})


def jwks(api) -> dict:
    response = api.http.get("/.well-known/jwks.json")
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    return response.json_body


def qr_from_pdf(pdf: bytes) -> str:
    """Render the PDF's page to pixels and read the QR code with a real decoder."""
    import pypdfium2
    import zxingcpp

    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    [barcode] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return barcode.text


def verify_with_joserfc(qr: str, keys: dict) -> dict:
    """What any verifier does with a standard JOSE library and only the JWKS."""
    from joserfc import jws
    from joserfc.jwk import KeySet
    from joserfc.registry import HeaderParameter

    assert qr.startswith("teeka:/")
    digits = qr[len("teeka:/"):]
    compact = "".join(chr(int(digits[i:i + 2]) + 45) for i in range(0, len(digits), 2))
    # `zip` is not a registered JWS header (SMART Health Cards use it the same way): declare it.
    registry = jws.JWSRegistry(header_registry={"zip": HeaderParameter("Compression", "str")}, algorithms=["ES256"])
    token = jws.deserialize_compact(compact, KeySet.import_key_set(keys), registry=registry)
    assert token.protected["zip"] == "DEF"
    return json.loads(zlib.decompress(token.payload, -15))


def test_a_dose_issues_a_provisional_certificate_that_downloads_as_pdf_and_verifies_from_its_pixels(
        api, vaccinated, as_):
    ref = vaccinated["ref"]
    for path in (PUBLIC, PROTECTED):
        response = download(api, path, ref, vaccinated["citizen"])
        assert response.status_code == 200, response.body
        assert response.headers["Content-Type"] == "application/pdf" and response.body.startswith(b"%PDF")
    qr = qr_from_pdf(response.body)
    claims = verify_with_joserfc(qr, jwks(api))
    vc = claims["vc"]
    assert vc["type"] == ["VerifiableCredential", "ProofOfVaccinationCredential"]
    person, [evidence] = vc["credentialSubject"], vc["evidence"]
    assert person["name"] == "Asha Rao" and person["refId"] == ref and person["gender"] == "Female"
    assert person["id"].startswith("did:Aadhaar Card:********") and person["age"].isdigit()
    assert evidence["vaccine"] == "COVISHIELD" and evidence["manufacturer"] == "Serum Institute of India"
    assert evidence["dose"] == 1 and evidence["totalDoses"] == 2 and evidence["status"] == "provisional"
    assert evidence["batch"] == "4121Z025" and evidence["facility"]["name"] == "Seven Hills Hospital"
    assert evidence["verifier"]["name"] and evidence["facility"]["address"]["addressRegion"] == "Maharashtra"
    certificate_id = claims["jti"].removeprefix("urn:uuid:")
    assert claims["iss"] == "https://teeka.health/" and claims["nbf"] > 0
    assert any("certificate for dose 1" in m["message"] for m in local_carrier.messages_for(CITIZEN))

    answer = post(api, "/v2/certificate/verify", {"qr": qr}).json_body
    assert answer["status"] == "valid" and answer["certificate"]["name"] == "Asha Rao"
    assert answer["certificate"]["certificate_id"] == certificate_id


def test_a_tampered_qr_is_invalid_for_the_api_and_for_joserfc(api, vaccinated):
    from joserfc.errors import BadSignatureError

    credential = api.http.get(f"/v2/registration/certificate/credential?beneficiary_reference_id={vaccinated['ref']}",
                              headers=vaccinated["citizen"]).json_body
    header, payload, signature = credential["jws"].split(".")
    import base64

    claims = json.loads(zlib.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)), -15))
    claims["vc"]["credentialSubject"]["name"] = "Someone Else"
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    forged_payload = base64.urlsafe_b64encode(deflate.compress(json.dumps(claims).encode()) + deflate.flush())
    forged = ".".join([header, forged_payload.decode().rstrip("="), signature])
    forged_qr = "teeka:/" + "".join(f"{ord(c) - 45:02d}" for c in forged)
    with pytest.raises(BadSignatureError):
        verify_with_joserfc(forged_qr, jwks(api))
    answer = post(api, "/v2/certificate/verify", {"qr": forged_qr}).json_body
    assert answer == {"status": "invalid", "reason": "signature does not match"}
    for junk in ("hello", "teeka:/123", "teeka:/" + "9" * 10, "a.b.c"):
        assert post(api, "/v2/certificate/verify", {"qr": junk}).json_body["status"] == "invalid"
    refused = post(api, "/v2/certificate/verify", {"qr": 7})
    assert refused.status_code == 400 and refused.json_body["errorCode"] == "CERTIF0002"


def test_only_the_owning_mobile_downloads(api, vaccinated, as_):
    ref = vaccinated["ref"]
    other = download(api, PUBLIC, ref, as_(OTHER_CITIZEN))
    assert other.status_code == 400 and other.json_body["errorCode"] == "BENREG0009"
    assert download(api, PROTECTED, ref, {}).status_code == 401
    staff = download(api, PUBLIC, ref, as_(VACCINATOR))  # staff are citizens of their own mobile, nothing more
    assert staff.status_code == 400 and staff.json_body["errorCode"] == "BENREG0009"
    assert download(api, PUBLIC, "12345678901234", vaccinated["citizen"]).json_body["errorCode"] == "BENREG0009"
    missing = api.http.get(PUBLIC, headers=vaccinated["citizen"])
    assert missing.status_code == 400 and missing.json_body["errorCode"] == "USRRES0001"


def test_no_certificate_before_a_dose_is_a_clear_404(api, seeded, as_):
    ref = register(api, as_(CITIZEN), 2)
    response = download(api, PUBLIC, ref, as_(CITIZEN))
    assert response.status_code == 404 and response.json_body["errorCode"] == "CERTIF0001"


def test_event_and_sweep_together_issue_exactly_one_certificate_per_dose(api, vaccinated):
    from chalicelib.services import certificates, outbox

    ref = vaccinated["ref"]
    [slot] = list(CertificateSlotItem.query(ref))
    for _ in range(3):  # duplicate queue messages and sweeps change nothing
        assert certificates.issue(ref, 1, get_settings().country) == "current"
        outbox.request_certificates(ref, [1])
    assert certificates.sweep(now=10**10) == 0
    drain()
    assert len(list(CertificateItem.scan())) == 1
    assert CertificateSlotItem.get(ref, 1).issued_id == slot.issued_id
    assert sum("certificate for dose 1" in m["message"] for m in local_carrier.messages_for(CITIZEN)) == 1


def test_the_sweep_issues_what_the_event_path_missed(api, seeded, as_):
    """The dose lands but its stream event is never delivered: the slot it wrote is due, the sweep finds it."""
    from chalicelib.services import certificates

    citizen = as_(CITIZEN)
    ref = register(api, citizen, 3)
    session_id = session_at(seeded)
    appointment_id, code = book(api, citizen, session_id, [ref])
    checked = post(api, f"{BASE}/verify", door(appointment_id, ref, session_id, code, last4=aadhaar(3)[-4:]),
                   as_(VERIFIER))
    assert checked.status_code == 200, checked.body
    recorded = post(api, f"{BASE}/doses", dose(ref, session_id), as_(VACCINATOR)).json_body
    slot = CertificateSlotItem.get(ref, 1)
    assert slot.due_shard and slot.issued_id is None
    assert certificates.sweep(now=int(slot.due_at) + 60) == 0  # within the event path's grace period
    assert certificates.sweep(now=int(slot.due_at) + 600) == 1
    from app import app

    dispatcher._poll_queues(app, 0)  # only the queues: the stream's event stays undelivered
    slot = CertificateSlotItem.get(ref, 1)
    assert slot.issued_id and slot.due_shard is None and recorded["dose"] == 1
    assert download(api, PUBLIC, ref, citizen).status_code == 200


def test_a_dose_correction_reissues_and_revokes_the_old_certificate(api, vaccinated, as_):
    ref = vaccinated["ref"]
    first = qr_from_pdf(download(api, PUBLIC, ref, vaccinated["citizen"]).body)
    old_id = CertificateSlotItem.get(ref, 1).issued_id
    fixed = post(api, f"{BASE}/doses/correction", {"beneficiary_reference_id": ref, "dose": 1, "batch": "4121Z099",
                                                   "reason": "wrong batch typed"}, as_("9000000005"))
    assert fixed.status_code == 201, fixed.body
    drain()
    slot = CertificateSlotItem.get(ref, 1)
    assert slot.issued_id != old_id and slot.due_shard is None
    second = qr_from_pdf(download(api, PUBLIC, ref, vaccinated["citizen"]).body)
    assert verify_with_joserfc(second, jwks(api))["vc"]["evidence"][0]["batch"] == "4121Z099"
    old = post(api, "/v2/certificate/verify", {"qr": first}).json_body
    assert old["status"] == "revoked" and old["superseded_by"] == slot.issued_id
    assert post(api, "/v2/certificate/verify", {"qr": second}).json_body["status"] == "valid"
    listing = api.http.get("/v2/certificate/revoked").json_body
    assert [entry["certificate_id"] for entry in listing["revoked"]] == [old_id] and listing["next"] is None


def test_a_name_correction_reissues_every_dose_certificate(api, vaccinated):
    ref = vaccinated["ref"]
    old_id = CertificateSlotItem.get(ref, 1).issued_id
    corrected = post(api, "/v2/registration/beneficiary/correction",
                     {"beneficiary_reference_id": ref, "name": "Asha R. Rao"}, vaccinated["citizen"])
    assert corrected.status_code == 200, corrected.body
    drain()
    qr = qr_from_pdf(download(api, PUBLIC, ref, vaccinated["citizen"]).body)
    answer = post(api, "/v2/certificate/verify", {"qr": qr}).json_body
    assert answer["status"] == "valid" and answer["certificate"]["name"] == "Asha R. Rao"
    assert CertificateItem.get(old_id).revoked_reason == "superseded"


def test_key_rotation_keeps_old_certificates_verifiable(api, vaccinated):
    from chalicelib.adapters import signing

    before = jwks(api)
    old_qr = api.http.get(f"/v2/registration/certificate/credential?beneficiary_reference_id={vaccinated['ref']}",
                          headers=vaccinated["citizen"]).json_body["qr"]
    signing.rotate()
    after = signing.jwks()
    assert len(after["keys"]) == 2 and before["keys"][0] in after["keys"]
    assert signing.signing_key().kid != before["keys"][0]["kid"]
    assert verify_with_joserfc(old_qr, after)["vc"]["evidence"][0]["dose"] == 1
    assert post(api, "/v2/certificate/verify", {"qr": old_qr}).json_body["status"] == "valid"


def test_revocation_list_pages_and_rejects_junk(api, seeded):
    from chalicelib.services import certificates
    from chalicelib.store import certificates as store

    for i in range(5):
        CertificateItem(f"00000000-0000-4000-8000-00000000000{i}", beneficiary_reference_id="1", dose=1,
                        kind="final", issued_at=1, revoked_list=store.REVOKED, revoked_at=1000 + i // 2,
                        revoked_reason="superseded").save()
    original, certificates.REVOCATION_PAGE = certificates.REVOCATION_PAGE, 2
    try:
        seen, cursor = [], ""
        while True:
            page = api.http.get(f"/v2/certificate/revoked?since=1000{cursor}").json_body
            seen += [entry["certificate_id"] for entry in page["revoked"]]
            if not page["next"]:
                break
            cursor = f"&next={page['next']}"
    finally:
        certificates.REVOCATION_PAGE = original
    assert len(seen) == 5 == len(set(seen))
    assert len(api.http.get("/v2/certificate/revoked?since=1002").json_body["revoked"]) == 1
    for junk in ("since=soon", "next=%%%", "next=WzEsMl0"):
        refused = api.http.get(f"/v2/certificate/revoked?{junk}")
        assert refused.status_code == 400 and refused.json_body["errorCode"] == "CERTIF0003"


def test_dynamodb_calls_of_the_certificate_paths(api, vaccinated, as_):
    """Download: 1 Query (the slots) + S3. Verify: 1 GetItem (revocation); an invalid QR: none.
    A duplicate issuance message: 1 GetItem. A reissue: GetItem slot + GetItem beneficiary + Query doses +
    BatchGetItem (the vaccinator's name) + 2 TransactWriteItems (claim, complete) + GetItem (locker link)."""
    from chalicelib.services import certificates
    from local.metering import count_dynamodb_calls

    ref = vaccinated["ref"]
    with count_dynamodb_calls() as calls:
        pdf = download(api, PUBLIC, ref, vaccinated["citizen"]).body
    assert calls == {"Query": 1}
    qr = qr_from_pdf(pdf)
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/certificate/verify", {"qr": qr}).json_body["status"] == "valid"
    assert calls == {"GetItem": 1}
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/certificate/verify", {"qr": qr[:-4] + "0000"}).json_body["status"] == "invalid"
    assert calls == {}
    with count_dynamodb_calls() as calls:
        assert certificates.issue(ref, 1, get_settings().country) == "current"
    assert calls == {"GetItem": 1}
    fixed = post(api, f"{BASE}/doses/correction", {"beneficiary_reference_id": ref, "dose": 1, "batch": "4121Z098",
                                                   "reason": "batch mistyped"}, as_("9000000005"))
    assert fixed.status_code == 201, fixed.body
    with count_dynamodb_calls() as calls:
        assert certificates.issue(ref, 1, get_settings().country) == "issued"
    # + the language, + the document locker link (docs/document-locker.md)
    assert calls == {"GetItem": 4, "Query": 1, "BatchGetItem": 1, "TransactWriteItems": 2}


def test_two_finishers_of_one_claim_complete_it_once(api, vaccinated):
    """A worker claims, stalls, and the sweep's worker finishes the same claim: one completion, one SMS."""
    from chalicelib.services import certificates
    from chalicelib.store import certificates as store

    ref = vaccinated["ref"]
    slot = CertificateSlotItem.get(ref, 1)
    fixed = CertificateSlotItem.get(ref, 1)
    certificate = CertificateItem.get(slot.issued_id)
    assert not store.complete(fixed, replace(record_of(certificate, CertificateRecord), jws="x"), 1)
    assert CertificateItem.get(slot.issued_id).jws != "x"
    assert certificates.issue(ref, 1, get_settings().country) == "current"
