"""The one list of tables. Used to create them in moto (`make run`, tests) and to render `infra/`."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.store.alerts import SubscriptionItem
from chalicelib.store.assisted import AssistedActionItem
from chalicelib.store.auth import AccountItem, OtpItem, StaffItem
from chalicelib.store.base import TeekaModel
from chalicelib.store.booking import AppointmentItem, BookingRequestItem
from chalicelib.store.certificates import CertificateItem, CertificateSlotItem
from chalicelib.store.grievances import GrievanceItem
from chalicelib.store.idempotency import IdempotencyItem
from chalicelib.store.kycvs import StatusCheckerItem, StatusCheckItem
from chalicelib.store.limits import RateItem
from chalicelib.store.locker import LockerLinkItem
from chalicelib.store.planning import AllocationItem, CenterItem, CounterItem, SessionItem
from chalicelib.store.registration import AuditItem, BeneficiaryItem, IdClaimItem
from chalicelib.store.reminders import ReminderItem
from chalicelib.store.stats import StatsItem
from chalicelib.store.stock import BatchItem, LedgerItem, SessionStockItem, VialItem
from chalicelib.store.switches import SwitchItem
from chalicelib.store.vaccination import AefiItem, AllowanceItem, CaptureItem, DoseItem

TABLE_MODELS: tuple[type[TeekaModel], ...] = (
    OtpItem, AccountItem, StaffItem, BeneficiaryItem, IdClaimItem, AuditItem,
    CounterItem, CenterItem, SessionItem, AllocationItem, AppointmentItem, BookingRequestItem, RateItem, SwitchItem,
    IdempotencyItem, DoseItem, CaptureItem, AllowanceItem, AefiItem, CertificateSlotItem, CertificateItem,
    SubscriptionItem, ReminderItem, StatsItem, AssistedActionItem, BatchItem, VialItem, SessionStockItem, LedgerItem,
    GrievanceItem,
    LockerLinkItem,
    StatusCheckerItem, StatusCheckItem,
)


def create_all() -> None:
    for model in TABLE_MODELS:
        if not model.exists():
            model.create_table(wait=True)


def logical_id(model: type[TeekaModel]) -> str:
    return "".join(part.capitalize() for part in model.Meta.logical_name.split("-")) + "Table"


def _hash_first(key_schema: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """DynamoDB wants the HASH key before the RANGE key; PynamoDB lists them in attribute order."""
    return sorted(key_schema, key=lambda key: key["KeyType"] != "HASH")


def cloudformation_resources() -> dict[str, Any]:
    """`AWS::DynamoDB::Table` resources, derived from the very models the code uses."""
    resources: dict[str, Any] = {}
    for model in TABLE_MODELS:
        schema = model._get_schema()
        # PynamoDB's schema entries already use DynamoDB's (and so CloudFormation's) names.
        properties: dict[str, Any] = {
            "TableName": model.Meta.table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": schema["attribute_definitions"],
            "KeySchema": _hash_first(schema["key_schema"]),
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
        }
        if schema["global_secondary_indexes"]:
            properties["GlobalSecondaryIndexes"] = [
                {"IndexName": index["index_name"], "KeySchema": _hash_first(index["key_schema"]),
                 "Projection": index["projection"]}
                for index in schema["global_secondary_indexes"]
            ]
        stream = getattr(model.Meta, "stream_view_type", None)
        if stream:
            properties["StreamSpecification"] = {"StreamViewType": stream}
        ttl = model._ttl_attribute()
        if ttl is not None:
            properties["TimeToLiveSpecification"] = {"AttributeName": ttl.attr_name, "Enabled": True}
        resources[logical_id(model)] = {"Type": "AWS::DynamoDB::Table", "Properties": properties}
    return resources
