"""CloudWatch alarms and the campaign's dashboard, made from the template's own resources.

Alarms tell the stage's operators topic (`OperatorAlarms`: subscribe an e-mail or a pager to it) when
the API answers 5xx or slowly, any function fails or is throttled, any table throttles, any message
reaches a dead-letter queue, or SMS fail. The dashboard shows the business metrics the code emits
(namespace `Teeka`, dimension `service` = the stage, listed in docs/deploy.md) and the queues' depth.
"""
from __future__ import annotations

import json
from typing import Any

from chalicelib.config import Settings
from infra.api import STAGE_ID
from infra.stages import STAGES

NAMESPACE = "Teeka"  # POWERTOOLS_METRICS_NAMESPACE in .chalice/config.json
TOPIC = "OperatorAlarms"
MINUTE = 60


def _alarm(description: str, threshold: float, *, metric: dict[str, Any] | None = None,
           metrics: list[dict[str, Any]] | None = None, periods: int = 1,
           comparison: str = "GreaterThanThreshold") -> dict[str, Any]:
    properties: dict[str, Any] = {
        "AlarmDescription": description, "Threshold": threshold, "ComparisonOperator": comparison,
        "EvaluationPeriods": periods, "DatapointsToAlarm": periods, "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": TOPIC}], "OKActions": [{"Ref": TOPIC}],
    }
    properties.update(metric or {"Metrics": metrics})
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": properties}


def _metric(namespace: str, name: str, dimensions: dict[str, Any], statistic: str = "Sum",
            period: int = MINUTE) -> dict[str, Any]:
    return {"Namespace": namespace, "MetricName": name, "Statistic": statistic, "Period": period,
            "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()]}


def _input(query_id: str, namespace: str, name: str, dimensions: dict[str, Any], stat: str = "Sum") -> dict[str, Any]:
    """One metric read by an alarm's expression (metric math), not alarmed on by itself."""
    metric = {key: value for key, value in _metric(namespace, name, dimensions).items()
              if key in ("Namespace", "MetricName", "Dimensions")}
    return {"Id": query_id, "ReturnData": False, "MetricStat": {"Metric": metric, "Period": MINUTE, "Stat": stat}}


def _api_dimensions(settings: Settings) -> dict[str, Any]:
    return {"ApiName": settings.resource_prefix, "Stage": {"Ref": STAGE_ID}}  # infra/api.py names the API


def resources(template: dict[str, Any], settings: Settings, stage: str) -> dict[str, Any]:
    operations = STAGES[stage]
    found = template["Resources"]
    functions = sorted(name for name, r in found.items() if r["Type"] == "AWS::Lambda::Function")
    tables = sorted(name for name, r in found.items() if r["Type"] == "AWS::DynamoDB::Table")
    dead_letters = sorted(name for name in found if name.endswith("DeadLetters"))
    api = _api_dimensions(settings)
    alarms: dict[str, Any] = {
        "ApiServerErrorsAlarm": _alarm(
            f"More than {operations.server_error_percent}% of API answers were 5xx, two minutes running",
            operations.server_error_percent, periods=2, metrics=[
                _input("errors", "AWS/ApiGateway", "5XXError", api),
                _input("requests", "AWS/ApiGateway", "Count", api, stat="SampleCount"),
                {"Id": "percent", "Label": "5xx %", "ReturnData": True,
                 "Expression": "IF(requests > 0, 100 * errors / requests, 0)"}]),
        "ApiLatencyAlarm": _alarm(
            f"The API's p99 latency was over {operations.p99_latency_ms} ms for three minutes",
            operations.p99_latency_ms, periods=3,
            metric={k: v for k, v in _metric("AWS/ApiGateway", "Latency", api).items() if k != "Statistic"}
            | {"ExtendedStatistic": "p99"}),
        "SmsFailuresAlarm": _alarm(
            "SMS failed to send (SmsFailed: the carrier refused, or a message was dead-lettered)", 0,
            metric=_metric(NAMESPACE, "SmsFailed", {"service": settings.resource_prefix}, period=5 * MINUTE)),
    }
    for function in functions:
        dimensions = {"FunctionName": {"Ref": function}}
        alarms[f"{function}ErrorsAlarm"] = _alarm(
            f"{function} failed (an unhandled error: the API's would be a 5xx)", 0,
            metric=_metric("AWS/Lambda", "Errors", dimensions, period=5 * MINUTE))
        alarms[f"{function}ThrottlesAlarm"] = _alarm(
            f"{function} was throttled: it reached its reserved concurrency", 0,
            metric=_metric("AWS/Lambda", "Throttles", dimensions, period=5 * MINUTE))
    for table in tables:
        dimensions = {"TableName": {"Ref": table}}
        alarms[f"{table}ThrottlesAlarm"] = _alarm(
            f"{table} throttled reads or writes (a hot partition?)", 0, metrics=[
                _input("reads", "AWS/DynamoDB", "ReadThrottleEvents", dimensions),
                _input("writes", "AWS/DynamoDB", "WriteThrottleEvents", dimensions),
                {"Id": "throttled", "Label": "throttled", "ReturnData": True, "Expression": "reads + writes"}])
    for queue in dead_letters:
        alarms[f"{queue}Alarm"] = _alarm(
            f"A message reached {queue}: it failed every retry and waits for an operator", 0,
            metric=_metric("AWS/SQS", "ApproximateNumberOfMessagesVisible",
                           {"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}}, statistic="Maximum",
                           period=5 * MINUTE))
    # Not encrypted: CloudWatch cannot publish to a topic under SNS's AWS-managed key, and an alarm's
    # message names only the alarm.
    topic = {TOPIC: {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": settings.resource_name("alarms")}}}
    return {**topic, **alarms, "CampaignDashboard": dashboard(template, settings)}


# The dashboard's rows: a title and the business metrics it plots (each is emitted by the code).
DASHBOARD_ROWS = (
    ("Logins", ("OtpSent", "LoginSucceeded", "LoginFailed", "OtpThrottled")),
    ("Registrations and bookings", ("BeneficiaryRegistered", "Booked", "Cancelled", "BookingQueued",
                                    "BookingRejected", "BookingThrottled")),
    ("Doses", ("DoseRecorded", "WalkInVaccinated", "OfflineRecordsAccepted", "DosesCounted")),
    ("Certificates", ("CertificateIssued", "InternationalCertificateIssued", "CertificatesSwept")),
    ("Messages", ("ReminderSent", "AlertSent", "SmsFailed", "SmsDeadLettered", "SmsNotQueued")),
)


def dashboard(template: dict[str, Any], settings: Settings) -> dict[str, Any]:
    service = settings.resource_prefix
    widgets: list[dict[str, Any]] = []
    for row, (title, names) in enumerate(DASHBOARD_ROWS):
        widgets.append({"type": "metric", "x": 0, "y": row * 6, "width": 24, "height": 6, "properties": {
            "title": title, "view": "timeSeries", "stat": "Sum", "period": MINUTE, "region": "${AWS::Region}",
            "metrics": [[NAMESPACE, name, "service", service] for name in names]}})
    queues = sorted(resource["Properties"]["QueueName"] for resource in template["Resources"].values()
                    if resource["Type"] == "AWS::SQS::Queue")
    widgets.append({"type": "metric", "x": 0, "y": len(DASHBOARD_ROWS) * 6, "width": 24, "height": 6, "properties": {
        "title": "Queue depths", "view": "timeSeries", "stat": "Maximum", "period": MINUTE, "region": "${AWS::Region}",
        "metrics": [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue] for queue in queues]}})
    return {"Type": "AWS::CloudWatch::Dashboard",
            "Properties": {"DashboardName": settings.resource_prefix,
                           "DashboardBody": {"Fn::Sub": json.dumps({"widgets": widgets})}}}


def outputs() -> dict[str, Any]:
    return {"OperatorAlarmsTopic": {"Description": "Subscribe the operators' e-mail or pager to the alarms",
                                    "Value": {"Ref": TOPIC}}}
