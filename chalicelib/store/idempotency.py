"""The table behind `Idempotency-Key` (services.idempotency): Powertools' persistence layer on it."""
from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from chalicelib.adapters.aws import client
from chalicelib.store.base import TeekaModel, table_meta


class IdempotencyItem(TeekaModel):
    """The table Powertools writes (its default attribute names); declared here so it is created
    locally and rendered for CloudFormation like every other table."""

    Meta = table_meta("idempotency")
    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute()


@lru_cache(maxsize=1)
def persistence() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=IdempotencyItem.Meta.table_name, boto3_client=client("dynamodb"))
