"""API Gateway's stage as deployed: throttling, access logs, tracing."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.config import Settings
from infra import routes
from infra.stages import STAGES, Throttle

STAGE_ID = "RestAPIapiStage"  # what aws-sam-translator names the stage of Chalice's `RestAPI`
ACCESS_LOGS_ID = "ApiAccessLogs"
# One JSON line per request: who, what, how it ended and how long it took; never a header or a body.
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "time": "$context.requestTimeEpoch",
    "method": "$context.httpMethod", "route": "$context.resourcePath", "status": "$context.status",
    "bytes": "$context.responseLength", "latencyMs": "$context.responseLatency",
    "lambdaMs": "$context.integrationLatency", "error": "$context.integrationErrorMessage",
    "userAgent": "$context.identity.userAgent", "trace": "$context.xrayTraceId",
}, separators=(",", ":"))


def _method_setting(path: str, method: str, throttle: Throttle) -> dict[str, Any]:
    # API Gateway names a method by its resource path with every "/" written "~1", after a leading "/":
    # /v2/auth/generateOTP is "/~1v2~1auth~1generateOTP".
    return {"ResourcePath": path if path == "/*" else "/" + path.replace("/", "~1"), "HttpMethod": method,
            "ThrottlingRateLimit": throttle.rate, "ThrottlingBurstLimit": throttle.burst,
            "MetricsEnabled": False, "DataTraceEnabled": False}


def method_settings(stage: str) -> list[dict[str, Any]]:
    operations = STAGES[stage]
    return ([_method_setting("/*", "*", operations.api)]
            + [_method_setting(path, "GET", operations.public_reads) for path in routes.public_read_paths()]
            + [_method_setting(path, method, operations.otp) for path, method in routes.otp_paths()])


def configure(template: dict[str, Any], settings: Settings, stage: str) -> None:
    """Throttle the stage (a whole default, tighter for the cached reads' origin and for OTPs), log every
    request as JSON to a log group kept for the stage's retention, and trace it."""
    resources = template["Resources"]
    api = resources["RestAPI"]["Properties"]
    api["Name"] = api["Body"]["info"]["title"] = settings.resource_prefix  # its metrics' ApiName
    # SAM's deployment would also make a stage named "Stage", unthrottled and unlogged: only `api` exists.
    for resource in resources.values():
        if resource["Type"] == "AWS::ApiGateway::Deployment":
            resource["Properties"].pop("StageName", None)
    properties = resources[STAGE_ID]["Properties"]
    properties.update(
        MethodSettings=method_settings(stage), TracingEnabled=True,
        AccessLogSetting={"DestinationArn": {"Fn::GetAtt": [ACCESS_LOGS_ID, "Arn"]}, "Format": ACCESS_LOG_FORMAT})
    # API Gateway writes access logs with the account's CloudWatch role, which must be set first.
    resources[STAGE_ID]["DependsOn"] = ["ApiGatewayAccount"]
    resources[ACCESS_LOGS_ID] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": f"/aws/apigateway/{settings.resource_prefix}",
                       "RetentionInDays": STAGES[stage].log_retention_days},
    }
    # Kept when a stack goes: the account's setting (of every stage in the region) may point at it.
    resources["ApiGatewayLogsRole"] = {
        "Type": "AWS::IAM::Role", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
        "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"}],
        },
    }
    # One setting per account and region: a second country's stack sets the same kind of role again.
    resources["ApiGatewayAccount"] = {
        "Type": "AWS::ApiGateway::Account",
        "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["ApiGatewayLogsRole", "Arn"]}}}
