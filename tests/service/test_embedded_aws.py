"""The embedded AWS answers DynamoDB's data-plane calls with a plain JSON dump of their items: the
answers must be exactly those moto's shape-walking serialiser gives (which the fast path replaces)."""
import json

import boto3
from moto.dynamodb.responses import DynamoHandler

from local import dynamodb_semantics

ITEM = {"pk": {"S": "a"}, "sk": {"N": "1"}, "text": {"S": "आशा राव"}, "number": {"N": "-12.5"},
        "flag": {"BOOL": True}, "nothing": {"NULL": True}, "tags": {"SS": ["x", "y"]},
        "counts": {"NS": ["1", "2"]}, "nested": {"M": {"list": {"L": [{"S": "a"}, {"N": "3"}, {"M": {}}]}}}}


def test_data_plane_answers_are_the_shape_walkers_answers(aws, monkeypatch):
    fast = DynamoHandler.serialized
    compared = []

    def both(handler, result):
        status, headers, body = fast(handler, result)
        if isinstance(result.result, dict) and handler._get_action() in dynamodb_semantics.DATA_PLANE:
            walked_status, _, walked = fast.shape_walker(handler, result)
            assert (status, json.loads(body)) == (walked_status, json.loads(walked)), handler._get_action()
            compared.append(handler._get_action())
        return status, headers, body

    monkeypatch.setattr(DynamoHandler, "serialized", both)
    dynamodb = boto3.client("dynamodb", region_name="ap-south-1")
    dynamodb.create_table(TableName="shapes", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "sk", "KeyType": "RANGE"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "N"}])
    key = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
    dynamodb.put_item(TableName="shapes", Item=ITEM, ReturnConsumedCapacity="TOTAL")
    dynamodb.put_item(TableName="shapes", Item={**ITEM, "sk": {"N": "2"}}, ReturnValues="ALL_OLD")
    dynamodb.get_item(TableName="shapes", Key=key, ConsistentRead=True)
    dynamodb.query(TableName="shapes", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": ITEM["pk"]},
                   Limit=1, ReturnConsumedCapacity="INDEXES")
    dynamodb.scan(TableName="shapes")
    dynamodb.update_item(TableName="shapes", Key=key, UpdateExpression="SET #n = #n + :one",
                         ExpressionAttributeNames={"#n": "number"}, ExpressionAttributeValues={":one": {"N": "1"}},
                         ReturnValues="ALL_NEW")
    dynamodb.batch_get_item(RequestItems={"shapes": {"Keys": [key, {"pk": {"S": "none"}, "sk": {"N": "0"}}]}})
    dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": "shapes", "Key": key}}])
    dynamodb.transact_write_items(TransactItems=[{"Update": {"TableName": "shapes", "Key": key,
                                                             "UpdateExpression": "SET flag = :f",
                                                             "ExpressionAttributeValues": {":f": {"BOOL": False}}}}])
    dynamodb.batch_write_item(RequestItems={"shapes": [{"PutRequest": {"Item": {**ITEM, "sk": {"N": "3"}}}}]})
    dynamodb.delete_item(TableName="shapes", Key=key, ReturnValues="ALL_OLD", ReturnConsumedCapacity="TOTAL")
    assert set(compared) == dynamodb_semantics.DATA_PLANE

