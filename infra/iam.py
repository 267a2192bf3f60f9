"""The functions' permissions: least privilege, every resource named by a reference to it in the template.

One policy for every function's role, written here from the template's own resources rather than from
name patterns, so a renamed resource cannot fall out of (or a neighbour's fall into) a permission.
"""
from __future__ import annotations

from typing import Any

from chalicelib.config import Settings
from infra.functions import log_group_id


def _of_type(resources: dict[str, Any], kind: str) -> list[str]:
    return sorted(name for name, resource in resources.items() if resource["Type"] == kind)


def _arn(logical_id: str, attribute: str = "Arn") -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, attribute]}


def policy(template: dict[str, Any], settings: Settings) -> dict[str, Any]:
    from infra import signing_keys

    resources = template["Resources"]
    functions = _of_type(resources, "AWS::Lambda::Function")
    tables = _of_type(resources, "AWS::DynamoDB::Table")
    streamed = [table for table in tables if "StreamSpecification" in resources[table]["Properties"]]
    queues = _of_type(resources, "AWS::SQS::Queue")
    keys = signing_keys.key_ids()
    statements: list[dict[str, Any]] = [
        # Log groups are the template's (infra/functions.py): a function may write to its group, not make one.
        {"Sid": "Logs", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [_arn(log_group_id(function)) for function in functions]},
        {"Sid": "Tables", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                     "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem",
                                     "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
                                     "dynamodb:DescribeTable"],
         "Resource": [_arn(table) for table in tables]
         + [{"Fn::Sub": f"${{{table}.Arn}}/index/*"} for table in tables]},
        {"Sid": "TableStreams", "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                                           "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
         "Resource": [_arn(table, "StreamArn") for table in streamed]},
        # The stage's secrets are made by the operator, not the template (CloudFormation cannot make a
        # SecureString): named by the settings' one name for them.
        {"Sid": "Secrets", "Action": ["ssm:GetParameter"],
         "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
                                 + settings.secrets_parameter}},
        {"Sid": "SecretsKey", "Action": ["kms:Decrypt"], "Resource": "*",  # SSM's own AWS-managed key
         "Condition": {"StringLike": {"kms:ViaService": "ssm.*.amazonaws.com"}}},
        {"Sid": "Queues", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                                     "sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
         "Resource": [_arn(queue) for queue in queues]},
        {"Sid": "Sms", "Action": ["sns:Publish"], "Resource": "*"},  # an SMS's phone number has no ARN
        {"Sid": "NoTopics", "Effect": "Deny", "Action": ["sns:Publish"], "Resource": "arn:*:sns:*:*:*"},
        {"Sid": "Tracing", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
        # The certificate keys alone: the newest signs certificates; each key also signs, once, its own
        # EU DCC document signer certificate, which an earlier key may not have made before a rotation.
        {"Sid": "CertificateSigning", "Action": ["kms:Sign", "kms:GetPublicKey"],
         "Resource": [_arn(key) for key in keys]},
        {"Sid": "CertificateAliases", "Action": ["kms:ListAliases"], "Resource": "*"},  # no resource-level form
        {"Sid": "CertificatePdfs", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": [{"Fn::Sub": "${CertificateBucket.Arn}/certificates/*"},
                      {"Fn::Sub": "${CertificateBucket.Arn}/keys/*"}]},
        # The simulated document locker's accounts (adapters/locker.py), until a real locker is configured.
        {"Sid": "SimulatedLocker", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": {"Fn::Sub": "${CertificateBucket.Arn}/locker-simulator/*"}},
        {"Sid": "CertificateBucketListing", "Action": ["s3:ListBucket"], "Resource": _arn("CertificateBucket")},
        {"Sid": "CertificatePdfEncryption", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}},  # S3's own AWS-managed key
    ]
    allowed: list[dict[str, Any]] = [{"Effect": "Allow", **statement} for statement in statements]  # unless Deny
    return {"Version": "2012-10-17", "Statement": allowed}


def apply(template: dict[str, Any], settings: Settings) -> None:
    """Give every function's role the policy (Chalice wrote a placeholder from .chalice/policy.json)."""
    document = policy(template, settings)
    resources = template["Resources"]
    roles = []
    for function in _of_type(resources, "AWS::Lambda::Function"):
        role = resources[function]["Properties"]["Role"]["Fn::GetAtt"][0]
        resources[role]["Properties"]["Policies"] = [{"PolicyName": "teeka", "PolicyDocument": document}]
        roles.append(role)
    # A rotation moves the signing alias only once the roles may sign with the key it names.
    resources["CertificateSigningAlias"]["DependsOn"] = sorted(set(roles))
