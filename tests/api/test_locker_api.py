"""Certificates in a document locker (docs/document-locker.md), through the API: the citizen's link is the
consent; the locker, signing its requests, pulls a person's URI and a document by URI only with it; every
issuance and reissue is pushed, and a reissue replaces the locker's copy."""
import base64
import json
import uuid

import pytest

from chalicelib.adapters.locker import simulator
from chalicelib.store.certificates import CertificateSlotItem
from tests.api.conftest import drain
from tests.api.test_vaccination_api import BASE, CITIZEN, OTHER_CITIZEN
from tests.helpers import locker_signed, post

LOCKER = "123e4567-e89b-42d3-a456-426655440000"
ISSUER = "in.gov.teeka"


def uri(certificate_id: str) -> str:
    return f"{ISSUER}-VACER-{certificate_id}"


def issued(ref: str, dose: int = 1) -> str:
    return CertificateSlotItem.get(ref, dose).issued_id


def link(api, headers, ref, locker_id=LOCKER):
    return post(api, "/v2/locker/link", {"beneficiary_reference_id": ref, "locker_id": locker_id}, headers)


def pull_doc(api, document_uri, locker_id=LOCKER, fmt="both", **signing):
    raw, headers = locker_signed({"format": fmt, "DocDetails": {"URI": document_uri, "DigiLockerId": locker_id}},
                                 **signing)
    return post(api, "/v2/locker/issuer/pullDoc", raw, headers)


def pull_uri(api, ref, locker_id=LOCKER, name="Asha Rao", dob="14-02-1990", mobile=CITIZEN, **signing):
    raw, headers = locker_signed({"format": "pdf", "DocDetails": {
        "DocType": "VACER", "DigiLockerId": locker_id, "UDF1": ref, "FullName": name, "DOB": dob,
        "Mobile": mobile}}, **signing)
    return post(api, "/v2/locker/issuer/pullUri", raw, headers)


def held(locker_id=LOCKER) -> list[str]:
    return [document["uri"] for document in simulator().documents(locker_id)]


def test_linking_pushes_the_issued_certificate_and_the_locker_pulls_it(api, vaccinated):
    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    assert held() == []
    linked = link(api, citizen, ref)
    assert linked.status_code == 200, linked.body
    assert linked.json_body["uris"] == [uri(issued(ref))]
    drain()  # the locker queue's worker pushes it
    [document] = simulator().documents(LOCKER)
    assert document["uri"] == uri(issued(ref)) and document["doc_type"] == "VACER"
    assert document["description"] == "COVID-19 vaccination certificate, dose 1 (provisional)"
    answer = pull_doc(api, document["uri"])
    assert answer.status_code == 200, answer.body
    assert answer.json_body["ResponseStatus"]["Status"] == "1"
    assert base64.b64decode(answer.json_body["DocDetails"]["DocContent"]).startswith(b"%PDF")
    data = json.loads(base64.b64decode(answer.json_body["DocDetails"]["DataContent"]))
    assert data["certificate_id"] == issued(ref) and data["qr"].startswith("teeka:/")
    assert post(api, "/v2/certificate/verify", {"qr": data["qr"]}).json_body["status"] == "valid"


def test_pull_uri_finds_the_persons_certificate_by_their_details_only_with_consent(api, vaccinated):
    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    refused = pull_uri(api, ref)
    assert refused.status_code == 403 and refused.json_body["errorCode"] == "LOCKER0002"
    assert link(api, citizen, ref).status_code == 200
    found = pull_uri(api, ref, name="  asha   RAO ")
    assert found.status_code == 200, found.body
    details = found.json_body["DocDetails"]
    assert details["URI"] == uri(issued(ref)) and base64.b64decode(details["DocContent"]).startswith(b"%PDF")
    assert "DataContent" not in details  # asked for the PDF only
    for wrong in ({"name": "Asha Rani"}, {"dob": "14-02-1991"}, {"mobile": OTHER_CITIZEN},
                  {"ref": "12345678901234"}):
        answer = pull_uri(api, **{"ref": ref, **wrong})
        assert answer.status_code == 404 and answer.json_body["errorCode"] == "LOCKER0003", (wrong, answer.body)
    other_account = pull_uri(api, ref, locker_id=str(uuid.uuid4()))
    assert other_account.status_code == 403 and other_account.json_body["errorCode"] == "LOCKER0002"


def test_a_pull_without_consent_is_refused_and_unlinking_withdraws_it(api, vaccinated):
    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    document_uri = uri(issued(ref))
    refused = pull_doc(api, document_uri)
    assert refused.status_code == 403 and refused.json_body["errorCode"] == "LOCKER0002"
    assert "DocContent" not in refused.body.decode()
    assert link(api, citizen, ref).status_code == 200
    assert pull_doc(api, document_uri).status_code == 200
    assert pull_doc(api, document_uri, locker_id=str(uuid.uuid4())).json_body["errorCode"] == "LOCKER0002"
    unlinked = post(api, "/v2/locker/unlink", {"beneficiary_reference_id": ref}, citizen)
    assert unlinked.status_code == 204, unlinked.body
    withdrawn = pull_doc(api, document_uri)
    assert withdrawn.status_code == 403 and withdrawn.json_body["errorCode"] == "LOCKER0002"


def test_only_the_beneficiarys_own_mobile_may_link_it(api, vaccinated, as_):
    ref = vaccinated["ref"]
    stranger = link(api, as_(OTHER_CITIZEN), ref)
    assert stranger.status_code == 400 and stranger.json_body["errorCode"] == "BENREG0009"
    assert post(api, "/v2/locker/unlink", {"beneficiary_reference_id": ref}, as_(OTHER_CITIZEN)).status_code == 400
    assert pull_doc(api, uri(issued(ref))).json_body["errorCode"] == "LOCKER0002"
    bad = link(api, vaccinated["citizen"], ref, locker_id="not-an-account")
    assert bad.status_code == 400 and bad.json_body["errorCode"] == "LOCKER0006"


@pytest.mark.parametrize("signing", [
    {"key": b"a key the locker was never given"},
    {"org_id": "in.gov.somebody-else"},
    {"sent_at": 0},  # 1970: far outside the window
    {"sent_at": 10 ** 10},  # the future
], ids=["wrong key", "wrong orgId", "old ts", "future ts"])
def test_a_request_not_signed_by_the_locker_gets_nothing(api, vaccinated, signing):
    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    assert link(api, citizen, ref).status_code == 200
    for answer in (pull_doc(api, uri(issued(ref)), **signing), pull_uri(api, ref, **signing)):
        assert answer.status_code == 403 and answer.json_body["errorCode"] == "LOCKER0001", answer.body
        assert "DocContent" not in answer.body.decode()


def test_a_body_changed_after_signing_is_refused(api, vaccinated):
    ref = vaccinated["ref"]
    assert link(api, vaccinated["citizen"], ref).status_code == 200
    raw, headers = locker_signed({"format": "pdf", "DocDetails": {"URI": uri(issued(ref)), "DigiLockerId": LOCKER}})
    tampered = raw.replace(b'"pdf"', b'"both"')
    answer = post(api, "/v2/locker/issuer/pullDoc", tampered, headers)
    assert answer.status_code == 403 and answer.json_body["errorCode"] == "LOCKER0001"
    assert post(api, "/v2/locker/issuer/pullDoc", raw, {}).json_body["errorCode"] == "LOCKER0001"  # no HMAC


def test_an_unknown_uri_is_not_found(api, vaccinated):
    assert link(api, vaccinated["citizen"], vaccinated["ref"]).status_code == 200
    for unknown in (uri(str(uuid.uuid4())), f"in.gov.other-VACER-{issued(vaccinated['ref'])}",
                    f"{ISSUER}-DRVLC-{issued(vaccinated['ref'])}", uri(issued(vaccinated["ref"]).upper()), "x"):
        answer = pull_doc(api, unknown)
        assert answer.status_code == 404 and answer.json_body["errorCode"] == "LOCKER0003", (unknown, answer.body)


def test_a_reissue_is_pushed_and_replaces_the_lockers_copy_and_the_old_uri_says_by_what(api, vaccinated, as_):
    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    assert link(api, citizen, ref).status_code == 200
    drain()
    old = uri(issued(ref))
    assert held() == [old]
    fixed = post(api, f"{BASE}/doses/correction", {"beneficiary_reference_id": ref, "dose": 1, "batch": "4121Z099",
                                                   "reason": "wrong batch typed"}, as_("9000000005"))
    assert fixed.status_code == 201, fixed.body
    drain()  # dose stream -> certificates queue -> reissue -> locker queue -> push
    new = uri(issued(ref))
    assert new != old and held() == [new]  # the new URI, and not the old one
    replaced = pull_doc(api, old)
    assert replaced.status_code == 410, replaced.body
    assert replaced.json_body["errorCode"] == "LOCKER0004" and replaced.json_body["replacedBy"] == new
    assert pull_doc(api, new).status_code == 200


def test_pushes_are_idempotent_and_a_stale_one_changes_nothing(api, vaccinated, as_):
    """The worker run again, or late (after a newer certificate was pushed), leaves the locker as it is."""
    from chalicelib.config import get_settings
    from chalicelib.services import locker

    ref = vaccinated["ref"]
    assert link(api, vaccinated["citizen"], ref).status_code == 200
    drain()
    for _ in range(2):
        locker.push(ref, 1, get_settings().country)
    assert held() == [uri(issued(ref))]
    locker.push(ref, 2, get_settings().country)  # no dose 2: nothing to push
    assert held() == [uri(issued(ref))]


def test_issuance_for_an_unlinked_beneficiary_queues_no_push(api, vaccinated):
    import boto3

    from chalicelib.adapters.queues import queue_url

    attributes = boto3.client("sqs", region_name="ap-south-1").get_queue_attributes(
        QueueUrl=queue_url("locker"), AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"


def test_a_push_that_cannot_be_queued_does_not_break_issuance(api, vaccinated, as_, monkeypatch):
    from chalicelib.adapters import queues

    ref = vaccinated["ref"]
    assert link(api, vaccinated["citizen"], ref).status_code == 200
    drain()
    real = queues.send_many

    def refuse_locker(name, bodies):
        if name == queues.LOCKER:
            raise RuntimeError("SQS is down")
        return real(name, bodies)

    monkeypatch.setattr(queues, "send_many", refuse_locker)
    old_id = issued(ref)
    fixed = post(api, f"{BASE}/doses/correction", {"beneficiary_reference_id": ref, "dose": 1, "batch": "4121Z097",
                                                   "reason": "wrong batch typed"}, as_("9000000005"))
    assert fixed.status_code == 201
    drain()
    assert issued(ref) != old_id and CertificateSlotItem.get(ref, 1).due_shard is None  # issued all the same
    assert held() == [uri(old_id)]  # the locker missed it; its pull by details finds the new one
    assert pull_uri(api, ref).json_body["DocDetails"]["URI"] == uri(issued(ref))


def test_a_country_without_a_locker_refuses_its_routes(api, vaccinated, monkeypatch):
    from chalicelib.config import get_settings

    monkeypatch.setenv("TEEKA_COUNTRY_PROFILE", json.dumps({"document_locker_issuer": ""}))
    get_settings.cache_clear()
    try:
        answer = link(api, vaccinated["citizen"], vaccinated["ref"])
        assert answer.status_code == 404 and answer.json_body["errorCode"] == "LOCKER0005"
        assert pull_doc(api, uri(issued(vaccinated["ref"]))).json_body["errorCode"] == "LOCKER0005"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_local_window_shows_an_accounts_documents_and_the_partners_credentials(api, vaccinated):
    from chalicelib.adapters.secrets import get_secrets

    assert link(api, vaccinated["citizen"], vaccinated["ref"]).status_code == 200
    drain()
    window = api.http.get(f"/_local/locker?locker_id={LOCKER}").json_body
    assert [document["uri"] for document in window["documents"]] == [uri(issued(vaccinated["ref"]))]
    partner = api.http.get("/_local/locker/partner").json_body
    assert partner["orgId"] == "in.gov.digilocker" and partner["key"].encode() == get_secrets().locker_key
    assert api.http.get("/_local/locker?locker_id=nope").json_body["errorCode"] == "LOCKER0006"


def test_the_simulators_window_skips_a_document_taken_out_while_it_reads(api, vaccinated, monkeypatch):
    """The local window lists the account, then reads each document: one a push takes out in between is
    simply not held (a race the end-to-end test of a reissue met), never a 500."""
    from chalicelib.adapters import aws
    from chalicelib.adapters.locker import LockerDocument

    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    assert link(api, citizen, ref).status_code == 200
    drain()
    [held_uri] = held()
    s3 = aws.client("s3")
    real_get = s3.get_object

    def taken_out_meanwhile(**kwargs):
        simulator().push(LOCKER, LockerDocument(held_uri, "VACER", held_uri[-36:], "", ""), "D")
        return real_get(**kwargs)

    monkeypatch.setattr(s3, "get_object", taken_out_meanwhile)
    answer = api.http.get(f"/_local/locker?locker_id={LOCKER}")
    assert answer.status_code == 200 and answer.json_body["documents"] == []
