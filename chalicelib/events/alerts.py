"""SQS consumer of the alerts queue: batches of subscribers a session's opening matched, to text."""
from __future__ import annotations

import json
import time

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.domain.alerts import Opening
from chalicelib.observability import logger, metrics
from chalicelib.services import alerts

processor = BatchProcessor(event_type=EventType.SQS)


def _tell(record: SQSRecord) -> None:
    try:
        message = json.loads(record.body)
        Opening(**message["opening"])
        if "place" not in message and not isinstance(message.get("subscribers"), list):
            raise KeyError("a message names subscribers, or a place to read on")
    except (ValueError, TypeError, KeyError):  # not ours to retry: it would only fail five times
        metrics.add_metric(name="AlertMessageMalformed", unit="Count", value=1)
        logger.error("alerts queue: malformed message dropped", extra={"message_id": record.message_id})
        return
    alerts.tell(message, int(time.time()), get_settings().country)


def handle(event: dict) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_tell, processor=processor)
