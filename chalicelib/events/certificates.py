"""SQS consumer of the certificates queue: issues the certificate of each (beneficiary, dose) it is
told about. Messages come from the dose stream, beneficiary corrections and the scheduled sweep;
duplicates are expected and cost one GetItem each (see services.certificates.issue)."""
from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.services import certificates

processor = BatchProcessor(event_type=EventType.SQS)


def _issue(record: SQSRecord) -> None:
    message = json.loads(record.body)
    certificates.issue(str(message["beneficiary_reference_id"]), int(message["dose"]), get_settings().country)


def handle(event: dict) -> PartialItemFailureResponse:
    """`{"batchItemFailures": [...]}`: only the failed messages are retried."""
    return process_partial_response(event=event, record_handler=_issue, processor=processor)
