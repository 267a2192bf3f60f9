"""Work handed to the queues: SMS to people, and certificates to (re)issue.

An SMS never undoes the change that caused it: `notify` queues it (the queue's worker retries, then
dead-letters) and, if even the queue refuses, logs and counts it. Login OTPs are the one exception,
sent directly (`adapters.sms.publish`), because the person is waiting for them.

A queued SMS is a template and its values; `deliver` writes it in the language of the mobile's account
(1 GetItem), off the path of the request that caused it.
"""
from __future__ import annotations

from collections.abc import Iterable

from chalicelib.adapters import queues
from chalicelib.adapters.sms import publish
from chalicelib.config import CountryProfile
from chalicelib.domain import messages
from chalicelib.domain.masking import mask_mobile
from chalicelib.observability import logger, metrics
from chalicelib.services.accounts import language_of


def notify(mobile: str, sms: messages.Sms) -> None:
    try:
        queues.send(queues.SMS, {"mobile": mobile, "template": sms.template, "values": sms.values})
    except Exception:
        metrics.add_metric(name="SmsNotQueued", unit="Count", value=1)
        logger.exception("SMS could not be queued", extra={"mobile": mask_mobile(mobile)})


def notify_many(texts: list[tuple[str, messages.Sms]]) -> None:
    """Queue many SMS, ten to an SQS call; what the queue refuses is logged and counted."""
    try:
        queues.send_many(queues.SMS, [{"mobile": mobile, "template": sms.template, "values": sms.values}
                                      for mobile, sms in texts])
    except Exception:
        metrics.add_metric(name="SmsNotQueued", unit="Count", value=len(texts))
        logger.exception("SMS could not be queued", extra={"count": len(texts)})


def deliver(message: dict, profile: CountryProfile) -> None:
    """Send one queued SMS; raises (so the message is retried, then dead-lettered) when it cannot."""
    mobile, template, values = message.get("mobile"), message.get("template"), message.get("values")
    if not isinstance(mobile, str) or not mobile or template not in messages.TEMPLATES or not isinstance(values, dict):
        raise ValueError("SMS message needs a mobile, a known template and its values")
    language = language_of(profile, mobile)
    sms = messages.Sms(template, values)
    publish(mobile, messages.render(sms, profile.words(language)), profile.sms_template_id(template, language))


def queue_alerts(batches: list[dict]) -> None:
    """Hand batches of matched subscribers to the alerts workers; raises if the queue refuses (the
    stream record is then retried, and nobody is texted twice)."""
    queues.send_many(queues.ALERTS, batches)


def queue_reminders(shards: list[dict]) -> None:
    """Hand due days' shards to the reminders workers."""
    queues.send_many(queues.REMINDERS, shards)


def failed(receipt_handle: str, attempt: int) -> None:
    """Count a failed delivery; the queue brings it back later each time, and dead-letters it after
    its last try."""
    metrics.add_metric(name="SmsFailed", unit="Count", value=1)
    if attempt >= queues.MAX_RECEIVES:
        metrics.add_metric(name="SmsDeadLettered", unit="Count", value=1)
    else:
        queues.retry_later(queues.SMS, receipt_handle, attempt)


def request_certificates(reference_id: str, doses: Iterable[int]) -> None:
    """Ask the certificates worker to (re)issue these doses' certificates (the sweep covers a lost message)."""
    queues.send_many(queues.CERTIFICATES, [{"beneficiary_reference_id": reference_id, "dose": dose}
                                           for dose in doses])
