"""Routes that exist only in the local stage (app.py registers this blueprint nowhere else)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.config import get_settings
from chalicelib.domain import inputs
from local import carrier

bp = Blueprint(__name__)


@endpoint(bp, "/_local/outbox")
def outbox(request: ApiRequest):
    """The SMS the simulated carrier delivered to a mobile, oldest first: how you read an OTP locally."""
    mobile = inputs.mobile(request.query, "mobile", get_settings().country.mobile_pattern)
    return json_response(carrier.messages_for(mobile))
