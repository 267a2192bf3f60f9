"""Queued SMS: delivered by the SQS consumer; a bad message is reported alone and ends in the DLQ."""
import json

from chalicelib.adapters import queues
from chalicelib.adapters.aws import client
from chalicelib.domain import messages
from chalicelib.services.outbox import notify
from chalicelib.store import auth as accounts
from local import carrier as local_carrier
from local import dispatcher


def test_a_queued_sms_reaches_the_phone(aws):
    from app import app

    notify("9876543210", messages.cancelled("A1", 2))
    dispatcher.drain(app)
    assert [m["message"] for m in local_carrier.messages_for("9876543210")] == [
        "Teeka: appointment A1 is cancelled for 2 beneficiaries."]


def test_a_queued_sms_is_written_in_the_language_of_the_mobiles_account(aws):
    from app import app

    accounts.record_login("9876543211", 1)
    accounts.set_account_language("9876543211", "hi_IN")
    notify("9876543211", messages.cancelled("A1", 1))
    notify("9876543212", messages.cancelled("A1", 1))  # no account: India's own language, English
    dispatcher.drain(app)
    [hindi] = [m["message"] for m in local_carrier.messages_for("9876543211")]
    assert hindi.startswith("Teeka:") and "A1" in hindi and "रद्द" in hindi
    assert [m["message"] for m in local_carrier.messages_for("9876543212")] == [
        "Teeka: appointment A1 is cancelled for 1 beneficiary."]


def test_one_bad_message_fails_alone(aws):
    from app import app

    event = {"Records": [
        {"messageId": "good", "body": json.dumps({"mobile": "9876543210", "template": "cancelled",
                                                   "values": {"appointment_id": "A1", "people": 1}}), "attributes": {},
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
    queues.send(queues.SMS, {"mobile": "", "template": "no such template"})
    for _ in range(queues.MAX_RECEIVES + 1):
        dispatcher.poll_once(app)
    dlq = sqs.get_queue_url(QueueName=queues.dead_letter_name(queues.SMS))["QueueUrl"]
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"]) for m in dead] == [{"mobile": "", "template": "no such template"}]
