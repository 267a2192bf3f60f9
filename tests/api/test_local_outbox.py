"""The local SMS outbox: how a person or a test reads an OTP without a phone."""
from tests.helpers import post


def test_outbox_lists_sms_oldest_first(api):
    post(api, "/v2/auth/public/generateOTP", {"mobile": "9876543210"})
    post(api, "/v2/auth/public/generateOTP", {"mobile": "9876543211"})
    messages = api.http.get("/_local/outbox?mobile=9876543210").json_body
    assert len(messages) == 1
    assert set(messages[0]) == {"mobile", "message", "sent_at", "sender_id", "template_id"}  # India's DLT ids
    assert messages[0]["mobile"] == "9876543210" and "OTP" in messages[0]["message"]


def test_outbox_of_a_quiet_mobile_is_empty(api):
    assert api.http.get("/_local/outbox?mobile=9876543219").json_body == []


def test_outbox_needs_a_valid_mobile(api):
    assert api.http.get("/_local/outbox").json_body["errorCode"] == "USRRES0001"
    assert api.http.get("/_local/outbox?mobile=123").json_body["errorCode"] == "USRAUT0001"
