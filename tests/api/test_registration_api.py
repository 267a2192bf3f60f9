"""Registration through the API: every rule and error path."""
import json

import boto3
import pytest

from chalicelib.store.registration import BeneficiaryItem
from tests.helpers import aadhaar, bearer, login, person, post

MOBILE, OTHER = "9876543210", "9876543211"
NEW = "/v2/registration/beneficiary/new"


@pytest.fixture
def citizen(api):
    return bearer(login(api, MOBILE))


def register(api, headers, body):
    return post(api, NEW, body, headers)


def beneficiaries(api, headers):
    return api.http.get("/v2/appointment/beneficiaries", headers=headers).json_body["beneficiaries"]


def test_register_and_list_in_cowins_shape(api, citizen):
    response = register(api, citizen, person(1, name=" Asha  Rao "))
    assert response.status_code == 200
    reference_id = response.json_body["beneficiary_reference_id"]
    assert len(reference_id) == 14 and reference_id.isdigit()
    [listed] = beneficiaries(api, citizen)
    assert listed == {
        "beneficiary_reference_id": reference_id, "name": "Asha Rao", "birth_year": "1990", "gender": "Female",
        "mobile_number": "******3210", "photo_id_type": "Aadhaar Card",
        "photo_id_number": "********" + aadhaar(1)[-4:], "comorbidity_ind": "N",
        "vaccination_status": "Not Vaccinated", "vaccine": "", "dose1_date": "", "dose2_date": "",
        "precaution_dose_date": "", "precaution_vaccine": "", "id_verified": False, "appointments": [],
    }


def test_numbers_as_strings_and_a_wrong_content_type(api, citizen):
    response = api.http.post(NEW, headers={**citizen, "Content-Type": "text/plain"},
                             body=json.dumps(person(2, gender_id="2", photo_id_type="1", extra="ignored")))
    assert response.status_code == 200


def test_the_id_number_is_never_stored(api, citizen):
    number = aadhaar(3)
    register(api, citizen, person(3))
    dump = json.dumps([boto3.client("dynamodb").scan(TableName=name)["Items"]
                       for name in boto3.client("dynamodb").list_tables()["TableNames"]])
    assert number not in dump and number[:8] not in dump


def test_one_id_one_person_across_mobiles_and_spellings(api, citizen):
    number = aadhaar(4)
    assert register(api, citizen, person(4)).status_code == 200
    other = bearer(login(api, OTHER))
    spaced = " ".join([number[:4], number[4:8], number[8:]])
    response = register(api, other, person(4, photo_id_number=spaced, name="Someone Else"))
    assert response.status_code == 400
    assert response.json_body == {"errorCode": "BENREG0002",
                                  "error": "This photo ID is already registered; one ID can register one person only"}
    assert beneficiaries(api, other) == []


def test_the_same_number_under_another_id_type_is_another_claim(api, citizen):
    number = "123456789012"
    assert register(api, citizen, person(5, photo_id_type=9, photo_id_number=number)).status_code == 200
    assert register(api, citizen, person(6, photo_id_type=1)).status_code == 200


def test_at_most_four_per_mobile(api, citizen):
    for seed in range(10, 14):
        assert register(api, citizen, person(seed)).status_code == 200
    response = register(api, citizen, person(14))
    assert response.status_code == 400 and response.json_body["errorCode"] == "BENREG0001"
    assert len(beneficiaries(api, citizen)) == 4


def test_a_refused_registration_leaves_no_trace(api, citizen):
    for seed in range(20, 24):
        register(api, citizen, person(seed))
    register(api, citizen, person(24))
    other = bearer(login(api, OTHER))
    assert register(api, other, person(24)).status_code == 200  # the 5th's ID was not claimed


@pytest.mark.parametrize("change, code", [
    ({"name": ""}, "USRRES0001"),
    ({"name": "R2D2"}, "BENREG0008"),
    ({"birth_year": "1850"}, "BENREG0005"),
    ({"birth_year": "2015"}, "BENREG0005"),
    ({"birth_year": "abc"}, "USRRES0003"),
    ({"gender_id": 5}, "BENREG0006"),
    ({"photo_id_type": 99}, "BENREG0003"),
    ({"photo_id_number": "234123412345"}, "BENREG0004"),
    ({"photo_id_type": 3, "photo_id_number": "ABCDE1234F"}, "BENREG0004"),
    ({"comorbidity_ind": "X"}, "BENREG0007"),
])
def test_rule_breaks_have_their_own_codes(api, citizen, change, code):
    response = register(api, citizen, person(30, **change))
    assert response.status_code == 400 and response.json_body["errorCode"] == code


@pytest.mark.parametrize("body", ["{", "[]", '"text"'])
def test_malformed_bodies(api, citizen, body):
    assert register(api, citizen, body).json_body["errorCode"] == "USRRES0002"


def test_registration_needs_a_token(api):
    response = register(api, {}, person(31))
    assert response.status_code == 401 and response.body == b"Unauthenticated access!"


def test_delete_frees_the_id_and_the_place(api, citizen):
    ids = [register(api, citizen, person(seed)).json_body["beneficiary_reference_id"] for seed in range(40, 44)]
    response = post(api, "/v2/registration/beneficiary/delete", {"beneficiary_reference_id": ids[0]}, citizen)
    assert response.status_code == 204
    assert len(beneficiaries(api, citizen)) == 3
    assert register(api, citizen, person(40)).status_code == 200  # same ID, and a 4th place again


def test_cannot_delete_someone_elses_beneficiary(api, citizen):
    reference_id = register(api, citizen, person(50)).json_body["beneficiary_reference_id"]
    other = bearer(login(api, OTHER))
    for target in (reference_id, "12345678901234", "not-an-id"):
        response = post(api, "/v2/registration/beneficiary/delete", {"beneficiary_reference_id": target}, other)
        assert response.status_code == 400 and response.json_body["errorCode"] == "BENREG0009"
    assert len(beneficiaries(api, citizen)) == 1


def test_cannot_delete_after_a_dose(api, citizen):
    reference_id = register(api, citizen, person(51)).json_body["beneficiary_reference_id"]
    BeneficiaryItem(reference_id).update(actions=[BeneficiaryItem.doses_given.set(1)])
    response = post(api, "/v2/registration/beneficiary/delete", {"beneficiary_reference_id": reference_id}, citizen)
    assert response.status_code == 409 and response.json_body["errorCode"] == "BENREG0010"


def test_the_one_time_correction_is_applied_once_and_audited(api, citizen):
    from chalicelib.store.registration import audit_trail

    reference_id = register(api, citizen, person(60)).json_body["beneficiary_reference_id"]
    path = "/v2/registration/beneficiary/correction"
    response = post(api, path, {"beneficiary_reference_id": reference_id, "name": "Asha R. Rao",
                                "birth_year": "1991"}, citizen)
    assert response.status_code == 200
    assert response.json_body["name"] == "Asha R. Rao" and response.json_body["birth_year"] == "1991"
    assert beneficiaries(api, citizen)[0]["name"] == "Asha R. Rao"
    [entry] = audit_trail(f"beneficiary#{reference_id}")
    assert entry.action == "correction" and entry.actor == MOBILE
    assert entry.old == {"name": "Asha Rao", "birth_year": 1990}
    assert entry.new == {"name": "Asha R. Rao", "birth_year": 1991}
    again = post(api, path, {"beneficiary_reference_id": reference_id, "gender_id": 1}, citizen)
    assert again.status_code == 409 and again.json_body["errorCode"] == "BENREG0011"


@pytest.mark.parametrize("body, code", [
    ({}, "USRRES0001"),
    ({"beneficiary_reference_id": "REF"}, "BENREG0012"),
    ({"beneficiary_reference_id": "REF", "birth_year": "1700"}, "BENREG0005"),
])
def test_correction_errors(api, citizen, body, code):
    reference_id = register(api, citizen, person(61)).json_body["beneficiary_reference_id"]
    body = {k: (reference_id if v == "REF" else v) for k, v in body.items()}
    response = post(api, "/v2/registration/beneficiary/correction", body, citizen)
    assert response.json_body["errorCode"] == code
