"""Slot alerts: a citizen subscribes to seats opening in a district or at a pincode, instead of polling."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import ApiRequest, endpoint, json_response
from chalicelib.domain.roles import CITIZENS
from chalicelib.services import alerts

bp = Blueprint(__name__)


@endpoint(bp, "/v2/alerts/subscriptions", methods=("POST",), roles=CITIZENS)
def subscribe(request: ApiRequest):
    return json_response(alerts.subscribe(request.caller.mobile, request.json(), request.now, request.profile), 201)


@endpoint(bp, "/v2/alerts/subscriptions", roles=CITIZENS)
def subscriptions(request: ApiRequest):
    return json_response({"subscriptions": alerts.subscriptions(request.caller.mobile, request.now)})


@endpoint(bp, "/v2/alerts/subscriptions/{subscription_id}", methods=("DELETE",), roles=CITIZENS)
def unsubscribe(request: ApiRequest, subscription_id: str):
    alerts.unsubscribe(request.caller.mobile, subscription_id, request.now)
    return Response(body="", status_code=204)
