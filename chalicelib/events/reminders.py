"""SQS consumer of the reminders queue: one due day's shard per message (the scheduled job queues them)."""
from __future__ import annotations

import json
import time

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.observability import logger, metrics
from chalicelib.services import reminders

processor = BatchProcessor(event_type=EventType.SQS)
WORK_SECONDS = 10.0  # then the shard goes back to the queue (Lambda's timeout is 15 s)


def _send(record: SQSRecord) -> None:
    try:
        message = json.loads(record.body)
        day, shard, now = str(message["day"]), int(message["shard"]), int(message["now"])
    except (ValueError, TypeError, KeyError):  # not ours to retry: it would only fail five times
        metrics.add_metric(name="ReminderMessageMalformed", unit="Count", value=1)
        logger.error("reminders queue: malformed message dropped", extra={"message_id": record.message_id})
        return
    reminders.send_shard(day, shard, now, get_settings().country, time.monotonic() + WORK_SECONDS)


def handle(event: dict) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_send, processor=processor)
