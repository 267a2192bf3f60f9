"""SQS consumer of surge mode: books queued requests, reporting only the failed ones for retry."""
from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.observability import logger
from chalicelib.services import surge

processor = BatchProcessor(event_type=EventType.SQS)


def _book(record: SQSRecord) -> None:
    try:
        message = json.loads(record.body)
        surge.work(message, get_settings().country)
    except (ValueError, surge.PoisonMessage) as error:
        # Retried, then moved to the dead-letter queue by SQS; the reason is in the log.
        logger.error("poison booking message", extra={"message_id": record.message_id, "reason": str(error),
                                                       "receive_count": record.attributes.approximate_receive_count})
        raise


def handle(event: dict) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_book, processor=processor)
