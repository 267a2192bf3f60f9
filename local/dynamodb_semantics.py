"""DynamoDB's guarantees, restored where moto falls short of them (local stage and tests only).

- **One request at a time** (`_atomic`, over HTTP and in-process alike): DynamoDB applies every
  write, conditional write and transaction atomically. moto's in-memory backend checks conditions
  and then writes in plain Python, so on a threaded server two requests can interleave between the
  check and the write.
  Serialising DynamoDB requests restores the guarantee the app relies on, so concurrency tests test
  our conditions, not moto's races.
- **A refused transaction leaves no trace** (`transact_write_items`): moto applies a transaction's
  writes one by one and, when one is refused, swaps in deep copies of the whole tables taken before.
  The swapped-in table has a copy of the stream, so a stream reader (the local dispatcher, like
  Lambda's event source mapping) keeps reading the old one: it sees the refused transaction's
  records and nothing written afterwards. Copying whole tables also makes every transaction slower
  as tables grow. Here only the items a transaction touches are remembered, restored in place when
  it is refused, and its stream records taken back, so a failed transaction emits nothing and the
  stream keeps flowing, as in DynamoDB.
- **Answers at the speed of a table, not of a shape walker** (`_answer_items_as_json`): moto turns
  every answer into JSON by walking botocore's shape of each attribute of each item; a 7-day calendar
  of one district (a Query of 336 sessions) took 3 s. The items of a data-plane answer are already
  DynamoDB's wire JSON, so they are dumped as they are (a test checks both give the same JSON).
"""
from __future__ import annotations

import copy
import json
import threading
from typing import Any

# Whose answers hold only items, keys and counts, already in DynamoDB's JSON (no timestamps to format).
DATA_PLANE = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                        "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})


_one_request_at_a_time = threading.Lock()


def _atomic(call_action):
    """moto's DynamoDB handler, one request at a time: whether it came over HTTP or in-process."""
    def atomic(handler):
        with _one_request_at_a_time:
            return call_action(handler)

    return atomic


def install() -> None:
    """Replace moto's TransactWriteItems with one that undoes a refused transaction in place, and its
    answers' serialiser with a plain JSON dump for data-plane answers."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoDBBackend.transact_write_items, "teeka_in_place", False):
        return
    transact_write_items.teeka_in_place = True  # type: ignore[attr-defined]
    # Deliberate patches of moto (see the module's docstring).
    setattr(DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010
    setattr(DynamoHandler, "serialized", _answer_items_as_json(DynamoHandler.serialized))  # noqa: B010
    setattr(DynamoHandler, "call_action", _atomic(DynamoHandler.call_action))  # noqa: B010


def _answer_items_as_json(serialized):
    from moto.core.utils import get_service_model

    def answer(handler, action_result):
        action = handler._get_action()
        if isinstance(action_result.result, dict) and action in DATA_PLANE:
            members = get_service_model("dynamodb").operation_model(action).output_shape.members
            body = {name: value for name, value in action_result.result.items() if name in members}
            return 200, {"Content-Type": "application/x-amz-json-1.0", **handler.response_headers}, json.dumps(body)
        return serialized(handler, action_result)

    answer.shape_walker = serialized
    return answer


def _key_of(table, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]
    attributes = op["Item"]
    key = {table.hash_key_attr: attributes[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attributes[table.range_key_attr]
    return key


class _Undo:
    """The items a transaction touched as they were before it, and where each stream stood."""

    def __init__(self):
        self.items: list[tuple[Any, Any, Any, Any]] = []  # (table, hash, range, item before or None)
        self.streams: dict[int, tuple[Any, int]] = {}

    def remember(self, table, hash_value, range_value) -> None:
        self.items.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
        shard = table.stream_shard
        if shard is not None and id(shard) not in self.streams:
            self.streams[id(shard)] = (shard, len(shard.items))

    def restore(self) -> None:
        for table, hash_value, range_value, before in reversed(self.items):
            if range_value is not None:
                if before is None:
                    table.items[hash_value].pop(range_value, None)
                else:
                    table.items[hash_value][range_value] = before
            elif before is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = before
        for shard, length in self.streams.values():
            del shard.items[length:]


def transact_write_items(backend, transact_items: list[dict[str, Any]]) -> None:
    """moto's own algorithm (conditions checked item by item, writes applied as it goes, every
    failure reported at its position), with an item-level undo instead of whole-table copies."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    undo = _Undo()
    targets: set[tuple[str, str]] = set()
    errors: list[tuple[Any, Any, Any]] = []
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException
        original_item = None
        try:
            op_type, op = next(iter(entry.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            table = backend.get_table(table_name)
            key = _key_of(table, op_type, op)
            target = (str(table_name), str(dict(sorted(key.items()))))
            if target in targets:
                raise MultipleTransactionsException()
            targets.add(target)
            hash_value, range_value = backend.get_keys_value(table, key)
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            condition = op.get("ConditionExpression")
            current = table.get_item(hash_value, range_value)
            if condition is not None and not get_filter_expression(condition, names, values).expr(current):
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    original_item = current.to_json()["Attributes"]
                raise ConditionalCheckFailed(item=original_item)
            if op_type != "ConditionCheck":
                undo.remember(table, hash_value, range_value)
            if op_type == "Put":
                backend.put_item(table_name, op["Item"], condition_expression=condition,
                                 expression_attribute_names=names, expression_attribute_values=values)
            elif op_type == "Delete":
                backend.delete_item(table_name, key, condition_expression=condition,
                                    expression_attribute_names=names, expression_attribute_values=values)
            elif op_type == "Update":
                backend.update_item(table_name, key, update_expression=op["UpdateExpression"],
                                    condition_expression=condition, expression_attribute_names=names,
                                    expression_attribute_values=values)
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            undo.restore()
            raise
        except ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original_item))
        except Exception as error:
            errors.append((type(error).__name__, str(error), original_item))
    if any(code is not None for code, _, _ in errors):
        undo.restore()
        raise TransactionCanceledException(errors)
