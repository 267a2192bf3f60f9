"""DynamoDB stream consumer of the doses table: every new dose or correction is a domain event.

Why the table's stream and not an SQS message sent by the request: the stream is written by the
very transaction that records the dose, so an event can be neither lost (a crash between the write
and a send) nor invented (a send for a write that failed), and the request path makes no extra call.
Consumers here: the citizen's SMS, and the certificate (queued for issuance); the public reports'
counters read the same stream on their own (events/stats.py).
"""
from __future__ import annotations

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from chalicelib.config import get_settings
from chalicelib.services import certificates
from chalicelib.services import doses as dose_service

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _on_record(record: DynamoDBRecord) -> None:
    if record.event_name is not None and record.event_name.name == "INSERT" and record.dynamodb is not None:
        image = record.dynamodb.new_image
        certificates.on_dose_event(image)  # first: a retry after a failed send repeats no SMS
        dose_service.on_dose_event(image, get_settings().country)


def handle(event: dict) -> PartialItemFailureResponse:
    """`{"batchItemFailures": [...]}`: Lambda resumes the shard from the first failed record."""
    return process_partial_response(event=event, record_handler=_on_record, processor=processor)
