"""The languages a person reads: the account's choice (SMS, slip, certificate), CoWIN's `*_l` fields
from `Accept-Language` (centres, ID types, genders, places), and errors in the asked-for language."""
import json

import pytest

from chalicelib.domain import errors
from chalicelib.store import auth as accounts
from local import carrier, dispatcher
from tests.api.test_booking_api import pdf_text, register, schedule, session_at
from tests.api.test_planning_api import MUMBAI_ADMIN, centre_body
from tests.helpers import bearer, last_otp, login, post

MOBILE = "9876543210"


def choose(api, headers: dict, language) -> object:
    return api.http.put("/v2/account/settings", headers={**headers, "Content-Type": "application/json"},
                        body=json.dumps({"language": language}))


def test_an_account_reads_the_countrys_language_until_it_chooses_another(api, seeded):
    citizen = bearer(login(api, MOBILE))
    assert api.http.get("/v2/account/settings", headers=citizen).json_body == {
        "language": "en_US", "languages": ["en_US", "hi_IN"]}
    assert choose(api, citizen, "hi-IN").json_body == {"language": "hi_IN", "languages": ["en_US", "hi_IN"]}
    assert api.http.get("/v2/account/settings", headers=citizen).json_body["language"] == "hi_IN"
    assert api.http.get("/v2/account/settings").status_code == 401


@pytest.mark.parametrize("language", ["fr", "", "   ", 7, None, ["hi"], {"hi": 1}, "x" * 500, "hi\u0000"])
def test_a_language_the_country_lacks_is_a_clear_400(api, seeded, language):
    citizen = bearer(login(api, MOBILE))
    refused = choose(api, citizen, language)
    assert refused.status_code == 400 and refused.json_body["errorCode"] in ("USRACC0001", "USRRES0001",
                                                                             "USRRES0003"), refused.body
    assert api.http.get("/v2/account/settings", headers=citizen).json_body["language"] == "en_US"


def test_a_hindi_account_gets_its_otp_sms_and_slip_in_hindi(api, seeded):
    citizen = bearer(login(api, MOBILE))
    assert choose(api, citizen, "hi").status_code == 200
    ref = register(api, citizen, 1, name="आशा राव")
    appointment_id = schedule(api, citizen, session_at(api, 400059, seeded)["session_id"], [ref]).json_body[
        "appointment_id"]
    from app import app

    dispatcher.drain(app)
    booked = carrier.messages_for(MOBILE)[-1]["message"]
    assert appointment_id in booked and "पुष्टि" in booked and "Seven Hills Hospital" in booked  # "confirmed"
    slip = api.http.get(f"/v2/appointment/appointmentslip/download?appointment_id={appointment_id}",
                        headers={**citizen, "Accept": "application/pdf"})
    text = "".join(pdf_text(slip.body).split())
    assert all("".join(word.split()) in text for word in ("अपॉइंटमेंट", "आशा राव", appointment_id)), text


def test_a_returning_hindi_account_gets_its_login_otp_in_hindi(api, seeded):
    accounts.record_login(MOBILE, 1)  # logged in before, and chose Hindi then
    accounts.set_account_language(MOBILE, "hi_IN")
    assert post(api, "/v2/auth/public/generateOTP", {"mobile": MOBILE}).status_code == 200
    otp_sms = carrier.messages_for(MOBILE)[-1]["message"]
    assert last_otp(MOBILE) in otp_sms and "मिनट" in otp_sms  # "minutes"


def test_errors_keep_cowins_english_and_add_the_asked_for_language(api, seeded):
    citizen = bearer(login(api, MOBILE))
    body = {"name": "Asha", "birth_year": "1980", "gender_id": 9, "photo_id_type": 1,
            "photo_id_number": "999999990019"}
    english = post(api, "/v2/registration/beneficiary/new", body, citizen)
    hindi = post(api, "/v2/registration/beneficiary/new", body, {**citizen, "Accept-Language": "hi_IN"})
    assert english.json_body == {"errorCode": "BENREG0006", "error": "Invalid gender"}
    assert hindi.json_body["errorCode"] == "BENREG0006" and hindi.json_body["error"] == "Invalid gender"
    assert hindi.json_body["error_l"] == "अमान्य लिंग"
    assert "error_l" not in post(api, "/v2/registration/beneficiary/new", body,
                                 {**citizen, "Accept-Language": "en-GB,hi"}).json_body
    assert errors.INVALID_GENDER.message == "Invalid gender"


def test_id_types_and_genders_are_named_from_the_catalogue(api, seeded):
    citizen = bearer(login(api, MOBILE))
    types = api.http.get("/v2/registration/beneficiary/idTypes", headers={**citizen, "Accept-Language": "hi"})
    genders = api.http.get("/v2/registration/beneficiary/genders", headers={**citizen, "Accept-Language": "hi_IN"})
    types, genders = types.json_body, genders.json_body
    assert types["types"][0] == {"type": "Aadhaar Card", "type_l": "आधार कार्ड", "id": 1}
    assert genders["genders"][1] == {"gender": "Female", "gender_l": "महिला", "id": 2}


def test_a_centre_is_found_under_its_names_in_the_asked_for_language(api, seeded, as_):
    local = {"hi_IN": {"name": "वर्ली शहरी प्राथमिक स्वास्थ्य केंद्र", "address": "वर्ली नाका, मुंबई"}}
    created = post(api, "/v2/admin/centers", centre_body(local_names=local), as_(MUMBAI_ADMIN))
    assert created.status_code == 201 and created.json_body["local_names"] == local, created.body
    center_id = created.json_body["center_id"]
    renamed = post(api, f"/v2/admin/centers/{center_id}", {"name": "Worli Urban PHC"}, as_(MUMBAI_ADMIN))
    assert renamed.json_body["local_names"] == local  # an edit that does not name them keeps them
    session = post(api, "/v2/admin/sessions", {
        "center_id": center_id, "date": seeded, "vaccine": "COVISHIELD", "min_age_limit": 18, "capacity_dose1": 10,
        "capacity_dose2": 0, "slots": ["09:00AM-11:00AM"]}, as_(MUMBAI_ADMIN))
    assert session.status_code == 201, session.body
    path = f"/v2/appointment/sessions/public/findByPin?pincode=400018&date={seeded}"
    [hindi] = [s for s in api.http.get(path, headers={"Accept-Language": "hi_IN"}).json_body["sessions"]
               if s["center_id"] == center_id]
    assert (hindi["name"], hindi["name_l"]) == ("Worli Urban PHC", local["hi_IN"]["name"])
    assert hindi["address_l"] == local["hi_IN"]["address"] and hindi["block_name_l"] == "G South"
    assert hindi["state_name_l"] == "महाराष्ट्र"
    [english] = [s for s in api.http.get(path).json_body["sessions"] if s["center_id"] == center_id]
    assert "name_l" not in english
    wrong = post(api, "/v2/admin/centers", centre_body(local_names={"ta_IN": {"name": "x"}}), as_(MUMBAI_ADMIN))
    assert wrong.status_code == 400 and wrong.json_body["errorCode"] == "USRRES0003"
