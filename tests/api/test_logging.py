"""Logs are JSON with a correlation id, and never carry a mobile, an OTP or a token in clear."""
import io
import json
import logging

import pytest

from chalicelib.adapters.sms import SmsError
from chalicelib.observability import logger
from chalicelib.services import auth
from tests.conftest import ROOT
from tests.helpers import last_otp, post, sha256

MOBILE = "9876543210"


def log_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def logs():
    """Everything the app logs at the level the deployed stages log (.chalice/config.json), formatted
    exactly as Powertools writes it to CloudWatch. The level is set here because Chalice's own logger
    shares the app's name ("teeka") and another test's Chalice app or client may have lowered it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    deployed = json.loads((ROOT / ".chalice" / "config.json").read_text())["environment_variables"]
    before = logger.log_level
    logger.setLevel(deployed["POWERTOOLS_LOG_LEVEL"])
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(before)


def test_login_and_failure_logs_hold_nothing_personal(api, logs, monkeypatch):
    txn = post(api, "/v2/auth/public/generateOTP", {"mobile": MOBILE}).json_body["txnId"]
    otp = last_otp(MOBILE)
    token = post(api, "/v2/auth/public/confirmOTP", {"otp": sha256(otp), "txnId": txn}).json_body["token"]

    def carrier_down(mobile, message, template_id):
        raise SmsError(f"could not deliver to {mobile}")

    monkeypatch.setattr(auth.sms, "publish", carrier_down)
    assert post(api, "/v2/auth/public/generateOTP", {"mobile": "9876543211"}).status_code == 503

    text = logs.getvalue()
    lines = log_lines(text)
    failure = next(line for line in lines if line["message"] == "OTP SMS failed")
    assert failure["mobile"] == "******3211"
    assert failure["correlation_id"]
    for secret in (MOBILE, "9876543211", otp, sha256(otp), token):
        assert secret not in text


def test_registration_logs_mask_the_mobile_and_never_hold_the_id(api, logs):
    from tests.helpers import bearer, login, person

    headers = bearer(login(api, MOBILE))
    body = person(1)
    post(api, "/v2/registration/beneficiary/new", body, headers)
    text = logs.getvalue()
    assert "******3210" in text
    assert MOBILE not in text and body["photo_id_number"] not in text


def test_every_answer_carries_its_request_id_the_same_as_its_log_lines(api, logs):
    """Public, protected, refused, bad and failing requests alike: a report of a failure finds its logs."""
    from tests.helpers import bearer, login, person

    citizen = bearer(login(api, MOBILE))
    answers = [api.http.get("/v2/admin/location/states"), api.http.get("/v2/appointment/beneficiaries"),
               post(api, "/v2/auth/public/generateOTP", {"mobile": "12"}),
               post(api, "/v2/registration/beneficiary/new", person(1), citizen)]
    ids = [answer.headers["X-Request-Id"] for answer in answers]
    assert len(set(ids)) == len(ids) and all(len(request_id) == 36 for request_id in ids)
    assert answers[1].status_code == 401 and answers[2].status_code == 400
    logged = {line["correlation_id"] for line in log_lines(logs.getvalue())}
    assert ids[3] in logged  # "beneficiary registered" names the request
    # Every route's own answers are checked for it in tests/api/test_authorization_matrix.py.
