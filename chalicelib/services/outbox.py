"""Work handed to the queues: SMS to people, and certificates to (re)issue.

An SMS never undoes the change that caused it: `notify` queues it (the queue's worker retries, then
dead-letters) and, if even the queue refuses, logs and counts it. Login OTPs are the one exception,
sent directly (`adapters.sms.publish`), because the person is waiting for them.
"""
from __future__ import annotations

from collections.abc import Iterable

from chalicelib.adapters import queues
from chalicelib.adapters.sms import publish
from chalicelib.domain.masking import mask_mobile
from chalicelib.observability import logger, metrics


def notify(mobile: str, message: str) -> None:
    try:
        queues.send(queues.SMS, {"mobile": mobile, "message": message})
    except Exception:
        metrics.add_metric(name="SmsNotQueued", unit="Count", value=1)
        logger.exception("SMS could not be queued", extra={"mobile": mask_mobile(mobile)})


def deliver(message: dict) -> None:
    """Send one queued SMS; raises (so the message is retried, then dead-lettered) when it cannot."""
    mobile, text = message.get("mobile"), message.get("message")
    if not isinstance(mobile, str) or not isinstance(text, str) or not mobile or not text:
        raise ValueError("SMS message needs a mobile and a text")
    publish(mobile, text)


def request_certificates(reference_id: str, doses: Iterable[int]) -> None:
    """Ask the certificates worker to (re)issue these doses' certificates (the sweep covers a lost message)."""
    queues.send_many(queues.CERTIFICATES, [{"beneficiary_reference_id": reference_id, "dose": dose}
                                           for dose in doses])
