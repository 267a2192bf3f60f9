"""What an outside tester sent and got a 500 for, or got through where it should not have, each tried
again by name: deep nesting, NaN, Infinity and 1e999, dates in the year 9999 and times in the year 1,
lone surrogates, numbers beyond 38 digits, invisible characters in names, clear-text door codes, and
the integral numbers and protected route CoWIN's protected client uses."""
import pytest

from chalicelib.services.booking import security_code_of
from chalicelib.store.booking import AppointmentItem
from tests.api.test_vaccination_api import (
    BASE,
    CITIZEN,
    FACILITY_ADMIN,
    VACCINATOR,
    book,
    dose,
    register,
    session_at,
)
from tests.helpers import aadhaar, person, post

NEW = "/v2/registration/beneficiary/new"


def raw_post(api, path: str, body: str, headers: dict):
    return api.http.post(path, headers={"Content-Type": "application/json", **headers}, body=body.encode())


@pytest.mark.parametrize("path", ["/v2/auth/public/generateOTP", "/v2/certificate/verify", NEW])
def test_a_deeply_nested_body_is_a_400_on_anonymous_and_protected_routes(api, as_, path):
    answer = raw_post(api, path, '{"mobile":' * 3000 + "1" + "}" * 3000, as_(CITIZEN))
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRRES0002"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "123456789012345678901234567890123456789"])
def test_numbers_no_field_can_hold_are_refused_as_times_and_ids(api, as_, seeded, value):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    for path, body in ((f"{BASE}/doses", f'{{"beneficiary_reference_id":"{ref}","session_id":"{session_at(seeded)}",'
                                          f'"vaccine":"COVISHIELD","batch":"4121Z025","dose":1,"given_at":{value}}}'),
                       (NEW, f'{{"name":"Asha","birth_year":{value},"gender_id":2,"photo_id_type":1,'
                             f'"photo_id_number":"{aadhaar(2)}"}}')):
        answer = raw_post(api, path, body, as_(VACCINATOR) if "doses" in path else citizen)
        assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRRES0003", (path, answer.body)


@pytest.mark.parametrize("search", ["calendarByDistrict?district_id=395", "calendarByPin?pincode=400059",
                                    "calendarByCenter?center_id=100001", "findByDistrict?district_id=395"])
def test_a_date_in_the_year_9999_is_a_400(api, search):
    answer = api.http.get(f"/v2/appointment/sessions/public/{search}&date=31-12-9999")
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRRES0004"


@pytest.mark.parametrize("given_at", [1e20, -62135596800, "0001-01-01T10:00:00", "9999-12-31T10:00:00"])
def test_a_correction_to_an_impossible_time_is_a_400(api, as_, seeded, given_at):
    ref = register(api, as_(CITIZEN), 1)
    assert post(api, f"{BASE}/doses", dose(ref, session_at(seeded), photo_id_type=1, id_last4=aadhaar(1)[-4:]),
                as_(VACCINATOR)).status_code == 201
    answer = post(api, f"{BASE}/doses/correction", {"beneficiary_reference_id": ref, "dose": 1, "reason": "mistyped",
                                                    "given_at": given_at}, as_(FACILITY_ADMIN))
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "VACCIN0011"


def test_a_lone_surrogate_is_refused_before_it_reaches_the_database(api, as_):
    answer = raw_post(api, NEW, '{"name":"Asha \\ud800","birth_year":"1990","gender_id":2,"photo_id_type":1,'
                                f'"photo_id_number":"{aadhaar(1)}"}}', as_(CITIZEN))
    assert answer.status_code == 400 and answer.json_body["errorCode"] == "USRRES0003"
    assert api.http.get("/v2/appointment/beneficiaries", headers=as_(CITIZEN)).json_body["beneficiaries"] == []


@pytest.mark.parametrize("name", ["Asha\u0000Rao", "Asha\u202eoaR", "Asha\u200bRao", "Asha\ufeffRao", "Asha\u2066Rao",
                                  "\u200dAsha", "Asha\U000e0041"])
def test_invisible_characters_in_a_name_are_refused(api, as_, name):
    answer = post(api, NEW, person(1, name=name), as_(CITIZEN))
    assert answer.status_code == 400 and answer.json_body["errorCode"] in ("BENREG0008", "USRRES0003"), name


@pytest.mark.parametrize("name", ["आशा राव", "ஆஷா", "O'Brien-Nair", "D’Souza", "J. Kumar",
                                  "क्‍षमा", "ശ്രീ‌ലക്ഷ്മി"])  # the last two hold a ZWJ and a ZWNJ between letters
def test_names_in_any_script_are_taken(api, as_, name):
    assert post(api, NEW, person(1, name=name), as_(CITIZEN)).status_code == 200, name


def test_centre_names_and_addresses_refuse_invisible_characters_too(api, as_):
    body = {"name": "Andheri\u202e Camp", "address": "Andheri", "block_name": "K East", "district_id": 395,
            "pincode": 400069, "lat": 19.11, "long": 72.86}
    assert post(api, "/v2/admin/centers", body, as_("9000000003")).json_body["errorCode"] == "USRRES0003"
    renamed = {**body, "name": "अंधेरी शिबिर (Camp) #2"}
    assert post(api, "/v2/admin/centers", renamed, as_("9000000003")).status_code == 201


def test_door_codes_are_not_stored(api, as_, seeded):
    citizen = as_(CITIZEN)
    ref = register(api, citizen, 1)
    appointment_id, code = book(api, citizen, session_at(seeded), [ref])
    stored = AppointmentItem.get(appointment_id, ref).serialize()
    assert "security_code" not in stored and code not in repr(stored)
    assert code == security_code_of(appointment_id)


def test_whole_numbers_in_any_json_spelling_as_cowins_protected_client_sends_them(api, as_, seeded):
    citizen = as_(CITIZEN)
    registered = raw_post(api, NEW, f'{{"name":"Asha Rao","birth_year":1990.0,"gender_id":2e0,"photo_id_type":1.0,'
                                    f'"photo_id_number":"{aadhaar(1)}"}}', citizen)
    assert registered.status_code == 200, registered.body
    ref = registered.json_body["beneficiary_reference_id"]
    booked = raw_post(api, "/v2/appointment/schedule", f'{{"dose":1.0,"session_id":"{session_at(seeded)}",'
                                                       f'"slot":"09:00AM-11:00AM","beneficiaries":["{ref}"]}}', citizen)
    assert booked.status_code == 200, booked.body
    assert raw_post(api, NEW, '{"name":"A","birth_year":1990.5,"gender_id":2,"photo_id_type":1}',
                    citizen).json_body["errorCode"] == "USRRES0003"


def test_the_protected_find_by_lat_long_answers_with_a_token(api, as_):
    public = api.http.get("/v2/appointment/centers/public/findByLatLong?lat=19.07&long=72.87").json_body
    protected = api.http.get("/v2/appointment/centers/findByLatLong?lat=19.07&long=72.87", headers=as_(CITIZEN))
    assert protected.status_code == 200 and protected.json_body == public and public["centers"]
    assert api.http.get("/v2/appointment/centers/findByLatLong?lat=19.07&long=72.87").status_code == 401
