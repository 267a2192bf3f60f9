"""SMS through Amazon SNS (transactional, direct to a phone number)."""
from __future__ import annotations

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings


class SmsError(Exception):
    """The carrier did not accept the message. Carries only an error code: AWS messages may quote the number."""


def publish(mobile: str, message: str) -> str:
    """Send one SMS; returns the SNS message id. Raises SmsError when SNS refuses or is unreachable."""
    from botocore.exceptions import BotoCoreError, ClientError

    country = get_settings().country
    try:
        response = client("sns").publish(
            PhoneNumber=f"{country.mobile_country_prefix}{mobile}",
            Message=message,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
    except ClientError as error:
        raise SmsError(error.response.get("Error", {}).get("Code", "ClientError")) from None
    except BotoCoreError as error:
        raise SmsError(type(error).__name__) from None
    return response["MessageId"]
