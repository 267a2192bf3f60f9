"""moto's CloudFormation, completed with placeholders for the few resource types it cannot create.

Each placeholder only records that the resource was declared and answers its attributes, so that the
stack reaches CREATE_COMPLETE and every other resource is really created by moto. The list is explicit:
the stack tests check that it is exactly what moto lacks, and cfn-lint checks these resources' schema.
"""
from __future__ import annotations

import json
from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

# Type -> the attributes the template reads of it.
NOT_IN_MOTO = {
    "AWS::ApiGateway::Account": (),
    # moto has this one, but its RestApi ignores the template's `Body` (the OpenAPI document), so the
    # API has no method to deploy.
    "AWS::ApiGateway::Deployment": (),
    "AWS::ApiGateway::Stage": (),
    "AWS::CloudFront::CachePolicy": ("Id",),
    "AWS::CloudFront::Distribution": ("DomainName", "Id"),
    "AWS::CloudFront::Function": ("FunctionARN",),
    "AWS::CloudFront::OriginAccessControl": ("Id",),
    "AWS::CloudWatch::Alarm": (),
    "AWS::S3::BucketPolicy": (),
    "AWS::WAFv2::WebACL": ("Arn",),
}
declared: dict[str, dict[str, Any]] = {}  # logical id -> properties, of every placeholder made
_installed: list[type[CloudFormationModel]] = []  # moto finds models as subclasses: weak references


def _placeholder(kind: str, attributes: tuple[str, ...]) -> type[CloudFormationModel]:
    class Placeholder(CloudFormationModel):
        def __init__(self, name: str) -> None:
            self.name = name

        @staticmethod
        def cloudformation_type() -> str:
            return kind

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr in attributes

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name,
                                            **kwargs):
            declared[kwargs.get("LogicalId", resource_name)] = cloudformation_json.get("Properties", {})
            return cls(resource_name)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                            account_id, region_name):
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id,
                                                       region_name)

        @classmethod
        def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
            pass

        @property
        def physical_resource_id(self) -> str:
            return self.name

        def get_cfn_attribute(self, attribute_name: str) -> str:
            return f"{kind}/{self.name}/{attribute_name}"

    Placeholder.__name__ = kind.replace("::", "")
    return Placeholder


def _kms_key_as_cloudformation_says(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """moto 5.2.5 makes every KMS key of a template a symmetric one and reads its tags in the API's
    form ({TagKey, TagValue}), so a signing key with tags fails to create; this honours the template."""
    from moto.kms.models import kms_backends

    properties = cloudformation_json["Properties"]
    key = kms_backends[account_id][region_name].create_key(
        policy=json.dumps(properties["KeyPolicy"]), key_usage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
        key_spec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"), description=properties.get("Description", ""),
        tags=[{"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in properties.get("Tags", [])])
    key.enabled = properties.get("Enabled", True)
    return key


def _apply_then_output(change_set) -> None:
    """moto 5.2.5 works out a stack's outputs before a change set creates its resources (and never
    again), so `aws cloudformation deploy` leaves outputs empty; this works them out after."""
    stack = change_set.stack
    stack.resource_map.update(change_set.template_dict, change_set.parameters)
    stack.template = change_set.template
    stack._parse_template()
    stack.output_map = stack._create_output_map()


def install() -> None:
    """Add the placeholders to moto's CloudFormation (once per process), and mend what it gets wrong."""
    from moto.cloudformation.models import ChangeSet
    from moto.kms.models import Key

    Key.create_from_cloudformation_json = classmethod(_kms_key_as_cloudformation_says)  # type: ignore[method-assign]
    ChangeSet.apply = _apply_then_output  # type: ignore[method-assign]
    if not _installed:
        _installed.extend(_placeholder(kind, NOT_IN_MOTO[kind]) for kind in sorted(NOT_IN_MOTO))
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()


def placeheld(types: set[str]) -> set[str]:
    """Which of these resource types a placeholder stands for."""
    return types & set(NOT_IN_MOTO)
