"""Slot alerts: a citizen subscribes to seats opening in a district or at a pincode, instead of polling."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain.roles import CITIZENS

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)


@endpoint(bp, "/v2/alerts/subscriptions", methods=("POST",), roles=CITIZENS)
def subscribe(request: ApiRequest):
    from chalicelib.services import alerts

    return json_response(alerts.subscribe(request.caller.mobile, request.json(), request.now, request.profile), 201)


@endpoint(bp, "/v2/alerts/subscriptions", roles=CITIZENS)
def subscriptions(request: ApiRequest):
    from chalicelib.services import alerts

    return json_response({"subscriptions": alerts.subscriptions(request.caller.mobile, request.now)})


@endpoint(bp, "/v2/alerts/subscriptions/{subscription_id}", methods=("DELETE",), roles=CITIZENS)
def unsubscribe(request: ApiRequest, subscription_id: str):
    from chalicelib.services import alerts

    alerts.unsubscribe(request.caller.mobile, subscription_id, request.now)
    return Response(body="", status_code=204)
