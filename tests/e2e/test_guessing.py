"""Every secret a person guesses, guessed in parallel by real threads over HTTP against the local
server: the login OTP, the ID-verification OTP, the door security code and the booking captcha.
However many guesses arrive at once, at most the allowed number is ever judged (each attempt is
spent before its guess is compared), and the refusals say nothing about which guess was right."""
import hashlib
import re
import time

import pytest
import requests

from chalicelib.adapters.national_id import linked_mobile
from tests.e2e.helpers import login, race, stored_item
from tests.e2e.test_dose_capture import security_code, todays_covishield_session
from tests.helpers import aadhaar, person

pytestmark = pytest.mark.e2e
GUESSES = 30


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def newest_code(url: str, mobile: str, digits: int = 6) -> str:
    outbox = requests.get(f"{url}/_local/outbox", params={"mobile": mobile}, timeout=10).json()
    return re.search(rf"\b(\d{{{digits}}})\b", outbox[-1]["message"]).group(1)


def wrong_codes(right: str, count: int, digits: int = 6) -> list[str]:
    return [code for code in (f"{n:0{digits}d}" for n in range(count + 1)) if code != right][:count]


def register(url: str, headers: dict, seed: int) -> str:
    response = requests.post(f"{url}/v2/registration/beneficiary/new", json=person(seed), headers=headers,
                             timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["beneficiary_reference_id"]


def test_thirty_login_otp_guesses_at_once_judge_three(server_url, embedded_aws_url):
    mobile = "9123450001"
    txn = requests.post(f"{server_url}/v2/auth/public/generateOTP", json={"mobile": mobile}, timeout=10).json()["txnId"]
    right = newest_code(server_url, mobile)
    guesses = [{"otp": sha256(code), "txnId": txn} for code in [*wrong_codes(right, GUESSES - 1), right]]
    answers = race(server_url, "/v2/auth/public/confirmOTP", [({}, guess) for guess in guesses])

    logged_in = sum(a.status_code == 200 for a in answers)
    assert logged_in <= 1
    refusals = [a.json() for a in answers if a.status_code != 200]
    assert {a.status_code for a in answers} <= {200, 400}
    assert all(refusal == refusals[0] for refusal in refusals) and refusals[0]["errorCode"] == "USRAUT0014"
    # Judged: exactly 3, or fewer when the right guess was among them (it used the OTP up).
    attempts = stored_item(embedded_aws_url, "otp", {"pk": f"txn#{txn}"})["attempts"]
    assert attempts == 3 if not logged_in else 1 <= attempts <= 3
    # Whatever happened to the right guess in the crowd, it is no good now, and says so like any other.
    late = requests.post(f"{server_url}/v2/auth/public/confirmOTP", json=guesses[-1], timeout=10)
    assert late.status_code == 400 and late.json() == refusals[0]


def test_thirty_id_verification_otps_at_once_judge_three_and_starts_are_limited(server_url, embedded_aws_url):
    citizen = login(server_url, "9123450002")
    number = aadhaar(9201)
    ref = register(server_url, citizen, 9201)
    start = {"beneficiary_reference_id": ref, "photo_id_number": number}
    txn = requests.post(f"{server_url}/v2/registration/beneficiary/verifyId/start", json=start, headers=citizen,
                        timeout=10).json()["txnId"]
    right = newest_code(server_url, linked_mobile(number))
    guesses = [{"beneficiary_reference_id": ref, "txnId": txn, "otp": code}
               for code in [*wrong_codes(right, GUESSES - 1), right]]
    answers = race(server_url, "/v2/registration/beneficiary/verifyId/confirm", [(citizen, g) for g in guesses])

    assert sum(a.status_code == 200 for a in answers) <= 1
    assert {a.json()["errorCode"] for a in answers if a.status_code != 200} == {"BENREG0016"}
    stored = stored_item(embedded_aws_url, "beneficiaries", {"beneficiary_reference_id": ref})
    assert stored["id_verification_attempts"] == 3 or stored["id_verified"]

    # Ten starts at once on a fresh beneficiary: three a day, so the linked mobile gets three texts.
    number = aadhaar(9202)
    ref = register(server_url, citizen, 9202)
    texts_before = len(requests.get(f"{server_url}/_local/outbox", params={"mobile": linked_mobile(number)},
                                    timeout=10).json())
    starts = race(server_url, "/v2/registration/beneficiary/verifyId/start",
                  [(citizen, {"beneficiary_reference_id": ref, "photo_id_number": number})] * 10)
    assert sorted(a.status_code for a in starts) == [200] * 3 + [429] * 7
    assert all(int(a.headers["Retry-After"]) > 0 for a in starts if a.status_code == 429)
    texts = requests.get(f"{server_url}/_local/outbox", params={"mobile": linked_mobile(number)}, timeout=10).json()
    assert len(texts) - texts_before == 3


def test_thirty_security_codes_at_once_judge_five(server_url, embedded_aws_url, vaccinator):
    citizen_mobile = "9123450003"
    citizen, verifier = login(server_url, citizen_mobile), login(server_url, "9000000007")
    session_id = todays_covishield_session(server_url, vaccinator)

    def booked(seed: int) -> tuple[str, str, str]:
        ref = register(server_url, citizen, seed)
        appointment_id = requests.post(f"{server_url}/v2/appointment/schedule", headers=citizen, timeout=10, json={
            "dose": 1, "session_id": session_id, "slot": "09:00AM-11:00AM", "beneficiaries": [ref]}).json()[
            "appointment_id"]
        return ref, appointment_id, security_code(server_url, citizen_mobile, appointment_id)

    def door(ref: str, appointment_id: str, code: str, seed: int) -> dict:
        return {"appointment_id": appointment_id, "beneficiary_reference_id": ref, "session_id": session_id,
                "photo_id_type": 1, "id_last4": aadhaar(seed)[-4:], "security_code": code}

    # Thirty times the right code: five are judged (and verify), the rest are refused unjudged.
    ref, appointment_id, code = booked(9203)
    answers = race(server_url, "/v2/vaccination/verify", [(verifier, door(ref, appointment_id, code, 9203))] * GUESSES)
    assert sorted(a.status_code for a in answers) == [200] * 5 + [423] * (GUESSES - 5)
    assert stored_item(embedded_aws_url, "appointments", {"appointment_id": appointment_id,
                                                           "beneficiary_reference_id": ref})["code_attempts"] == 5

    # Twenty-nine wrong codes and the right one: five judged; the right one verifies only if it was among them.
    ref, appointment_id, code = booked(9204)
    guesses = [door(ref, appointment_id, guess, 9204) for guess in [*wrong_codes(code, GUESSES - 1, 4), code]]
    answers = race(server_url, "/v2/vaccination/verify", [(verifier, guess) for guess in guesses])
    statuses = [a.status_code for a in answers]
    assert statuses.count(200) <= 1 and statuses.count(200) + statuses.count(400) <= 5
    assert stored_item(embedded_aws_url, "appointments", {"appointment_id": appointment_id,
                                                           "beneficiary_reference_id": ref})["code_attempts"] == 5


def test_fifteen_captcha_answers_at_once_judge_one(captcha_server):
    url = captcha_server[0]
    citizen = login(url, "9123450004")
    ref = register(url, citizen, 9205)
    sessions = requests.get(f"{url}/v2/appointment/sessions/public/findByPin", timeout=10,
                            params={"pincode": 400059, "date": todays_date()}).json()["sessions"]
    session_id = next(s["session_id"] for s in sessions if s["vaccine"] == "COVISHIELD")
    svg = requests.post(f"{url}/v2/auth/getRecaptcha", json={}, headers=citizen, timeout=10).json()["captcha"]
    right = "".join(re.findall(r">([A-Z0-9])</text>", svg))
    booking = {"dose": 1, "session_id": session_id, "slot": "09:00AM-11:00AM", "beneficiaries": [ref]}
    # Within the booking rate limit (20 per 5 minutes per mobile), so every answer reaches the captcha.
    guesses = [{**booking, "captcha": guess} for guess in [f"WRNG{n}" for n in range(14)] + [right]]
    answers = race(url, "/v2/appointment/schedule", [(citizen, guess) for guess in guesses])
    assert sum(a.status_code == 200 for a in answers) <= 1
    assert {a.json()["errorCode"] for a in answers if a.status_code != 200} == {"APPOIN0029"}
    # A captcha answers one guess: after a wrong one, the right answer needs a new captcha.
    svg = requests.post(f"{url}/v2/auth/getRecaptcha", json={}, headers=citizen, timeout=10).json()["captcha"]
    right = "".join(re.findall(r">([A-Z0-9])</text>", svg))
    for guess, code in (("WRONG", "APPOIN0029"), (right, "APPOIN0029")):
        answer = requests.post(f"{url}/v2/appointment/schedule", json={**booking, "captcha": guess}, headers=citizen,
                               timeout=10)
        assert answer.status_code == 400 and answer.json()["errorCode"] == code


def todays_date() -> str:
    from chalicelib.config import get_settings
    from chalicelib.domain.calendar import local_date

    return local_date(get_settings().country, int(time.time())).strftime("%d-%m-%Y")
