"""Local stage only: the simulated SMS carrier that sits behind moto's SNS.

In AWS, SNS hands an SMS to a telecom carrier and it reaches a phone. Locally, moto's SNS accepts the
publish; this module plays the carrier by recording each SMS moto accepts (number, text, time), so
`GET /_local/outbox` can show a person or a test what a phone would have received. It needs moto
running in the same process (`make run` and the tests arrange that) and is never used in AWS.
"""
from __future__ import annotations

import threading
from datetime import UTC, datetime

from chalicelib.config import get_settings

_outbox: list[dict[str, str]] = []
_lock = threading.Lock()


def install() -> None:
    """Start recording what moto's SNS sends to phone numbers. Safe to call more than once."""
    from moto.sns.models import SNSBackend

    original = SNSBackend.publish
    if getattr(original, "teeka_carrier", False):
        return

    def publish(backend, message, arn=None, phone_number=None, subject=None, message_attributes=None, **kwargs):
        message_id = original(backend, message, arn, phone_number, subject, message_attributes, **kwargs)
        if phone_number:
            _deliver(phone_number, message, message_attributes or {})
        return message_id

    publish.teeka_carrier = True  # type: ignore[attr-defined]
    setattr(SNSBackend, "publish", publish)  # noqa: B010 - a deliberate patch of moto


def _deliver(phone_number: str, message: str, attributes: dict) -> None:
    """Record the SMS, with the sender and template ids a DLT carrier would check."""
    prefix = get_settings().country.mobile_country_prefix
    mobile = phone_number[len(prefix):] if phone_number.startswith(prefix) else phone_number
    sent_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    registration = {key: attributes[name]["Value"] for key, name in (
        ("sender_id", "AWS.SNS.SMS.SenderID"), ("template_id", "AWS.MM.SMS.TemplateId")) if name in attributes}
    with _lock:
        _outbox.append({"mobile": mobile, "message": message, "sent_at": sent_at, **registration})


def messages_for(mobile: str) -> list[dict[str, str]]:
    """SMS sent to `mobile`, oldest first."""
    with _lock:
        return [entry for entry in _outbox if entry["mobile"] == mobile]


def clear() -> None:
    with _lock:
        _outbox.clear()
