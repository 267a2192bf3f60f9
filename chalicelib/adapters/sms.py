"""SMS through Amazon SNS (transactional, direct to a phone number)."""
from __future__ import annotations

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings


class SmsError(Exception):
    """The carrier did not accept the message."""


def send_sms(mobile: str, message: str) -> str:
    """Send one SMS; returns the SNS message id. Raises SmsError when SNS refuses or is unreachable."""
    from botocore.exceptions import BotoCoreError, ClientError

    country = get_settings().country
    try:
        response = client("sns").publish(
            PhoneNumber=f"{country.mobile_country_prefix}{mobile}",
            Message=message,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
    except (BotoCoreError, ClientError) as error:
        raise SmsError(str(error)) from error
    return response["MessageId"]
