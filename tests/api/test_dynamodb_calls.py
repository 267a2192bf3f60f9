"""Each request path makes exactly the DynamoDB calls its docstring promises, no more."""
from local.metering import count_dynamodb_calls
from tests.helpers import last_otp, post, sha256


def test_generate_otp_is_one_transaction_and_the_accounts_language(api):
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/auth/public/generateOTP", {"mobile": "9876543210"}).status_code == 200
    assert calls == {"TransactWriteItems": 1, "GetItem": 1}


def test_confirm_otp_spends_an_attempt_consumes_records_and_reads_roles(api):
    txn = post(api, "/v2/auth/public/generateOTP", {"mobile": "9876543210"}).json_body["txnId"]
    with count_dynamodb_calls() as calls:
        response = post(api, "/v2/auth/confirmOTP", {"otp": sha256(last_otp("9876543210")), "txnId": txn})
    assert response.status_code == 200
    assert calls == {"UpdateItem": 3, "GetItem": 1}


def test_metadata_reads_no_table(api):
    with count_dynamodb_calls() as calls:
        api.http.get("/v2/admin/location/states")
        api.http.get("/v2/admin/location/districts/21")
    assert sum(calls.values()) == 0


def test_registration_paths(api):
    from tests.helpers import bearer, login, person

    headers = bearer(login(api, "9876543210"))
    with count_dynamodb_calls() as calls:
        reference_id = post(api, "/v2/registration/beneficiary/new", person(1), headers).json_body[
            "beneficiary_reference_id"]
    assert calls == {"TransactWriteItems": 1}
    with count_dynamodb_calls() as calls:
        api.http.get("/v2/appointment/beneficiaries", headers=headers)
    assert calls == {"Query": 1}
    with count_dynamodb_calls() as calls:
        post(api, "/v2/registration/beneficiary/delete", {"beneficiary_reference_id": reference_id}, headers)
    assert calls == {"GetItem": 1, "TransactWriteItems": 1}


def test_a_report_view_is_a_query_per_shard_and_a_districts_adds_its_sites(api):
    from chalicelib.store.stats import SHARDS

    with count_dynamodb_calls() as calls:
        assert api.http.get("/v1/reports/v2/getPublicReports").status_code == 200
        assert api.http.get("/v1/reports/v2/getPublicReports?state_id=21").status_code == 200
    assert SHARDS == 8 and calls == {"Query": 2 * 8}  # each area's 8 partitions (its shards)
    with count_dynamodb_calls() as calls:
        assert api.http.get("/v1/reports/v2/getPublicReports?state_id=21&district_id=395").status_code == 200
    assert calls == {"Query": 8 + 1}  # its counters' 8 shards, and its sites' names


def test_a_days_open_data_is_one_batch_of_its_known_keys(api):
    with count_dynamodb_calls() as calls:
        assert api.http.get("/v1/reports/v2/openData.csv").status_code == 200
        assert api.http.get("/v1/reports/v2/openData.csv?state_id=21&district_id=395").status_code == 200
    assert calls == {"BatchGetItem": 2}  # the area's day item on each of its 8 shards: 8 keys, one call each


def test_a_stream_batch_of_doses_is_counted_in_one_transaction(api):
    from chalicelib.config import load_pack
    from chalicelib.services import stats

    doses = [{"kind": "dose", "record_id": f"r{i}", "given_at": 1796047807, "given_on": "2026-11-30",
              "state_id": 21, "district_id": 395, "center_id": 100001 + i % 5, "vaccine": "COVISHIELD",
              "dose": 1, "birth_year": 1990, "gender_id": 1 + i % 3} for i in range(100)]
    with count_dynamodb_calls() as calls:
        assert stats.count_doses(doses, load_pack("in"), 1796047807) == 100
    assert calls == {"TransactWriteItems": 2}  # 100 markers, 16 counter items (6, 10 site slices) each: 2 of <= 100
    from chalicelib.store.stats import SHARDS, StatsItem

    written = {(item.area, item.period) for item in StatsItem.scan() if not item.area.startswith("applied#")}
    # each transaction writes one shard of each area, the shard in the partition key: `state#21#<shard>`
    assert {int(area.rsplit("#", 1)[1]) for area, _ in written} <= set(range(SHARDS))
    assert {(area.rsplit("#", 1)[0], period.split("~")[0]) for area, period in written} == {
        (area, period) for area in ("country", "state#21", "district#395") for period in ("2026-11-30", "all")}


def test_assisted_registration_paths(api, seeded):
    """An operator's consent costs what a login does; each action, the citizen's own calls: its record and
    the operator's count join the action's transaction, and the consent is a signed token (no read)."""
    from tests.api.test_vaccination_api import session_at
    from tests.helpers import bearer, login, person

    operator, admin = bearer(login(api, "9000000020")), bearer(login(api, "9000000003"))
    with count_dynamodb_calls() as calls:
        txn = post(api, "/v2/assisted/consent", {"mobile": "9876543210"}, operator).json_body["txnId"]
    assert calls == {"GetItem": 2, "TransactWriteItems": 1}  # the operator, the citizen's language
    with count_dynamodb_calls() as calls:
        answer = post(api, "/v2/assisted/consent/confirm", {"txnId": txn, "otp": sha256(last_otp("9876543210"))},
                      operator)
    assert calls == {"UpdateItem": 2, "GetItem": 1, "PutItem": 1}  # spend, consume, the operator, the record
    acting = {**operator, "X-Consent-Token": answer.json_body["consent"]}
    with count_dynamodb_calls() as calls:
        ref = post(api, "/v2/assisted/beneficiary/new", person(1), acting).json_body["beneficiary_reference_id"]
    assert calls == {"TransactWriteItems": 1}
    with count_dynamodb_calls() as calls:
        assert api.http.get("/v2/assisted/beneficiaries", headers=acting).status_code == 200
    assert calls == {"Query": 1}
    with count_dynamodb_calls() as calls:
        booked = post(api, "/v2/assisted/appointment/schedule", {"dose": 1, "session_id": session_at(seeded, days=1),
                                                                "slot": "09:00AM-11:00AM", "beneficiaries": [ref]},
                      acting)
    # As a citizen's booking: then the slot alerts' Query and the reminder's write.
    assert calls == {"TransactGetItems": 1, "TransactWriteItems": 1, "Query": 1, "BatchWriteItem": 1}
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/assisted/appointment/cancel", {"appointment_id": booked.json_body["appointment_id"],
                                                             "beneficiariesToCancel": [ref]}, acting).status_code == 204
    assert calls == {"Query": 1, "GetItem": 1, "TransactWriteItems": 1}
    with count_dynamodb_calls() as calls:
        assert api.http.get("/v2/assisted/actions", headers=operator).status_code == 200
    assert calls == {"Query": 1}
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/admin/operators", {"mobile": "9000000021", "name": "Ila Operator", "desk": "CSC Kurla",
                                                 "district_id": 395}, admin).status_code == 201
        assert post(api, "/v2/admin/operators/deactivate", {"mobile": "9000000021"}, admin).status_code == 200
    assert calls == {"UpdateItem": 2}
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/admin/operators/actions", {"mobile": "9000000020", "from": seeded, "to": seeded},
                    admin).status_code == 200
    assert calls == {"Query": 1}


def test_the_stocks_requests_and_a_doses_draw(api, staff, seeded):
    """Where stock is tracked (docs/stock.md): receive, a dose opening a vial and one using it, a vial opened
    by hand, a close, the reports, and planning within the stock."""
    from tests.api.test_stock_api import HERE, STOCK, batch_number, give, people, plan, receive, report, session_at

    batch = batch_number()
    with count_dynamodb_calls() as calls:
        assert receive(api, staff["admin"], batch, vials=2, doses_per_vial=2).status_code == 201
    assert calls == {"GetItem": 2, "TransactWriteItems": 1}  # the centre; the batch as it now stands
    session_id = session_at(seeded)
    who = people(3)
    with count_dynamodb_calls() as calls:  # the dose opens vial 1
        assert give(api, staff["vaccinator"], session_id, batch, who[0]).status_code == 201
    assert calls == {"TransactGetItems": 1, "Query": 1, "GetItem": 1, "TransactWriteItems": 1}
    with count_dynamodb_calls() as calls:  # the dose uses vial 1
        assert give(api, staff["vaccinator"], session_id, batch, who[1]).status_code == 201
    assert calls == {"TransactGetItems": 1, "Query": 1, "TransactWriteItems": 1}
    with count_dynamodb_calls() as calls:
        assert post(api, f"{STOCK}/sessions/{session_id}/vials", {"batch": batch}, staff["admin"]).status_code == 201
    assert calls == {"TransactGetItems": 1, "Query": 1, "GetItem": 1, "TransactWriteItems": 1}
    with count_dynamodb_calls() as calls:
        assert post(api, f"{STOCK}/sessions/{session_id}/close", {}, staff["admin"]).status_code == 200
    assert calls == {"TransactGetItems": 1, "Query": 1, "TransactWriteItems": 1}
    with count_dynamodb_calls() as calls:
        assert report(api, staff["admin"], f"center_id={HERE}", seeded).status_code == 200
    assert calls == {"GetItem": 1, "Query": 1}
    with count_dynamodb_calls() as calls:
        assert report(api, staff["district"], "district_id=395", seeded).status_code == 200
    assert calls == {"Query": 8}  # its 8 shards
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/admin/sessions", plan(HERE, seeded, 12, 10), staff["district"]).status_code == 201
    # The centre; its batches, its sessions up to that day, and the vials of today's session of the vaccine
    # (which holds what its open vials still hold); the session.
    assert calls == {"GetItem": 1, "Query": 3, "PutItem": 1}


def test_grievance_paths(api, seeded, as_):
    from datetime import date, timedelta

    from tests.api.test_grievances_api import CITIZEN, MUMBAI_ADMIN, given
    from tests.api.test_vaccination_api import register

    citizen, officer = as_(CITIZEN), as_(MUMBAI_ADMIN)
    ref = register(api, citizen, 1)
    given(ref, 1, date.today() - timedelta(days=30))
    with count_dynamodb_calls() as calls:
        ticket = post(api, "/v2/grievances", {"type": "dose_details", "beneficiary_reference_id": ref, "dose": 1,
                                              "batch": "4121Z026"}, citizen).json_body["ticket_id"]
    assert calls == {"GetItem": 1, "Query": 2, "TransactWriteItems": 1}  # the member; its doses and slots
    with count_dynamodb_calls() as calls:
        assert api.http.get(f"/v2/grievances/{ticket}", headers=citizen).status_code == 200
        assert api.http.get("/v2/grievances", headers=citizen).status_code == 200
        assert api.http.get("/v2/admin/grievances?district_id=395", headers=officer).status_code == 200
    assert calls == {"Query": 3}
    with count_dynamodb_calls() as calls:
        assert post(api, f"/v2/admin/grievances/{ticket}/review", {}, officer).status_code == 200
    assert calls == {"Query": 1, "TransactWriteItems": 1}
    with count_dynamodb_calls() as calls:
        assert post(api, f"/v2/admin/grievances/{ticket}/resolve", {}, officer).status_code == 200
    assert calls == {"Query": 3, "GetItem": 1, "TransactWriteItems": 1}  # + the member, its doses and slots


def test_the_document_locker_paths(api, vaccinated, as_):
    """docs/document-locker.md: link, the locker's two pulls, and the push worker; unlink."""
    from chalicelib.config import get_settings
    from chalicelib.services import locker
    from tests.api.test_locker_api import LOCKER, issued, link, pull_doc, pull_uri, uri

    ref, citizen = vaccinated["ref"], vaccinated["citizen"]
    with count_dynamodb_calls() as calls:
        assert link(api, citizen, ref).status_code == 200
    assert calls == {"GetItem": 2, "PutItem": 1, "Query": 1}  # owner, earlier link; the link; issued slots
    with count_dynamodb_calls() as calls:
        locker.push(ref, 1, get_settings().country)
    assert calls == {"GetItem": 3, "UpdateItem": 1}  # link, slot, certificate; what the account now holds
    with count_dynamodb_calls() as calls:
        locker.push(ref, 1, get_settings().country)
    assert calls == {"GetItem": 2}  # a duplicate: the link says the account holds it already
    document = uri(issued(ref))
    with count_dynamodb_calls() as calls:
        assert pull_doc(api, document).status_code == 200
    assert calls == {"GetItem": 2}  # the certificate, the link
    with count_dynamodb_calls() as calls:
        assert pull_uri(api, ref).status_code == 200
    assert calls == {"GetItem": 3, "Query": 1}  # the person, the link, the certificate; the slots
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/locker/unlink", {"beneficiary_reference_id": ref}, citizen).status_code == 204
    assert calls == {"GetItem": 1, "DeleteItem": 1}
    assert pull_doc(api, document, locker_id=LOCKER).json_body["errorCode"] == "LOCKER0002"


def test_issuance_reads_the_link_once_more(api, vaccinated, as_):
    """A certificate's issuance adds 1 GetItem (is the beneficiary linked to a locker?) to its calls."""
    from chalicelib.config import get_settings
    from chalicelib.services import certificates
    from chalicelib.store import certificates as certificate_store
    from chalicelib.store.certificates import CertificateSlotItem
    from tests.api.test_locker_api import link

    ref = vaccinated["ref"]
    assert link(api, vaccinated["citizen"], ref).status_code == 200
    # Marked due again with other facts (as a correction does): a new certificate is issued.
    CertificateSlotItem(ref, 1).update(actions=[
        CertificateSlotItem.marks.add(1), CertificateSlotItem.due_shard.set(certificate_store.due_shard(ref)),
        CertificateSlotItem.due_at.set(1), CertificateSlotItem.claimed_basis.set("other facts")])
    with count_dynamodb_calls() as calls:
        assert certificates.issue(ref, 1, get_settings().country) == certificates.ISSUED
    # slot, beneficiary, account's language, the locker link (new); doses; vaccinator; claim and complete
    assert calls == {"GetItem": 4, "Query": 1, "BatchGetItem": 1, "TransactWriteItems": 2}
def test_kycvs_paths(api, seeded):
    """A status checker's call: its key's GetItem and its minute's UpdateItem, then a request costs what a
    login's OTP does with its record in the OTP's transaction; an answer, what a confirmation does with the
    record's update and the people; the admins' and the person's lists, one Query each (docs/kycvs.md)."""
    import re

    from local import carrier as local_carrier
    from local.seed import DEMO_VERIFIER_KEY
    from tests.helpers import bearer, login, person

    key = {"X-Api-Key": DEMO_VERIFIER_KEY}
    citizen = bearer(login(api, "9876543210"))
    post(api, "/v2/registration/beneficiary/new", person(1), citizen)
    national = bearer(login(api, "9000000001"))
    with count_dynamodb_calls() as calls:
        asked = post(api, "/v2/kycvs/request", {"mobile": "9876543211"}, key)
    assert asked.status_code == 200 and calls == {"GetItem": 2, "UpdateItem": 1, "TransactWriteItems": 1}
    request_id = asked.json_body["request_id"]
    code = re.search(r"code (\d{6})", local_carrier.messages_for("9876543211")[-1]["message"]).group(1)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/kycvs/answer", {"request_id": request_id, "otp": wrong}, key).status_code == 400
    assert calls == {"GetItem": 1, "UpdateItem": 3}  # key; minute, spend, the record's wrong code
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/kycvs/answer", {"request_id": request_id, "otp": code}, key).status_code == 200
    assert calls == {"GetItem": 1, "UpdateItem": 4, "Query": 1}  # key; minute, spend, consume, answered; people
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/kycvs/answer", {"request_id": request_id, "otp": "12"}, key).status_code == 400
    assert calls == {"GetItem": 1}  # a malformed code is refused before the minute is counted
    with count_dynamodb_calls() as calls:
        assert api.http.get("/v2/kycvs/requests", headers=citizen).status_code == 200
    assert calls == {"Query": 1}
    with count_dynamodb_calls() as calls:
        assert api.http.get("/v2/admin/kycvs/verifiers", headers=national).status_code == 200
    assert calls == {"Query": 1, "BatchGetItem": 1}
    with count_dynamodb_calls() as calls:
        assert post(api, "/v2/admin/kycvs/verifiers", {"name": "Air Deccan", "scopes": ["status"],
                                                      "requests_per_minute": 5}, national).status_code == 201
    assert calls == {"PutItem": 1}
