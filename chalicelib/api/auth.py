"""CoWIN's OTP login routes, all six spellings of them, and the account's settings."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain import errors, inputs
from chalicelib.domain.errors import ApiError
from chalicelib.domain.roles import ANYONE_LOGGED_IN

if TYPE_CHECKING:
    from chalicelib.services.auth import Login

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)

SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def _generate(request: ApiRequest):
    from chalicelib.services import auth

    mobile = inputs.mobile(request.json(), "mobile", request.profile.mobile_pattern)
    return json_response({"txnId": auth.logins(request.settings).generate_otp(mobile, request.now)})


def otp_guess(request: ApiRequest) -> tuple[str, str]:
    """The transaction id and the SHA-256 of the OTP, as CoWIN's confirmOTP sends them (a consent's too)."""
    body = request.json()
    try:
        client_hash = inputs.text(body, "otp")
    except ApiError as error:
        raise (ApiError(errors.OTP_REQUIRED) if error.error is errors.INPUT_MISSING else error) from None
    txn_id = inputs.text(body, "txnId")
    if not SHA256_HEX.fullmatch(client_hash):
        raise ApiError(errors.INVALID_OTP, "Invalid OTP: send the SHA-256 hex digest of the OTP")
    return txn_id, client_hash


def _confirm(request: ApiRequest) -> Login:
    from chalicelib.services import auth

    txn_id, client_hash = otp_guess(request)
    return auth.logins(request.settings).confirm_otp(txn_id, client_hash, request.now)


@endpoint(bp, "/v2/auth/public/generateOTP", methods=("POST",))
def generate_otp_public(request: ApiRequest):
    return _generate(request)


@endpoint(bp, "/v2/auth/generateOTP", methods=("POST",))
def generate_otp(request: ApiRequest):
    return _generate(request)


@endpoint(bp, "/v2/auth/generateMobileOTP", methods=("POST",))
def generate_mobile_otp(request: ApiRequest):
    """Booking bots send a `secret` along; CoWIN's web app needs it, we accept any value."""
    return _generate(request)


@endpoint(bp, "/v2/auth/public/confirmOTP", methods=("POST",))
def confirm_otp_public(request: ApiRequest):
    return json_response({"token": _confirm(request).token})


@endpoint(bp, "/v2/auth/confirmOTP", methods=("POST",))
def confirm_otp(request: ApiRequest):
    login = _confirm(request)
    return json_response({"token": login.token, "isNewAccount": "Y" if login.is_new_account else "N"})


@endpoint(bp, "/v2/auth/validateMobileOtp", methods=("POST",))
def validate_mobile_otp(request: ApiRequest):
    login = _confirm(request)
    return json_response({"token": login.token, "isNewAccount": "Y" if login.is_new_account else "N"})


@endpoint(bp, "/v2/account/settings", roles=ANYONE_LOGGED_IN)
def account_settings(request: ApiRequest):
    """The language Teeka writes to this mobile in, and the country's languages to choose from."""
    from chalicelib.services import accounts

    return json_response(accounts.settings(request.profile, request.caller.mobile))


@endpoint(bp, "/v2/account/settings", methods=("PUT",), roles=ANYONE_LOGGED_IN)
def choose_account_settings(request: ApiRequest):
    from chalicelib.services import accounts

    language = inputs.text(request.json(), "language", 20)
    return json_response(accounts.choose_language(request.profile, request.caller.mobile, language))
