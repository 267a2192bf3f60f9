"""SQS queues: their definitions (once, for moto and for CloudFormation) and sending to them.

Every queue has a dead-letter queue; a message that fails `MAX_RECEIVES` times lands there.
"""
from __future__ import annotations

import json
from functools import cache
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

SMS = "sms"
BOOKINGS = "bookings"  # surge mode: schedule requests waiting for the booking worker
CERTIFICATES = "certificates"  # doses whose certificate is to be issued
ALERTS = "alerts"  # slot alerts: batches of subscribers an opening matched, to count and text
REMINDERS = "reminders"  # a due day's shard of reminders, for a worker to send
LOCKER = "locker"  # certificates to push to their beneficiary's linked document locker account
QUEUES = (SMS, BOOKINGS, CERTIFICATES, ALERTS, REMINDERS, LOCKER)
MAX_RECEIVES = 5
# Six times the Lambda timeout (15 s), as AWS recommends for SQS event sources.
VISIBILITY_TIMEOUT_SECONDS = 90
DLQ_RETENTION_SECONDS = 14 * 24 * 3600


def queue_name(name: str) -> str:
    return get_settings().resource_name(name)


def dead_letter_name(name: str) -> str:
    return f"{queue_name(name)}-dlq"


@cache
def queue_url(name: str) -> str:
    return client("sqs").get_queue_url(QueueName=queue_name(name))["QueueUrl"]


RETRY_BASE_SECONDS = 30


def retry_later(name: str, receipt_handle: str, attempt: int) -> None:
    """Keep a failed message away for 30 s after its first try, then twice as long each time (at most
    15 minutes), instead of the queue's fixed visibility timeout."""
    delay = min(RETRY_BASE_SECONDS * 2 ** (attempt - 1), 900)
    client("sqs").change_message_visibility(QueueUrl=queue_url(name), ReceiptHandle=receipt_handle,
                                            VisibilityTimeout=delay)


def send(name: str, body: dict[str, Any]) -> None:
    client("sqs").send_message(QueueUrl=queue_url(name), MessageBody=json.dumps(body, separators=(",", ":")))


def send_many(name: str, bodies: list[dict[str, Any]]) -> None:
    """Send in batches of 10 (SQS's limit); raises if any message was refused."""
    for start in range(0, len(bodies), 10):
        entries = [{"Id": str(i), "MessageBody": json.dumps(body, separators=(",", ":"))}
                   for i, body in enumerate(bodies[start:start + 10])]
        failed = client("sqs").send_message_batch(QueueUrl=queue_url(name), Entries=entries).get("Failed")
        if failed:
            raise RuntimeError(f"SQS refused {len(failed)} messages to {name}: {failed[0].get('Message')}")


def create_all() -> None:
    """Create every queue and its DLQ (locally, on moto)."""
    sqs = client("sqs")
    for name in QUEUES:
        dlq_url = sqs.create_queue(QueueName=dead_letter_name(name),
                                   Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)})["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.create_queue(QueueName=queue_name(name), Attributes={
            "VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)}),
        })
    queue_url.cache_clear()


def cloudformation_resources() -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for name in QUEUES:
        logical = "".join(part.capitalize() for part in name.split("-")) + "Queue"
        resources[f"{logical}DeadLetters"] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": dead_letter_name(name), "MessageRetentionPeriod": DLQ_RETENTION_SECONDS,
                           "SqsManagedSseEnabled": True},
        }
        resources[logical] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": queue_name(name),
                "VisibilityTimeout": VISIBILITY_TIMEOUT_SECONDS,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [f"{logical}DeadLetters", "Arn"]},
                                  "maxReceiveCount": MAX_RECEIVES},
            },
        }
    return resources
