"""Helpers every store module shares: connections, and reading conditional-write failures."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.store.base import TeekaModel


def connection(model: type[TeekaModel]) -> Connection:
    """The model's own connection, so a transaction reuses its warm botocore client."""
    return model._get_connection().connection


# What the store raises when DynamoDB fails (throttling, timeouts, a conflicting transaction): nothing
# was half-written, so the caller may answer "try again". Services name it through the store.
StoreError = PynamoDBException


def is_condition_failure(error: PynamoDBException) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def conditionally(write: Callable[[], Any]) -> bool:
    """Run one conditional write; False when its condition refused it (any other failure is raised)."""
    try:
        write()
    except (PutError, UpdateError, DeleteError) as error:
        if is_condition_failure(error):
            return False
        raise
    return True


THROTTLING_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException",
                              "RequestLimitExceeded", "ThrottlingError"})


def is_throttled(error: PynamoDBException) -> bool:
    """DynamoDB is shedding load (for a call, or for an item inside a transaction)."""
    if getattr(error, "cause_response_code", None) in THROTTLING_CODES:
        return True
    reasons = getattr(error, "cancellation_reasons", None) or []
    return any(reason is not None and reason.code in THROTTLING_CODES for reason in reasons)


def is_conflict(error: PynamoDBException) -> bool:
    """A transaction cancelled because another one was writing the same items at that moment (and for no
    other reason than that and conditions): nothing was written, and trying again may succeed."""
    reasons = [reason.code for reason in getattr(error, "cancellation_reasons", None) or [] if reason is not None]
    return "TransactionConflict" in reasons and set(reasons) <= {"TransactionConflict", "ConditionalCheckFailed",
                                                                 "None"}


class Transaction(TransactWrite):
    """PynamoDB's TransactWrite whose items carry a label, so a cancellation says which conditions failed.

    PynamoDB sends condition checks, then deletes, then puts, then updates, whatever order they were
    added in; DynamoDB's cancellation reasons follow the sent order. This class keeps that mapping.
    """

    def __init__(self, model: type[TeekaModel], client_request_token: str | None = None):
        # With a token, DynamoDB treats a retried transaction (after a lost answer) as the same one.
        super().__init__(connection=connection(model), client_request_token=client_request_token)
        self._labels: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}

    def check(self, label: str, model_cls: type[TeekaModel], hash_key: Any, condition: Any) -> None:
        self._labels["check"].append(label)
        self.condition_check(model_cls, hash_key, condition=condition)

    def remove(self, label: str, model: TeekaModel, condition: Any = None) -> None:
        self._labels["delete"].append(label)
        self.delete(model, condition=condition)

    def put(self, label: str, model: TeekaModel, condition: Any = None) -> None:
        self._labels["put"].append(label)
        self.save(model, condition=condition)

    def change(self, label: str, model: TeekaModel, actions: list, condition: Any = None) -> None:
        self._labels["update"].append(label)
        self.update(model, actions=actions, condition=condition)

    def attempt(self, build: Callable[[Transaction], None]) -> set[str] | None:
        """Add the items (`build`) and commit. None when committed; otherwise the labels of the items
        whose condition refused. Any other failure (throttling, conflict, validation) is raised."""
        try:
            with self:
                build(self)
        except TransactWriteError as error:
            failed = self.failed(error)
            if failed is None:
                raise
            return failed
        return None

    def failed(self, error: TransactWriteError) -> set[str] | None:
        """Labels of the items whose condition failed; None when the transaction failed for another
        reason (throttling, a conflicting transaction, validation): then the caller re-raises."""
        sent = [*self._labels["check"], *self._labels["delete"], *self._labels["put"], *self._labels["update"]]
        reasons = error.cancellation_reasons or []
        failed = [(i, reason.code) for i, reason in enumerate(reasons) if reason is not None and reason.code != "None"]
        if not failed or any(code != "ConditionalCheckFailed" for _, code in failed):
            return None
        return {sent[i] for i, _ in failed}
