"""The public reports' counters, fed by two table streams: the doses table (every dose and correction)
and the sessions table (sessions opened and cancelled). Each is the stream's second consumer, beside
the certificates and SMS (doses) and the slot alerts (sessions): DynamoDB serves two readers per shard.

A batch is counted together (its events share counter items): all or nothing. A failure leaves the
batch to be delivered again, and what was counted is not counted twice (each record has its marker,
store/stats.py)."""
from __future__ import annotations

import time

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBStreamEvent

from chalicelib.config import get_settings
from chalicelib.services import stats


def handle_doses(event: dict) -> dict:
    images = [record.dynamodb.new_image for record in DynamoDBStreamEvent(event).records
              if record.event_name is not None and record.event_name.name == "INSERT" and record.dynamodb is not None]
    stats.count_doses(images, get_settings().country, int(time.time()))
    return {"batchItemFailures": []}


def handle_sessions(event: dict) -> dict:
    changes = [(str(record.event_id), record.dynamodb.old_image or None, record.dynamodb.new_image or None)
               for record in DynamoDBStreamEvent(event).records if record.dynamodb is not None]
    stats.count_sessions(changes, int(time.time()))
    return {"batchItemFailures": []}
