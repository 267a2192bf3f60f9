"""DynamoDB stream consumer of the sessions table: a session created, published, given more capacity,
or given seats back by a cancellation or reschedule texts the people waiting for such seats.

The stream is written by the very change that opened the seats, so no opening is missed or invented,
and booking, planning and cancelling make no extra call for it."""
from __future__ import annotations

import time

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from chalicelib.config import get_settings
from chalicelib.services import alerts

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def handle(event: dict) -> PartialItemFailureResponse:
    """`{"batchItemFailures": [...]}`: Lambda resumes the shard from the first failed record (no one is
    texted twice: each text is counted once). One reading budget for the whole batch of records."""
    deadline = time.monotonic() + alerts.FANOUT_SECONDS

    def on_record(record: DynamoDBRecord) -> None:
        if record.dynamodb is not None:
            alerts.on_session_change(record.dynamodb.old_image or None, record.dynamodb.new_image or None,
                                     int(time.time()), get_settings().country, deadline)

    return process_partial_response(event=event, record_handler=on_record, processor=processor)
