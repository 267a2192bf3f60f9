"""Grievances through the API (docs/grievances.md): each kind of issue raised, reviewed and resolved,
with the repair it makes to doses and certificates; and the refusals (role, scope, state, limits)."""
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.dose_history import DOSE, dose_entry, standing, voided
from chalicelib.domain.records import DoseRecord
from chalicelib.store import certificates as certificate_store
from chalicelib.store import registration as people
from chalicelib.store import vaccination as dose_store
from local import carrier as local_carrier
from local.seed import BBMP, MAHARASHTRA, MUMBAI
from tests.api.conftest import drain
from tests.api.test_vaccination_api import CITIZEN, OTHER_CITIZEN, VACCINATOR, register
from tests.helpers import get_json, last_otp, post, sha256

MUMBAI_ADMIN, STATE_ADMIN, BBMP_ADMIN = "9000000003", "9000000002", "9000000004"
ADMIN = "/v2/admin/grievances"


def given(ref: str, number: int, day: date, vaccine: str = "COVISHIELD") -> None:
    """Dose `number` recorded for `ref` at Seven Hills (Mumbai) on `day` at 11:00, as a vaccinator's
    dose would have been (a past day: the demo plans sessions from today on)."""
    person = people.get(ref)
    at = int(datetime.combine(day, time(11), ZoneInfo("Asia/Kolkata")).timestamp())
    record = DoseRecord(
        ref, dose_entry(number, voided(person.voided_doses, number)), kind=DOSE, record_id=str(uuid.uuid4()),
        dose=number, vaccine=vaccine, batch="4121Z025", given_at=at, given_on=day.isoformat(), mobile=person.mobile,
        recorded_at=at, recorded_by=VACCINATOR, session_id=f"past-{day}", center_id=100001,
        center_name="Seven Hills Hospital", district_id=MUMBAI, state_id=MAHARASHTRA, vaccinator=VACCINATOR,
        verifier=VACCINATOR, walk_in=True, gender_id=int(person.gender_id), birth_year=int(person.birth_year))
    assert dose_store.record(record, series_vaccine=person.vaccine, takes_seat=False, completes=None) is None
    drain()  # its certificate is issued


def issued(ref: str) -> dict[int, str]:
    """The certificate each dose of `ref` has now."""
    return {int(slot.dose): slot.issued_id for slot in certificate_store.slots(ref) if slot.issued_id}


def revoked_reason(certificate_id: str) -> str | None:
    return certificate_store.CertificateItem.get(certificate_id).revoked_reason


def standing_doses(ref: str) -> list[tuple[int, str, str]]:
    return [(n, d.current.vaccine, d.current.given_on) for n, d in sorted(standing(dose_store.history(ref)).items())]


def raise_issue(api, headers, **body):
    return post(api, "/v2/grievances", body, headers)


def resolved(api, as_, ticket_id: str, officer: str = MUMBAI_ADMIN, **body):
    """Review then resolve, as the officer; returns the resolve's answer."""
    assert post(api, f"{ADMIN}/{ticket_id}/review", {}, as_(officer)).status_code == 200
    return post(api, f"{ADMIN}/{ticket_id}/resolve", body, as_(officer))


def ago(days: int) -> date:
    return date.today() - timedelta(days=days)


def test_a_wrong_dose_date_is_corrected_and_its_certificate_reissued_the_old_one_revoked(api, seeded, as_):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    given(ref, 1, ago(100))
    given(ref, 2, ago(10))
    before = issued(ref)
    opened = raise_issue(api, citizen, type="dose_details", beneficiary_reference_id=ref, dose=1,
                         date=ago(99).strftime("%d-%m-%Y"), description="The centre typed the wrong day")
    assert opened.status_code == 201, opened.body
    ticket = opened.json_body
    assert ticket["status"] == "open" and (ticket["state_id"], ticket["district_id"]) == (MAHARASHTRA, MUMBAI)

    answer = resolved(api, as_, ticket["ticket_id"], reason="Checked against the centre's register")
    assert answer.status_code == 200, answer.body
    assert answer.json_body["status"] == "resolved" and answer.json_body["officer"] == "******0003"
    drain()
    assert standing_doses(ref) == [(1, "COVISHIELD", ago(99).isoformat()), (2, "COVISHIELD", ago(10).isoformat())]
    after = issued(ref)
    # Both certificates say dose 1's date (dose 2's names its previous dose): both reissued, both revoked.
    assert after[1] != before[1] and after[2] != before[2]
    assert revoked_reason(before[1]) == revoked_reason(before[2]) == "superseded"
    [member] = get_json(api, "/v2/appointment/beneficiaries", citizen)["beneficiaries"]
    assert member["dose1_date"] == ago(99).strftime("%d-%m-%Y")
    history = get_json(api, f"/v2/grievances/{ticket['ticket_id']}", citizen)["history"]
    assert [event["status"] for event in history] == ["open", "in_review", "resolved"]
    texts = [m["message"] for m in local_carrier.messages_for(CITIZEN)]
    short = ticket["ticket_id"][:8].upper()
    assert any(f"issue {short} (wrong dose details) is registered" in t for t in texts)
    assert any(f"reviewing your issue {short}" in t for t in texts)
    assert any(f"issue {short} is resolved. Checked against" in t for t in texts)


def test_a_date_that_changes_the_order_renumbers_the_doses_keeping_every_record(api, seeded, as_):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    given(ref, 1, ago(200))
    given(ref, 2, ago(100))
    ticket = raise_issue(api, citizen, type="dose_details", beneficiary_reference_id=ref, dose=1,
                         date=ago(50).strftime("%d-%m-%Y")).json_body
    assert resolved(api, as_, ticket["ticket_id"]).status_code == 200
    assert standing_doses(ref) == [(1, "COVISHIELD", ago(100).isoformat()), (2, "COVISHIELD", ago(50).isoformat())]
    entries = dose_store.history(ref)
    assert len([e for e in entries if e.kind == DOSE]) == 4  # two originals (voided) and their copies
    assert sum(1 for e in entries if e.voided) == 2


def test_a_dose_recorded_for_the_wrong_member_moves_to_who_received_it(api, seeded, as_):
    citizen = as_(CITIZEN)
    mother, daughter = register(api, citizen, 1), register(api, citizen, 2, name="Riya Rao", birth_year=2001)
    given(mother, 1, ago(30))
    mothers_certificate = issued(mother)[1]
    ticket = raise_issue(api, citizen, type="wrong_person", beneficiary_reference_id=mother, dose=1,
                         recipient_reference_id=daughter).json_body
    assert resolved(api, as_, ticket["ticket_id"]).status_code == 200
    drain()
    assert standing_doses(mother) == [] and standing_doses(daughter) == [(1, "COVISHIELD", ago(30).isoformat())]
    assert issued(mother) == {} and revoked_reason(mothers_certificate) == "withdrawn"
    assert set(issued(daughter)) == {1}
    members = {m["beneficiary_reference_id"]: m for m in get_json(api, "/v2/appointment/beneficiaries",
                                                                    citizen)["beneficiaries"]}
    assert members[mother]["vaccination_status"] == "Not Vaccinated"
    assert members[daughter]["dose1_date"] == ago(30).strftime("%d-%m-%Y")
    # The mother can still get her own dose 1: its record is keyed after the voided one.
    given(mother, 1, ago(5))
    assert standing_doses(mother) == [(1, "COVISHIELD", ago(5).isoformat())] and set(issued(mother)) == {1}


def test_a_linked_locker_loses_a_withdrawn_certificate_and_gets_the_reissued_one(api, seeded, as_):
    from tests.api.test_locker_api import held, link, uri

    citizen = as_(CITIZEN)
    mother, daughter = register(api, citizen, 1), register(api, citizen, 2, name="Riya Rao", birth_year=2001)
    given(mother, 1, ago(30))
    given(daughter, 1, ago(120))
    daughters_locker = "223e4567-e89b-42d3-a456-426655440000"
    assert link(api, citizen, mother).status_code == 200
    assert link(api, citizen, daughter, daughters_locker).status_code == 200
    drain()
    mothers, daughters = issued(mother)[1], issued(daughter)[1]
    assert held() == [uri(mothers)] and held(daughters_locker) == [uri(daughters)]
    ticket = raise_issue(api, citizen, type="wrong_person", beneficiary_reference_id=mother, dose=1,
                         recipient_reference_id=daughter).json_body
    assert resolved(api, as_, ticket["ticket_id"]).status_code == 200
    drain()  # the certificates' queue, then the locker's
    assert held() == []  # the mother's dose is gone, and with it her certificate
    assert sorted(held(daughters_locker)) == sorted([uri(daughters), uri(issued(daughter)[2])])


def merge_consent(api, citizen, keep: str, other: str) -> dict:
    """The other registration's mobile's consent to merge it: (txnId, the SHA-256 of the code it got)."""
    asked = post(api, "/v2/grievances/merge-consent", {"beneficiary_reference_id": keep, "other_reference_id": other},
                 citizen)
    assert asked.status_code == 200, asked.body
    return {"txnId": asked.json_body["txnId"], "otp": sha256(last_otp(OTHER_CITIZEN))}


def test_two_registrations_of_one_person_merge_into_one_history_and_the_other_goes(api, seeded, as_, clock):
    mine, theirs = as_(CITIZEN), as_(OTHER_CITIZEN)
    keep = register(api, mine, 1, name="Asha Rao", birth_year=1990)
    other = register(api, theirs, 2, name="ASHA  RAO", birth_year=1990)
    given(keep, 1, ago(120))
    given(other, 1, ago(20))
    others_certificate = issued(other)[1]
    without = raise_issue(api, mine, type="merge_records", beneficiary_reference_id=keep, other_reference_id=other)
    assert without.status_code == 400 and without.json_body["errorCode"] == "USRAUT0012"  # the other's consent
    clock.advance(181)  # past the other mobile's login OTP
    ticket = raise_issue(api, mine, type="merge_records", beneficiary_reference_id=keep, other_reference_id=other,
                         **merge_consent(api, mine, keep, other)).json_body
    assert any("to merge beneficiary ****" in m["message"] for m in local_carrier.messages_for(OTHER_CITIZEN))
    answer = resolved(api, as_, ticket["ticket_id"])
    assert answer.status_code == 200, answer.body
    drain()
    assert standing_doses(keep) == [(1, "COVISHIELD", ago(120).isoformat()), (2, "COVISHIELD", ago(20).isoformat())]
    assert people.get(other) is None and revoked_reason(others_certificate) == "withdrawn"
    assert set(issued(keep)) == {1, 2}
    assert get_json(api, "/v2/appointment/beneficiaries", theirs)["beneficiaries"] == []
    assert any("was merged into" in m["message"] for m in local_carrier.messages_for(OTHER_CITIZEN))


def test_a_merge_needs_the_other_mobiles_consent_and_the_same_person(api, seeded, as_, clock):
    mine, theirs = as_(CITIZEN), as_(OTHER_CITIZEN)
    keep = register(api, mine, 1, name="Asha Rao", birth_year=1990)
    stranger = register(api, theirs, 2, name="Vikram Shah", birth_year=1990)
    given(keep, 1, ago(120))
    given(stranger, 1, ago(20))
    # No such registration: the consent's answer is the same, and nothing can be raised with it.
    nobody = post(api, "/v2/grievances/merge-consent", {"beneficiary_reference_id": keep,
                                                       "other_reference_id": "12345678901234"}, mine)
    assert nobody.status_code == 200
    guessed = raise_issue(api, mine, type="merge_records", beneficiary_reference_id=keep,
                          other_reference_id="12345678901234", txnId=nobody.json_body["txnId"], otp=sha256("123456"))
    assert guessed.status_code == 400 and guessed.json_body["errorCode"] == "USRAUT0014"
    clock.advance(181)
    consent = merge_consent(api, mine, keep, stranger)  # even if the stranger's mobile agreed
    refused = raise_issue(api, mine, type="merge_records", beneficiary_reference_id=keep, other_reference_id=stranger,
                          **consent)
    assert refused.status_code == 409 and refused.json_body["errorCode"] == "GRIEV0005"
    assert standing_doses(stranger) == [(1, "COVISHIELD", ago(20).isoformat())]


def test_an_officer_does_not_handle_an_issue_they_raised(api, seeded, as_):
    officer = as_(MUMBAI_ADMIN)  # staff are citizens too
    ref = register(api, officer, 1)
    ticket = raise_issue(api, officer, type="unknown_member", beneficiary_reference_id=ref,
                         district_id=MUMBAI).json_body["ticket_id"]
    own = post(api, f"{ADMIN}/{ticket}/review", {}, officer)
    assert own.status_code == 403 and own.json_body["errorCode"] == "GRIEV0008"
    assert post(api, f"{ADMIN}/{ticket}/review", {}, as_(STATE_ADMIN)).status_code == 200


def test_a_member_moves_to_another_mobile_with_its_owners_consent(api, seeded, as_, clock):
    citizen, receiver = as_(CITIZEN), as_(OTHER_CITIZEN)
    ref = register(api, citizen, 1)
    given(ref, 1, ago(40))
    clock.advance(181)  # past the receiver's login OTP: a consent OTP shares the mobile's resend interval
    asked = post(api, "/v2/grievances/transfer-consent", {"beneficiary_reference_id": ref,
                                                         "to_mobile": OTHER_CITIZEN}, citizen)
    assert asked.status_code == 200, asked.body
    code = last_otp(OTHER_CITIZEN)
    wrong = raise_issue(api, citizen, type="transfer_member", beneficiary_reference_id=ref, to_mobile=OTHER_CITIZEN,
                        txnId=asked.json_body["txnId"], otp=sha256(f"{(int(code) + 1) % 10**6:06d}"))
    assert wrong.status_code == 400 and wrong.json_body["errorCode"] == "USRAUT0014"
    opened = raise_issue(api, citizen, type="transfer_member", beneficiary_reference_id=ref, to_mobile=OTHER_CITIZEN,
                         txnId=asked.json_body["txnId"], otp=sha256(code))
    assert opened.status_code == 201, opened.body
    assert opened.json_body["details"]["to_mobile"] == "******3211"
    assert resolved(api, as_, opened.json_body["ticket_id"]).status_code == 200
    assert get_json(api, "/v2/appointment/beneficiaries", citizen)["beneficiaries"] == []
    [moved] = get_json(api, "/v2/appointment/beneficiaries", receiver)["beneficiaries"]
    assert moved["beneficiary_reference_id"] == ref
    downloaded = api.http.get(f"/v2/registration/certificate/download?beneficiary_reference_id={ref}",
                              headers={**receiver, "Accept": "application/pdf"})
    assert downloaded.status_code == 200 and downloaded.body.startswith(b"%PDF")
    gone = api.http.get(f"/v2/registration/certificate/download?beneficiary_reference_id={ref}",
                        headers={**citizen, "Accept": "application/pdf"})
    assert gone.status_code == 400 and gone.json_body["errorCode"] == "BENREG0009"


def test_an_unknown_member_is_removed_or_moved_to_where_the_officer_found_them(api, seeded, as_):
    citizen = as_(CITIZEN)
    never, vaccinated = register(api, citizen, 1), register(api, citizen, 2, name="Stranger Singh")
    given(vaccinated, 1, ago(3))
    first = raise_issue(api, citizen, type="unknown_member", beneficiary_reference_id=never, district_id=MUMBAI)
    assert first.status_code == 201, first.body
    assert resolved(api, as_, first.json_body["ticket_id"]).status_code == 200
    assert people.get(never) is None

    second = raise_issue(api, citizen, type="unknown_member", beneficiary_reference_id=vaccinated).json_body
    assert second["district_id"] == MUMBAI  # where their dose was given
    needs_mobile = resolved(api, as_, second["ticket_id"])
    assert needs_mobile.status_code == 409 and "to_mobile" in needs_mobile.json_body["error"]
    done = post(api, f"{ADMIN}/{second['ticket_id']}/resolve", {"to_mobile": OTHER_CITIZEN}, as_(MUMBAI_ADMIN))
    assert done.status_code == 200, done.body
    assert people.get(vaccinated).mobile == OTHER_CITIZEN
    drain()
    assert any("is now registered on this mobile" in m["message"] for m in local_carrier.messages_for(OTHER_CITIZEN))


def test_a_member_with_an_open_appointment_is_repaired_only_once_it_is_cancelled(api, seeded, as_):
    from tests.api.test_vaccination_api import book, session_at

    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    ticket = raise_issue(api, citizen, type="unknown_member", beneficiary_reference_id=ref, district_id=MUMBAI)
    assert ticket.status_code == 201, ticket.body  # raised with it: it may be cancelled meanwhile
    appointment_id, _ = book(api, citizen, session_at(seeded), [ref])
    refused = resolved(api, as_, ticket.json_body["ticket_id"])
    assert refused.status_code == 409 and "open appointment: cancel it first" in refused.json_body["error"]
    assert post(api, "/v2/appointment/cancel", {"appointment_id": appointment_id, "beneficiariesToCancel": [ref]},
                citizen).status_code == 204
    assert post(api, f"{ADMIN}/{ticket.json_body['ticket_id']}/resolve", {}, as_(MUMBAI_ADMIN)).status_code == 200
    assert people.get(ref) is None


def test_passport_details_added_by_an_officer_reissue_the_certificates(api, seeded, as_):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1, name="Asha Rao")
    given(ref, 1, ago(30))
    before = issued(ref)
    ticket = raise_issue(api, citizen, type="passport", beneficiary_reference_id=ref, passport_number="K1234567",
                         birth_date="1990-04-12").json_body
    assert ticket["details"]["passport_number"] == "*****567"
    assert resolved(api, as_, ticket["ticket_id"]).status_code == 200
    drain()
    assert people.get(ref).passport_number == "K1234567" and issued(ref)[1] != before[1]
    again = raise_issue(api, citizen, type="passport", beneficiary_reference_id=ref, passport_number="K7654321",
                        birth_date="1990-04-12")
    assert again.status_code == 409 and again.json_body["errorCode"] == "BENREG0020"


def test_who_may_see_and_move_a_ticket(api, seeded, as_):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    given(ref, 1, ago(30))
    ticket = raise_issue(api, citizen, type="dose_details", beneficiary_reference_id=ref, dose=1,
                         batch="4121Z026").json_body
    path = f"{ADMIN}/{ticket['ticket_id']}"
    # The citizen follows it but cannot move it; another citizen and another district's admin see nothing.
    assert get_json(api, "/v2/grievances", citizen)["grievances"][0]["ticket_id"] == ticket["ticket_id"]
    assert post(api, f"{path}/review", {}, citizen).status_code == 403
    assert api.http.get(f"/v2/grievances/{ticket['ticket_id']}", headers=as_(OTHER_CITIZEN)).status_code == 404
    assert api.http.get(f"/v2/grievances/{ticket['ticket_id']}", headers=as_(BBMP_ADMIN)).status_code == 404
    assert post(api, f"{path}/review", {}, as_(BBMP_ADMIN)).status_code == 404
    assert api.http.get(f"{ADMIN}?district_id={MUMBAI}", headers=as_(BBMP_ADMIN)).status_code == 403
    assert api.http.get(f"{ADMIN}?district_id={BBMP}", headers=as_(BBMP_ADMIN)).json_body["grievances"] == []
    # The state admin sees Mumbai's; resolving before review, or rejecting without a reason, is refused.
    listed = get_json(api, f"{ADMIN}?district_id={MUMBAI}&status=open", as_(STATE_ADMIN))["grievances"]
    assert [t["ticket_id"] for t in listed] == [ticket["ticket_id"]]
    early = post(api, f"{path}/resolve", {}, as_(STATE_ADMIN))
    assert early.status_code == 409 and early.json_body["errorCode"] == "GRIEV0002"
    bare = post(api, f"{path}/reject", {}, as_(STATE_ADMIN))
    assert bare.status_code == 400 and bare.json_body["errorCode"] == "USRRES0001"
    rejected = post(api, f"{path}/reject", {"reason": "The batch is as the centre recorded it"}, as_(STATE_ADMIN))
    assert rejected.status_code == 200 and rejected.json_body["status"] == "rejected"
    twice = post(api, f"{path}/reject", {"reason": "again"}, as_(MUMBAI_ADMIN))
    assert twice.status_code == 409 and twice.json_body["errorCode"] == "GRIEV0002"
    drain()
    assert any("was not accepted: The batch is as" in m["message"] for m in local_carrier.messages_for(CITIZEN))


def test_open_issues_are_limited_per_mobile_and_to_one_per_member(api, seeded, as_):
    citizen = as_(CITIZEN)
    refs = [register(api, citizen, seed, name=f"Member {name}") for seed, name in zip(range(1, 5), "ABCD")]
    for ref in refs[:3]:
        assert raise_issue(api, citizen, type="unknown_member", beneficiary_reference_id=ref,
                           district_id=MUMBAI).status_code == 201
    fourth = raise_issue(api, citizen, type="unknown_member", beneficiary_reference_id=refs[3], district_id=MUMBAI)
    assert fourth.status_code == 409 and fourth.json_body["errorCode"] == "GRIEV0003"
    [first] = [t for t in get_json(api, "/v2/grievances", citizen)["grievances"]
               if t["beneficiary_reference_id"] == refs[0]]
    post(api, f"{ADMIN}/{first['ticket_id']}/reject", {"reason": "Not enough detail"}, as_(MUMBAI_ADMIN))
    same_member = raise_issue(api, citizen, type="unknown_member", beneficiary_reference_id=refs[1],
                              district_id=MUMBAI)
    assert same_member.status_code == 409 and same_member.json_body["errorCode"] == "GRIEV0004"
    assert raise_issue(api, citizen, type="unknown_member", beneficiary_reference_id=refs[3],
                       district_id=MUMBAI).status_code == 201


@pytest.mark.parametrize("body, code", [
    ({"type": "nonsense", "beneficiary_reference_id": "x"}, "USRRES0003"),
    ({"type": "unknown_member"}, "GRIEV0006"),
    ({"type": "dose_details", "dose": 1, "date": "31-02-2021"}, "USRRES0004"),
    ({"type": "dose_details", "dose": 1}, "USRRES0001"),
    ({"type": "dose_details", "dose": 7, "vaccine": "COVAXIN"}, "APPOIN0011"),
    ({"type": "dose_details", "dose": 2, "vaccine": "COVAXIN"}, "VACCIN0012"),
    ({"type": "transfer_member", "to_mobile": "12"}, "USRAUT0001"),
])
def test_bad_issues_get_clear_errors(api, seeded, as_, body, code):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    answer = raise_issue(api, citizen, **{"beneficiary_reference_id": ref, **body})
    assert 400 <= answer.status_code < 500 and answer.json_body["errorCode"] == code, answer.body


def test_a_move_cancelled_by_another_transaction_at_that_moment_answers_409_and_writes_nothing(api, seeded, as_,
                                                                                              monkeypatch):
    """DynamoDB cancels a transaction that meets another writing the same ticket (TransactionConflict): the
    officer is told someone moved it meanwhile (409, not 500), and nothing of the move was written."""
    from pynamodb.connection.base import Connection
    from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    ticket = raise_issue(api, citizen, type="unknown_member", beneficiary_reference_id=ref,
                         district_id=MUMBAI).json_body["ticket_id"]
    officer = as_(MUMBAI_ADMIN)

    def conflicting(self, *args, **kwargs):
        raise TransactWriteError("conflict", VerboseClientError(
            {"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}}, "TransactWriteItems",
            cancellation_reasons=[CancellationReason(code="TransactionConflict")]))

    monkeypatch.setattr(Connection, "transact_write_items", conflicting)
    answer = post(api, f"{ADMIN}/{ticket}/review", {}, officer)
    assert answer.status_code == 409 and answer.json_body["errorCode"] == "GRIEV0002"
    monkeypatch.undo()
    assert get_json(api, f"/v2/grievances/{ticket}", citizen)["status"] == "open"
