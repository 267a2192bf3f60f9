"""Queued SMS: delivered by the SQS consumer; a bad message is reported alone and ends in the DLQ."""
import json

from chalicelib.adapters import queues
from chalicelib.adapters.aws import client
from chalicelib.services.outbox import notify
from local import carrier as local_carrier
from local import dispatcher


def test_a_queued_sms_reaches_the_phone(aws):
    from app import app

    notify("9876543210", "Your session is confirmed")
    dispatcher.drain(app)
    assert [m["message"] for m in local_carrier.messages_for("9876543210")] == ["Your session is confirmed"]


def test_one_bad_message_fails_alone(aws):
    from app import app

    event = {"Records": [
        {"messageId": "good", "body": json.dumps({"mobile": "9876543210", "message": "hi"}), "attributes": {},
         "messageAttributes": {}, "eventSource": "aws:sqs", "receiptHandle": "r1", "md5OfBody": ""},
        {"messageId": "bad", "body": "not json", "attributes": {}, "messageAttributes": {},
         "eventSource": "aws:sqs", "receiptHandle": "r2", "md5OfBody": ""},
    ]}
    result = app.handler_map["deliver_sms"](event, dispatcher.LambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert len(local_carrier.messages_for("9876543210")) == 1


def test_a_poison_message_lands_in_the_dead_letter_queue(aws):
    from app import app

    sqs = client("sqs")
    sqs.set_queue_attributes(QueueUrl=queues.queue_url(queues.SMS), Attributes={"VisibilityTimeout": "0"})
    queues.send(queues.SMS, {"mobile": "", "message": ""})
    for _ in range(queues.MAX_RECEIVES + 1):
        dispatcher.poll_once(app)
    dlq = sqs.get_queue_url(QueueName=queues.dead_letter_name(queues.SMS))["QueueUrl"]
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"]) for m in dead] == [{"mobile": "", "message": ""}]
