"""SMS through Amazon SNS (transactional, direct to a phone number).

Where carriers require registered senders and templates (India's DLT), the country pack names its
sender id and principal entity id, and each template's registered id; SNS passes them on as the
message attributes AWS documents for India (`AWS.SNS.SMS.SenderID`, `AWS.MM.SMS.EntityId`,
`AWS.MM.SMS.TemplateId`).
"""
from __future__ import annotations

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings


class SmsError(Exception):
    """The carrier did not accept the message. Carries only an error code: AWS messages may quote the number."""


def publish(mobile: str, message: str, template_id: str = "") -> str:
    """Send one SMS (`template_id`: its registered template, where the country requires one); returns
    the SNS message id. Raises SmsError when SNS refuses or is unreachable."""
    from botocore.exceptions import BotoCoreError, ClientError

    country = get_settings().country
    attributes = {"AWS.SNS.SMS.SMSType": "Transactional", "AWS.SNS.SMS.SenderID": country.sms_sender_id,
                  "AWS.MM.SMS.EntityId": country.sms_entity_id, "AWS.MM.SMS.TemplateId": template_id}
    try:
        response = client("sns").publish(
            PhoneNumber=f"{country.mobile_country_prefix}{mobile}",
            Message=message,
            MessageAttributes={name: {"DataType": "String", "StringValue": value}
                               for name, value in attributes.items() if value},
        )
    except ClientError as error:
        raise SmsError(error.response.get("Error", {}).get("Code", "ClientError")) from None
    except BotoCoreError as error:
        raise SmsError(type(error).__name__) from None
    return response["MessageId"]
