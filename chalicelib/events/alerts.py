"""SQS consumer of the alerts queue: batches of subscribers a session's opening matched, to text."""
from __future__ import annotations

import json
import time

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.services import alerts

processor = BatchProcessor(event_type=EventType.SQS)


def _tell(record: SQSRecord) -> None:
    alerts.tell(json.loads(record.body), int(time.time()), get_settings().country)


def handle(event: dict) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_tell, processor=processor)
