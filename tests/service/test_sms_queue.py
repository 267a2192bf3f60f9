"""Queued SMS: delivered by the SQS consumer; a bad message is reported alone and ends in the DLQ."""
import json

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from chalicelib.adapters import queues
from chalicelib.adapters.aws import client
from chalicelib.adapters.sms import SmsError
from chalicelib.config import get_settings, load_pack
from chalicelib.domain import messages
from chalicelib.services import outbox
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


def test_a_poison_message_lands_in_the_dead_letter_queue(aws, monkeypatch):
    from app import app

    monkeypatch.setattr(queues, "RETRY_BASE_SECONDS", 0)  # no backoff: five tries at once

    sqs = client("sqs")
    sqs.set_queue_attributes(QueueUrl=queues.queue_url(queues.SMS), Attributes={"VisibilityTimeout": "0"})
    queues.send(queues.SMS, {"mobile": "", "template": "no such template"})
    for _ in range(queues.MAX_RECEIVES + 1):
        dispatcher.poll_once(app)
    dlq = sqs.get_queue_url(QueueName=queues.dead_letter_name(queues.SMS))["QueueUrl"]
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"]) for m in dead] == [{"mobile": "", "template": "no such template"}]


def test_indias_sms_carry_the_dlt_sender_and_the_templates_registered_id_in_its_language(aws):
    from app import app

    accounts.record_login("9876543211", 1)
    accounts.set_account_language("9876543211", "hi_IN")
    notify("9876543210", messages.cancelled("A1", 1))
    notify("9876543211", messages.cancelled("A1", 1))
    dispatcher.drain(app)
    india = get_settings().country
    [english] = local_carrier.messages_for("9876543210")
    [hindi] = local_carrier.messages_for("9876543211")
    assert english["sender_id"] == hindi["sender_id"] == india.sms_sender_id == "TEEKAH"
    assert english["template_id"] == india.sms_template_id("cancelled", "en_US")
    assert hindi["template_id"] == india.sms_template_id("cancelled", "hi_IN") != english["template_id"]


def test_every_template_is_registered_in_every_language_where_the_country_registers_them():
    for code in ("in", "ug", "do"):
        profile = load_pack(code)
        for name in messages.TEMPLATES:
            for language in profile.languages:
                assert profile.sms_template_id(name, language) or not profile.sms_entity_id, (code, name)


def test_a_failed_sms_comes_back_later_and_later_then_is_given_up_and_counted(aws, monkeypatch):
    from app import app

    delays, counted = [], []
    monkeypatch.setattr(queues, "retry_later", lambda name, receipt, attempt: delays.append((name, attempt)))
    monkeypatch.setattr(outbox.metrics, "add_metric", lambda name, unit, value: counted.append(name))

    def refuse(*args):
        raise SmsError("carrier down")

    monkeypatch.setattr(outbox, "publish", refuse)
    body = json.dumps({"mobile": "9876543210", "template": "cancelled", "values": {"appointment_id": "A1",
                                                                                   "people": 1}})
    for attempt in range(1, queues.MAX_RECEIVES + 1):
        event = {"Records": [{"messageId": "m", "body": body, "attributes": {"ApproximateReceiveCount": str(attempt)},
                              "messageAttributes": {}, "eventSource": "aws:sqs", "receiptHandle": "r",
                              "md5OfBody": ""}]}
        with pytest.raises(BatchProcessingError):  # a batch that failed whole is retried whole
            app.handler_map["deliver_sms"](event, dispatcher.LambdaContext())
    assert delays == [(queues.SMS, attempt) for attempt in range(1, queues.MAX_RECEIVES)]
    assert counted.count("SmsFailed") == queues.MAX_RECEIVES and counted.count("SmsDeadLettered") == 1


def test_the_backoff_hides_a_message_for_longer_each_time(aws):
    sqs = client("sqs")
    url = queues.queue_url(queues.SMS)
    queues.send(queues.SMS, {"mobile": "9876543210"})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    queues.retry_later(queues.SMS, message["ReceiptHandle"], 1)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []  # away for 30 s
    assert [min(queues.RETRY_BASE_SECONDS * 2 ** (n - 1), 900) for n in range(1, 7)] == [30, 60, 120, 240, 480, 900]
