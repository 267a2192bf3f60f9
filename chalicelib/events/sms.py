"""SQS consumer: delivers queued SMS, reporting each failed message so only it is retried."""
from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.services import outbox

processor = BatchProcessor(event_type=EventType.SQS)


def _deliver(record: SQSRecord) -> None:
    outbox.deliver(json.loads(record.body), get_settings().country)


def handle(event: dict) -> PartialItemFailureResponse:
    """`{"batchItemFailures": [...]}` for Lambda's ReportBatchItemFailures."""
    return process_partial_response(event=event, record_handler=_deliver, processor=processor)
