"""SQS consumer of the locker queue: pushes each (beneficiary, dose)'s current certificate to the
beneficiary's linked document locker account (services.locker.push). Messages come from issuance and
from linking; duplicates and stale ones are expected and push nothing new."""
from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.services import locker

processor = BatchProcessor(event_type=EventType.SQS)


def _push(record: SQSRecord) -> None:
    message = json.loads(record.body)
    locker.push(str(message["beneficiary_reference_id"]), int(message["dose"]), get_settings().country)


def handle(event: dict) -> PartialItemFailureResponse:
    """`{"batchItemFailures": [...]}`: only the failed messages are retried."""
    return process_partial_response(event=event, record_handler=_push, processor=processor)
