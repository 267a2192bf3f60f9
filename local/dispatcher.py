"""Local stage only: what Lambda's SQS and DynamoDB-stream event source mappings do in AWS.

Long-polls every queue on the embedded AWS and invokes the very handler Lambda would, with a real
SQS event. Messages the handler reports as failed stay on the queue, reappear after the visibility
timeout and, after `MAX_RECEIVES`, move to the dead-letter queue, exactly as in AWS.

Reads every stream source's shards from its starting position (the oldest record, or what is written
after the dispatcher starts) and invokes its handler with a real stream event; as in AWS, the shard
resumes from the first record the handler reports as failed.

Fires every `@app.schedule(Rate(...))` job at its rate, with EventBridge's scheduled event, as the
rule CloudFormation creates for it does.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from chalice.app import DynamoDBEventConfig, Rate, ScheduledEventConfig, SQSEventConfig

from chalicelib.adapters.aws import client
from chalicelib.adapters.streams import table_of
from chalicelib.config import get_settings
from chalicelib.observability import logger

BATCH_SIZE = 10
QUEUE_WAIT_SECONDS = 1  # each queue's long poll
STREAM_POLL_SECONDS = 0.25  # how often an idle stream is read again (Lambda: about 4 times a second)
QUIET_AFTER_SECONDS, QUIET_POLL_SECONDS = 30, 1  # after half a minute without records, once a second


class LambdaContext:
    """The few attributes Powertools reads from Lambda's context object."""

    function_name = "teeka-local"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:teeka-local"
    aws_request_id = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 15_000


def _handlers(app) -> dict[str, Any]:
    """queue name -> the app's SQS handler for it, read from the app's own registrations."""
    return {str(config.queue): app.handler_map[config.name] for config in app.event_sources
            if isinstance(config, SQSEventConfig)}


def _event(queue: str, messages: list[dict]) -> dict:
    arn = f"arn:aws:sqs:{client('sqs').meta.region_name}:000000000000:{queue}"
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
        "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": arn,
        "awsRegion": client("sqs").meta.region_name,
    } for m in messages]}


def poll_once(app, wait_seconds: int = 0) -> int:
    """Deliver what is on every queue and stream now, one batch each; returns how many were handled."""
    return _poll_streams(app) + _poll_queues(app, wait_seconds)


# (consumer, stream ARN, shard id) -> the iterator to read next; kept for the life of the process, like
# Lambda's checkpoint of each event source mapping (two consumers of one stream read it each at its own pace).
_positions: dict[tuple[str, str, str], str] = {}


# stream source name -> (when read, its stream ARN, its shard ids): shards change rarely, records often.
_shards: dict[str, tuple[float, str | None, list[str]]] = {}
SHARDS_REREAD_SECONDS = 5


def _shards_of(config: DynamoDBEventConfig) -> tuple[str | None, list[str]]:
    read_at, arn, shards = _shards.get(config.name, (0.0, None, []))
    if time.monotonic() - read_at > SHARDS_REREAD_SECONDS:
        arn = client("dynamodb").describe_table(TableName=table_of(config.stream_arn))["Table"].get("LatestStreamArn")
        shards = [shard["ShardId"] for shard in client("dynamodbstreams").describe_stream(
            StreamArn=arn)["StreamDescription"]["Shards"]] if arn else []
        _shards[config.name] = (time.monotonic(), arn, shards)
    return arn, shards


# Consumers that start at LATEST whatever their mapping says (tests that need only what they write).
_from_now: set[str] = set()


def _poll_streams(app) -> int:
    streams, handled = client("dynamodbstreams"), 0
    for config in app.event_sources:
        if not isinstance(config, DynamoDBEventConfig):
            continue
        arn, shards = _shards_of(config)
        if arn is None:
            continue
        for shard_id in shards:
            position = (config.name, arn, shard_id)
            if position not in _positions:  # as a new event source mapping: from its starting position
                start = "LATEST" if config.name in _from_now else config.starting_position
                _positions[position] = streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard_id, ShardIteratorType=start)["ShardIterator"]
            page = streams.get_records(ShardIterator=_positions[position], Limit=config.batch_size)
            records = page["Records"]
            if not records:
                continue
            handled += len(records)
            event = {"Records": [{**record, "eventSourceARN": arn} for record in records]}
            try:
                result = app.handler_map[config.name](event, LambdaContext()) or {}
                failed = [item["itemIdentifier"] for item in result.get("batchItemFailures", [])]
            except Exception:
                logger.exception("local dispatcher: stream handler failed", extra={"stream": arn})
                continue  # read the same records again next time
            if failed:
                _positions[position] = streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER",
                    SequenceNumber=min(failed, key=int))["ShardIterator"]
            else:
                _positions[position] = page["NextShardIterator"]
    return handled


def _poll_queues(app, wait_seconds: int) -> int:
    return sum(_poll_queue(queue, handler, wait_seconds) for queue, handler in _handlers(app).items())


def _poll_queue(queue: str, handler, wait_seconds: int) -> int:
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=BATCH_SIZE, WaitTimeSeconds=wait_seconds,
                                   AttributeNames=["All"]).get("Messages", [])
    if messages:
        try:
            result = handler(_event(queue, messages), LambdaContext()) or {}
            failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
        except Exception:
            logger.exception("local dispatcher: handler failed", extra={"queue": queue})
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
    return len(messages)


RATE_SECONDS = {Rate.MINUTES: 60, Rate.HOURS: 3600, Rate.DAYS: 86400}
# job name -> when it last ran (epoch seconds); a job first runs one period after the dispatcher starts.
_last_runs: dict[str, float] = {}


def run_schedules(app, now: float | None = None) -> list[str]:
    """Run the scheduled jobs whose period has passed; returns their names."""
    now = time.time() if now is None else now
    ran = []
    for config in app.event_sources:
        if not isinstance(config, ScheduledEventConfig) or not isinstance(config.schedule_expression, Rate):
            continue
        rate = config.schedule_expression
        last = _last_runs.setdefault(config.name, now)
        if now - last < rate.value * RATE_SECONDS[rate.unit]:
            continue
        _last_runs[config.name] = now
        event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
                 "account": "000000000000", "region": get_settings().region, "detail": {},
                 "time": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "resources": [f"arn:aws:events:local:000000000000:rule/{config.name}"]}
        try:
            app.handler_map[config.name](event, LambdaContext())
        except Exception:
            logger.exception("local dispatcher: scheduled job failed", extra={"job": config.name})
        ran.append(config.name)
    return ran


def forget(from_now: Collection[str] = ()) -> None:
    """Drop the stream positions and schedule times (tests start each case on a fresh embedded AWS);
    the consumers named in `from_now` will start at LATEST, as if created after what is there."""
    _positions.clear()
    _shards.clear()
    _last_runs.clear()
    _from_now.clear()
    _from_now.update(from_now)


def replay(consumer: str) -> None:
    """Deliver one stream consumer's records again from its starting position, as Lambda does after a
    failed batch or when a mapping is recreated (tests of redelivery)."""
    for position in [position for position in _positions if position[0] == consumer]:
        del _positions[position]


def begin_streams(app, from_now: Collection[str] | None = None) -> None:
    """Begin reading every stream, as Lambda's mappings do when they are created: a source that starts
    at LATEST (the sessions' alerts) sees only what is written from now on, not the demo data; so do
    the consumers named in `from_now` (instead of those `forget` named)."""
    if from_now is not None:
        _from_now.clear()
        _from_now.update(from_now)
    _poll_streams(app)


def drain(app, rounds: int = 20) -> None:
    """Poll until the queues are empty (tests use this to let queued work finish)."""
    for _ in range(rounds):
        if poll_once(app) == 0:
            return


def start(app) -> threading.Event:
    """Poll in background threads until the returned event is set: one per queue, long-polling it (as
    Lambda's pollers do, so a message is handled as soon as it arrives), and one for the streams and
    the schedules."""
    begin_streams(app)
    stop = threading.Event()

    def keep(poll, idle_seconds: float) -> Callable[[], None]:
        def loop() -> None:
            quiet_since = time.monotonic()
            while not stop.is_set():
                try:
                    if poll():
                        quiet_since = time.monotonic()
                    elif time.monotonic() - quiet_since > QUIET_AFTER_SECONDS:
                        stop.wait(QUIET_POLL_SECONDS)  # nobody is using the server: poll less
                    else:
                        stop.wait(idle_seconds)
                except Exception:
                    logger.exception("local dispatcher: polling failed")
                    stop.wait(1)
        return loop

    loops = [keep(lambda queue=queue, handler=handler: _poll_queue(queue, handler, QUEUE_WAIT_SECONDS), 0)
             for queue, handler in _handlers(app).items()]
    loops.append(keep(lambda: _poll_streams(app) + len(run_schedules(app)), STREAM_POLL_SECONDS))
    for loop in loops:
        threading.Thread(target=loop, name="local-dispatcher", daemon=True).start()
    return stop
