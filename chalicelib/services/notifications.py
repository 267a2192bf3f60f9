"""SMS to citizens and staff, through a queue: a failed send is retried, and never undoes the change
that caused it. (Login OTPs are the exception: sent directly, because the person is waiting.)"""
from __future__ import annotations

from chalicelib.adapters import queues
from chalicelib.adapters.sms import send_sms


def queue_sms(mobile: str, message: str) -> None:
    queues.send(queues.SMS, {"mobile": mobile, "message": message})


def deliver(message: dict) -> None:
    """Send one queued SMS; raises (so the message is retried, then dead-lettered) when it cannot."""
    mobile, text = message.get("mobile"), message.get("message")
    if not isinstance(mobile, str) or not isinstance(text, str) or not mobile or not text:
        raise ValueError("SMS message needs a mobile and a text")
    send_sms(mobile, text)
