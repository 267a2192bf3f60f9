"""KYC-VS over HTTP on the local server, with real threads (docs/kycvs.md): 30 wrong codes sent at once for
one request are judged at most 3 times and the right one then comes too late; a verifier's calls sent at
once beyond its requests per minute pass exactly up to it; and a signed answer verifies against the JWKS
the server publishes."""
from __future__ import annotations

import re
import time

import pytest
import requests

from tests.e2e.helpers import login, race, stored_item
from tests.helpers import person

pytestmark = pytest.mark.e2e
NATIONAL = "9000000001"
GUESSES = 30


def new_verifier(url: str, per_minute: int, scopes=("status", "precaution")) -> dict:
    answer = requests.post(f"{url}/v2/admin/kycvs/verifiers", headers=login(url, NATIONAL), timeout=10,
                           json={"name": "Skybus Airlines", "scopes": list(scopes), "requests_per_minute": per_minute})
    assert answer.status_code == 201, answer.text
    return {"X-Api-Key": answer.json()["api_key"]}


def ask(url: str, key: dict, mobile: str) -> str:
    answer = requests.post(f"{url}/v2/kycvs/request", json={"mobile": mobile}, headers=key, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["request_id"]


def code_for(url: str, mobile: str) -> str:
    outbox = requests.get(f"{url}/_local/outbox", params={"mobile": mobile}, timeout=10).json()
    return re.search(r"code (\d{6})", outbox[-1]["message"]).group(1)


def test_thirty_wrong_codes_at_once_judge_three_and_the_right_one_comes_too_late(server_url, embedded_aws_url):
    key, mobile = new_verifier(server_url, 100), "9123490001"
    request_id = ask(server_url, key, mobile)
    right = code_for(server_url, mobile)
    wrong = [code for code in (f"{n:06d}" for n in range(GUESSES + 1)) if code != right][:GUESSES]
    answers = race(server_url, "/v2/kycvs/answer", [(key, {"request_id": request_id, "otp": code}) for code in wrong])
    assert {a.status_code for a in answers} == {400}
    assert all(a.json() == answers[0].json() and a.json()["errorCode"] == "USRAUT0014" for a in answers)
    assert stored_item(embedded_aws_url, "otp", {"pk": f"txn#{request_id}"})["attempts"] == 3  # judged: exactly 3
    late = requests.post(f"{server_url}/v2/kycvs/answer", json={"request_id": request_id, "otp": right}, headers=key,
                         timeout=10)
    assert late.status_code == 400 and late.json() == answers[0].json()
    record = stored_item(embedded_aws_url, "kycvs-requests", {"request_id": request_id})
    assert record["status"] == "refused" and record["wrong_codes"] == 3 and "answered_at" not in record


def test_calls_at_once_beyond_the_rate_limit_pass_exactly_up_to_it(server_url):
    limit, calls = 5, 14
    key = new_verifier(server_url, limit)
    if time.time() % 60 > 50:  # one minute's window for the whole race
        time.sleep(61 - time.time() % 60)
    answers = race(server_url, "/v2/kycvs/request",
                   [(key, {"mobile": f"91234910{n:02d}"}) for n in range(calls)])
    assert sorted(a.status_code for a in answers) == [200] * limit + [429] * (calls - limit)
    assert all(a.json()["errorCode"] == "USRRES0429" and int(a.headers["Retry-After"]) >= 1
               for a in answers if a.status_code == 429)


def test_the_signed_answer_verifies_against_the_served_jwks(server_url):
    from chalicelib.verifier import STATUS_ANSWER_TYPE, InvalidCertificate, decode_jwt

    mobile = "9123492001"
    citizen = login(server_url, mobile)
    registered = requests.post(f"{server_url}/v2/registration/beneficiary/new", json=person(92001, name="Meera Iyer"),
                               headers=citizen, timeout=10)
    assert registered.status_code == 200, registered.text
    key = new_verifier(server_url, 10, scopes=("status",))
    answer = requests.post(f"{server_url}/v2/kycvs/answer", headers=key, timeout=10, json={
        "request_id": ask(server_url, key, mobile), "otp": code_for(server_url, mobile)})
    assert answer.status_code == 200, answer.text
    jwks = requests.get(f"{server_url}/.well-known/jwks.json", timeout=10).json()
    claims = decode_jwt(answer.json()["jws"], jwks, STATUS_ANSWER_TYPE)
    assert claims == answer.json()["answer"]
    assert claims["people"] == [{"name": "Meera Iyer", "vaccination_status": 0}]  # the status scope only
    with pytest.raises(InvalidCertificate):
        decode_jwt(answer.json()["jws"], {"keys": []}, STATUS_ANSWER_TYPE)
