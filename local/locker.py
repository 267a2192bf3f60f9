"""The simulated document locker's window, in the local stage only (app.py registers it nowhere else):
what an account holds, and the key the locker signs its pulls with (a real locker is given it once)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.services import locker

bp = Blueprint(__name__)


@endpoint(bp, "/_local/locker")
def documents(request: ApiRequest):
    """The documents a simulated locker account holds (`?locker_id=`), by URI."""
    return json_response(locker.held_by(request.query))


@endpoint(bp, "/_local/locker/partner")
def partner(request: ApiRequest):
    """The locker's orgId and shared key, the header it signs in and the time window."""
    return json_response(locker.partner_credentials(request.profile))
