"""The Lambda functions as deployed: their names, log groups, environment and event sources."""
from __future__ import annotations

import re
from typing import Any

from chalicelib.config import Settings
from infra import package
from infra.stages import STAGES


def function_name(settings: Settings, logical_id: str) -> str:
    """`APIHandler` -> `teeka-in-prod-api-handler`: one name, so its log group and alarms can be named."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|\d+", logical_id)
    return settings.resource_name("-".join(word.lower() for word in words))


def log_group_id(function_id: str) -> str:
    return f"{function_id}Logs"


def wire_event_sources(sam: dict[str, Any]) -> None:
    """What Chalice cannot say itself: our queue and stream consumers return `batchItemFailures`; a
    queue or stream source is a reference to the queue or table in this template (see adapters.streams),
    so CloudFormation creates it first."""
    from chalicelib.adapters.streams import table_of
    from chalicelib.store.tables import TABLE_MODELS, logical_id

    resources = sam["Resources"]
    tables = {model.Meta.table_name: logical_id(model) for model in TABLE_MODELS}
    queues = {resource["Properties"]["QueueName"]: name for name, resource in resources.items()
              if resource["Type"] == "AWS::SQS::Queue"}
    for resource in resources.values():
        for event in resource.get("Properties", {}).get("Events", {}).values():
            source = event["Properties"]
            if event.get("Type") in ("SQS", "DynamoDB"):
                source["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
            if event.get("Type") == "SQS":
                # Chalice names the queue by an ARN string: `arn:...:<account>:<queue name>`.
                queue = source["Queue"]["Fn::Sub"].rsplit(":", 1)[1]
                source["Queue"] = {"Fn::GetAtt": [queues[queue], "Arn"]}
            if event.get("Type") == "DynamoDB":
                source["Stream"] = {"Fn::GetAtt": [tables[table_of(source["Stream"])], "StreamArn"]}
                # A record that keeps failing is split out and retried alone, not retried for a day.
                source.update(BisectBatchOnFunctionError=True, MaximumRetryAttempts=10)


STREAM_FAILURES = "StreamFailuresDeadLetters"  # its name ends like the queues' DLQs: the same alarm watches it


def configure_sources(template: dict[str, Any], settings: Settings) -> None:
    """A queue's poller runs at most as many batches at once as its function may run (Lambda's pollers
    ignore reserved concurrency: a batch throttled five times would be dead-lettered unprocessed); a
    stream record that fails every retry is kept, with where it came from, on a queue an alarm watches."""
    resources = template["Resources"]
    for mapping in resources.values():
        if mapping["Type"] != "AWS::Lambda::EventSourceMapping":
            continue
        source = mapping["Properties"]
        function = resources[source["FunctionName"]["Ref"]]["Properties"]
        if source["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn":
            source["DestinationConfig"] = {"OnFailure": {"Destination": {"Fn::GetAtt": [STREAM_FAILURES, "Arn"]}}}
        elif "ReservedConcurrentExecutions" in function:
            source["ScalingConfig"] = {"MaximumConcurrency": max(2, function["ReservedConcurrentExecutions"])}
    resources[STREAM_FAILURES] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": settings.resource_name("stream-failures"), "SqsManagedSseEnabled": True,
                       "MessageRetentionPeriod": 14 * 24 * 3600},
    }


def configure(template: dict[str, Any], settings: Settings, stage: str) -> None:
    """Name every function, give it a log group kept for the stage's retention (created before the
    function can run, so Lambda never makes one that keeps logs forever), and tell it its country."""
    resources = template["Resources"]
    for function_id, resource in list(resources.items()):
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        properties = resource["Properties"]
        name = function_name(settings, function_id)
        properties["FunctionName"] = name
        properties["Runtime"] = package.RUNTIME  # Chalice names this Python's; the code is built for Lambda's
        variables = properties.setdefault("Environment", {}).setdefault("Variables", {})
        # The service dimension of every metric and log line: two countries' numbers never mix.
        # The bucket by reference: its name (bucket names are global, TEEKA_CERTIFICATE_BUCKET may set
        # it when rendering) is then said once.
        variables.update(TEEKA_COUNTRY=settings.country.country_code.lower(),
                         POWERTOOLS_SERVICE_NAME=settings.resource_prefix,
                         TEEKA_CERTIFICATE_BUCKET={"Ref": "CertificateBucket"})
        resources[log_group_id(function_id)] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": f"/aws/lambda/{name}",
                           "RetentionInDays": STAGES[stage].log_retention_days},
        }
        resource["DependsOn"] = sorted({*_as_list(resource.get("DependsOn")), log_group_id(function_id)})


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value
