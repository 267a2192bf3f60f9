"""SQS consumer: delivers queued SMS, reporting each failed message so only it is retried.

A failed message comes back later and later (30 s, 1, 2, 4 minutes: the carrier may be down for a
while), then lands in the dead-letter queue; every failure is counted (`SmsFailed`), and so is every
message given up on (`SmsDeadLettered`, which the DLQ alarm watches)."""
from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.services import outbox

processor = BatchProcessor(event_type=EventType.SQS)


def _deliver(record: SQSRecord) -> None:
    try:
        outbox.deliver(json.loads(record.body), get_settings().country)
    except Exception:
        outbox.failed(record.receipt_handle, int(record.attributes.approximate_receive_count or 1))
        raise


def handle(event: dict) -> PartialItemFailureResponse:
    """`{"batchItemFailures": [...]}` for Lambda's ReportBatchItemFailures."""
    return process_partial_response(event=event, record_handler=_deliver, processor=processor)
