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
