"""The deployable template renders from the code's own definitions, passes cfn-lint, and creates on moto."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """`make package COUNTRY=ug STAGE=prod` (a country other than the default, so every name must follow
    the parameter), in a copy of the project whose requirements are left out of the zip:
    the template does not depend on them, and the test must not download wheels."""
    work = tmp_path_factory.mktemp("project")
    for name in ("app.py", "chalicelib", "infra", ".chalice", "docs"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, work / name)
    (work / "requirements.txt").write_text("")
    out = work / "build"
    env = {**os.environ, "AWS_DEFAULT_REGION": "ap-south-1"}
    subprocess.run([sys.executable, "-m", "infra.render", "--country", "ug", "--stage", "prod",
                    "--out", str(out)],
                   cwd=work, env=env, check=True, capture_output=True)
    return out / "template.json"


def test_template_has_every_table_of_the_stage(rendered):
    from chalicelib.store.tables import TABLE_MODELS

    resources = json.loads(rendered.read_text())["Resources"]
    tables = {r["Properties"]["TableName"] for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"}
    expected = {model.Meta.table_name.replace("teeka-in-local-", "teeka-ug-prod-") for model in TABLE_MODELS}
    assert tables == expected
    assert all(r["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
               for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table")


def test_template_keeps_the_api_and_its_stage_environment(rendered):
    resources = json.loads(rendered.read_text())["Resources"]
    assert "RestAPI" in resources
    env = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["TEEKA_STAGE"] == "prod"
    functions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    assert all(f["Properties"]["Environment"]["Variables"]["TEEKA_COUNTRY"] == "ug" for f in functions)
    assert all(f["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "teeka-ug-prod"
               for f in functions)


def test_every_name_and_permission_is_the_countrys_and_the_stages(rendered):
    """Two countries (or stages) in one account never share, or may touch, a resource."""
    text = rendered.read_text()
    assert "{country}" not in text and "teeka-prod-" not in text and "teeka-in-" not in text
    template = json.loads(text)
    statements = [statement for resource in template["Resources"].values() if resource["Type"] == "AWS::IAM::Role"
                  for policy in resource["Properties"].get("Policies", [])
                  for statement in policy["PolicyDocument"]["Statement"]]
    # Resources by reference; the one name spelt out is the secrets', which the operator makes.
    assert "teeka-" not in json.dumps(statements) and "parameter/teeka/ug/prod/secrets" in json.dumps(statements)
    names = [r["Properties"].get(key) for r in template["Resources"].values()
             for key in ("TableName", "QueueName", "AliasName", "BucketName", "FunctionName", "LogGroupName",
                         "TopicName", "DashboardName") if isinstance(r.get("Properties", {}).get(key), str)]
    assert names and all("teeka-ug-prod" in str(name) for name in names), names


def test_each_resource_is_named_once_and_referred_to_everywhere_else(rendered):
    """No ARN or resource name is spelt out twice: the functions find the bucket, the queues and the
    streams by reference, so renaming one (TEEKA_CERTIFICATE_BUCKET) renames it everywhere."""
    template = json.loads(rendered.read_text())
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role" or resource["Type"] == "AWS::Lambda::EventSourceMapping":
            text = json.dumps(resource)
            assert "arn:aws:" not in text and "teeka-ug-prod" not in text, name
    mappings = [r["Properties"]["EventSourceArn"] for r in template["Resources"].values()
                if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert len(mappings) == 10 and all(set(arn) == {"Fn::GetAtt"} for arn in mappings), mappings
    buckets = [f["Properties"]["Environment"]["Variables"]["TEEKA_CERTIFICATE_BUCKET"]
               for f in template["Resources"].values() if f["Type"] == "AWS::Lambda::Function"]
    assert len(buckets) == 13 and all(bucket == {"Ref": "CertificateBucket"} for bucket in buckets), buckets


def test_cfn_lint_passes_on_both_stacks(rendered):
    # W3002: the functions' code is a local zip, which `aws cloudformation package` uploads (docs/deploy.md).
    result = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), "--ignore-checks", "W3002", "--",
                             str(rendered), str(rendered.with_name("edge.json"))], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_whole_stack_creates_on_moto_with_placeholders_only_for_what_moto_lacks(rendered, tmp_path):
    import boto3
    from moto import mock_aws

    from tests.infra import moto_cloudformation

    moto_cloudformation.install()
    template = json.loads(rendered.read_text())
    with mock_aws():
        s3 = boto3.client("s3", region_name="ap-south-1")
        s3.create_bucket(Bucket="artefacts", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
        s3.upload_file(str(rendered.with_name("deployment.zip")), "artefacts", "code.zip")
        for resource in template["Resources"].values():  # what `aws cloudformation package` does
            if resource["Type"] == "AWS::Lambda::Function":
                resource["Properties"]["Code"] = {"S3Bucket": "artefacts", "S3Key": "code.zip"}
        s3.put_object(Bucket="artefacts", Key="template.json", Body=json.dumps(template))
        cloudformation = boto3.client("cloudformation", region_name="ap-south-1")
        cloudformation.create_stack(StackName="teeka-ug-prod", Capabilities=["CAPABILITY_IAM"],
                                    TemplateURL="https://artefacts.s3.amazonaws.com/template.json")
        [stack] = cloudformation.describe_stacks(StackName="teeka-ug-prod")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        made = cloudformation.list_stack_resources(StackName="teeka-ug-prod")["StackResourceSummaries"]
        assert {r["LogicalResourceId"] for r in made} == template["Resources"].keys()
        kinds = {r["Type"] for r in template["Resources"].values()}
        assert moto_cloudformation.placeheld(kinds) == set(moto_cloudformation.NOT_IN_MOTO) - {"AWS::WAFv2::WebACL"}
        # The event sources found their queues and streams (moto refuses an unknown source).
        assert len(boto3.client("lambda", region_name="ap-south-1").list_event_source_mappings()[
            "EventSourceMappings"]) == 10
        keys = boto3.client("kms", region_name="ap-south-1").list_aliases()["Aliases"]
        assert {"alias/teeka-ug-prod-certificates", "alias/teeka-ug-prod-certificates/initial"} <= {
            alias["AliasName"] for alias in keys}


def test_permissions_are_least_privilege_and_by_reference(rendered):
    template = json.loads(rendered.read_text())
    resources = template["Resources"]
    roles = [r for r in resources.values() if r["Type"] == "AWS::IAM::Role" and "lambda.amazonaws.com" in
             json.dumps(r["Properties"]["AssumeRolePolicyDocument"])]
    assert len(roles) == 13 and len({json.dumps(r["Properties"]["Policies"]) for r in roles}) == 1
    statements = {s["Sid"]: s for s in roles[0]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}
    assert statements["CertificateSigning"]["Action"] == ["kms:Sign", "kms:GetPublicKey"]
    assert statements["CertificateSigning"]["Resource"] == [{"Fn::GetAtt": ["CertificateSigningKey", "Arn"]}]
    assert "logs:CreateLogGroup" not in json.dumps(statements)
    anywhere = {sid for sid, s in statements.items() if s.get("Resource") == "*"}
    # What has no resource-level permission, or is an AWS-managed key reached only through its service.
    assert anywhere == {"Sms", "Tracing", "CertificateAliases", "SecretsKey", "CertificatePdfEncryption"}
    assert all("Condition" in statements[sid] for sid in ("SecretsKey", "CertificatePdfEncryption"))


def test_consumers_never_lose_a_message_to_throttling_or_a_stream_record_to_retries(rendered):
    resources = json.loads(rendered.read_text())["Resources"]
    for mapping in (r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"):
        function = resources[mapping["FunctionName"]["Ref"]]["Properties"]
        if mapping["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn":
            assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": {
                "Fn::GetAtt": ["StreamFailuresDeadLetters", "Arn"]}}}
        else:
            assert mapping["ScalingConfig"]["MaximumConcurrency"] == max(2, function["ReservedConcurrentExecutions"])


def test_records_outlive_their_stack(rendered):
    resources = json.loads(rendered.read_text())["Resources"]
    kept = {name for name, r in resources.items() if r.get("DeletionPolicy") == "RetainExceptOnCreate"}
    records = {name for name, r in resources.items()
               if r["Type"] in ("AWS::DynamoDB::Table", "AWS::KMS::Key") or name == "CertificateBucket"}
    assert records <= kept and "PagesBucket" not in kept
    assert all(resources[name]["Properties"]["DeletionProtectionEnabled"] for name in records
               if resources[name]["Type"] == "AWS::DynamoDB::Table")
    [deployment] = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Deployment"]
    assert "StageName" not in deployment["Properties"]  # the stage `api` is the API's only one


def test_every_function_logs_to_its_own_group_kept_for_the_stage(rendered):
    resources = json.loads(rendered.read_text())["Resources"]
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            group = resources[f"{name}Logs"]["Properties"]
            assert group == {"LogGroupName": f"/aws/lambda/{resource['Properties']['FunctionName']}",
                             "RetentionInDays": 90}
            assert f"{name}Logs" in resource["DependsOn"]  # made before the function can run


def test_api_gateway_logs_each_request_and_throttles_by_route(rendered):
    from infra.stages import STAGES

    resources = json.loads(rendered.read_text())["Resources"]
    stage = resources["RestAPIapiStage"]["Properties"]
    assert stage["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    logged = json.loads(stage["AccessLogSetting"]["Format"])
    assert {"requestId", "ip", "route", "status", "latencyMs"} <= logged.keys()
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in stage["MethodSettings"]}
    prod = STAGES["prod"]
    assert settings[("/*", "*")]["ThrottlingRateLimit"] == prod.api.rate
    calendar = settings[("/~1v2~1appointment~1sessions~1public~1calendarByDistrict", "GET")]
    assert calendar["ThrottlingRateLimit"] == prod.public_reads.rate < prod.api.rate
    assert settings[("/~1v2~1auth~1public~1generateOTP", "POST")]["ThrottlingRateLimit"] == prod.otp.rate
    assert resources["RestAPI"]["Properties"]["MinimumCompressionSize"] == 1024


def test_alarms_watch_errors_latency_throttles_dead_letters_and_sms(rendered):
    resources = json.loads(rendered.read_text())["Resources"]
    alarms = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    functions = [name for name, r in resources.items() if r["Type"] == "AWS::Lambda::Function"]
    tables = [name for name, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"]
    dead_letters = [name for name in resources if name.endswith("DeadLetters")]
    expected = ({"ApiServerErrorsAlarm", "ApiLatencyAlarm", "SmsFailuresAlarm"}
                | {f"{f}{kind}Alarm" for f in functions for kind in ("Errors", "Throttles")}
                | {f"{t}ThrottlesAlarm" for t in tables} | {f"{q}Alarm" for q in dead_letters})
    assert alarms.keys() == expected and len(dead_letters) == 7  # the six queues' and the streams' failures
    assert all(a["AlarmActions"] == [{"Ref": "OperatorAlarms"}] for a in alarms.values())
    assert alarms["ApiLatencyAlarm"]["ExtendedStatistic"] == "p99"
    assert alarms["SmsFailuresAlarm"]["Dimensions"] == [{"Name": "service", "Value": "teeka-ug-prod"}]
    dashboard = json.loads(resources["CampaignDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"])
    titles = [widget["properties"]["title"] for widget in dashboard["widgets"]]
    assert titles == ["Logins", "Registrations and bookings", "Doses", "Certificates", "Messages", "Queue depths"]


def test_queues_have_dead_letter_queues_and_report_partial_failures(rendered):
    resources = json.loads(rendered.read_text())["Resources"]
    queues = {r["Properties"]["QueueName"]: r for r in resources.values() if r["Type"] == "AWS::SQS::Queue"}
    assert "teeka-ug-prod-sms" in queues and "teeka-ug-prod-sms-dlq" in queues
    assert queues["teeka-ug-prod-sms"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
    sources = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"
               and resources[r["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]]["Type"] == "AWS::SQS::Queue"]
    assert len(sources) == 6 and all(s["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for s in sources)


def test_a_cdn_caches_public_reads_and_passes_the_rest_through(rendered):
    from infra import web
    from infra.cdn import CACHING_DISABLED
    from infra.routes import PUBLIC_READ_PATHS

    template = json.loads(rendered.read_text())
    resources = template["Resources"]
    config = resources["ApiDistribution"]["Properties"]["DistributionConfig"]
    origin, pages = config["Origins"]
    assert origin["DomainName"] == {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert origin["OriginPath"] == "/api"
    api_reads = [b for b in config["CacheBehaviors"] if b["TargetOriginId"] == "api"]
    assert {b["PathPattern"] for b in api_reads} == set(PUBLIC_READ_PATHS)
    assert all(b["CachePolicyId"] == {"Ref": "PublicReadCachePolicy"} for b in api_reads)
    # The web pages come from a private bucket that only this distribution reads.
    assert {b["PathPattern"] for b in config["CacheBehaviors"] if b["TargetOriginId"] == "pages"} == set(
        web.PATH_PATTERNS)
    assert pages["OriginAccessControlId"] == {"Fn::GetAtt": ["PagesAccessControl", "Id"]}
    blocked = resources["PagesBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(blocked.values()) and "PagesBucketName" in template["Outputs"]
    [grant] = resources["PagesBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert grant["Principal"] == {"Service": "cloudfront.amazonaws.com"} and grant["Action"] == "s3:GetObject"
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_DISABLED
    key = resources["PublicReadCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert key["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]["Headers"] == ["Accept-Language"]
    queries = key["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"]
    assert queries == {"QueryStringBehavior": "all"}  # what the function below left: the route's own
    assert all(b["FunctionAssociations"] == [{"EventType": "viewer-request", "FunctionARN": {
        "Fn::GetAtt": ["PublicReadKeys", "FunctionARN"]}}] for b in api_reads)
    assert config["WebACLId"] == {"Fn::If": ["HasEdgeWebAcl", {"Ref": "EdgeWebAclArn"}, {"Ref": "AWS::NoValue"}]}
    assert "CdnDomainName" in template["Outputs"]


def test_every_public_get_route_is_cached_at_the_edge_and_no_protected_one_is():
    from fnmatch import fnmatch

    from app import app  # noqa: F401  (registers the routes)
    from chalicelib.api.http import ROUTE_ACCESS
    from infra.routes import PUBLIC_READ_PATHS

    for (path, method), roles in ROUTE_ACCESS.items():
        cached = any(fnmatch(path, pattern) for pattern in PUBLIC_READ_PATHS)
        if cached:
            assert roles is None and method == "GET", path
        elif roles is None and method == "GET" and not path.startswith("/_local"):
            raise AssertionError(f"public GET {path} is not cached at the edge")


def test_the_dose_and_session_streams_feed_their_consumers_from_the_real_tables(rendered):
    resources = json.loads(rendered.read_text())["Resources"]
    doses = resources["DosesTable"]["Properties"]
    assert doses["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    consumers = [(r["Properties"]["EventSourceArn"]["Fn::GetAtt"][0], r["Properties"]) for r in resources.values()
                 if r["Type"] == "AWS::Lambda::EventSourceMapping"
                 and r["Properties"]["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"]
    starts = sorted((table, source["StartingPosition"]) for table, source in consumers)
    # Two readers per stream (DynamoDB's limit): every dose, from the first, for certificates and for the
    # reports; sessions for alerts from now on, and for the reports from the first.
    assert starts == [("DosesTable", "TRIM_HORIZON"), ("DosesTable", "TRIM_HORIZON"),
                      ("SessionsTable", "LATEST"), ("SessionsTable", "TRIM_HORIZON")]
    sources = dict(consumers)
    assert resources["SessionsTable"]["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert all(source["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for source in sources.values())
    statements = [statement for resource in resources.values() if resource["Type"] == "AWS::IAM::Role"
                  for policy in resource["Properties"].get("Policies", [])
                  for statement in policy["PolicyDocument"]["Statement"]
                  if "dynamodb:GetRecords" in statement["Action"]]
    readable = [arn for statement in statements for arn in statement["Resource"]]
    for table in sources:  # each consumer may read its stream
        assert {"Fn::GetAtt": [table, "StreamArn"]} in readable, (table, readable)


def test_certificates_have_their_key_bucket_queue_and_sweep(rendered):
    resources = json.loads(rendered.read_text())["Resources"]
    key = resources["CertificateSigningKey"]["Properties"]
    assert key["KeySpec"] == "ECC_NIST_P256" and key["KeyUsage"] == "SIGN_VERIFY"
    aliases = {r["Properties"]["AliasName"] for r in resources.values() if r["Type"] == "AWS::KMS::Alias"}
    assert aliases == {"alias/teeka-ug-prod-certificates", "alias/teeka-ug-prod-certificates/initial"}
    bucket = resources["CertificateBucket"]["Properties"]
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert resources["CertificatesQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
    schedules = sorted(r["Properties"]["ScheduleExpression"] for r in resources.values()
                       if r["Type"] == "AWS::Events::Rule")
    assert schedules == ["rate(15 minutes)", "rate(5 minutes)"]  # reminders; the certificates' sweep


def test_the_pages_publish_to_their_bucket_with_their_types_and_freshness(tmp_path):
    import boto3
    from moto import mock_aws

    from infra import web

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="teeka-in-dev-pages")
        count = web.publish("teeka-in-dev-pages")
        keys = {item["Key"] for item in s3.list_objects_v2(Bucket="teeka-in-dev-pages")["Contents"]}
        assert count == len(keys) and {"dashboard", "verify", "verify-sw.js", "web/texts.js"} <= keys
        page = s3.head_object(Bucket="teeka-in-dev-pages", Key="verify")
        assert page["ContentType"] == "text/html; charset=utf-8" and page["CacheControl"] == "no-cache"
        vendored = next(key for key in keys if key.startswith("web/vendor/") and key.endswith(".js"))
        assert s3.head_object(Bucket="teeka-in-dev-pages", Key=vendored)["CacheControl"] == "public, max-age=86400"


def test_the_pages_map_serves_only_files_under_web():
    from infra import web

    assert web.file_of("/dashboard") == web.file_of("/dashboard/?lang=hi") == web.WEB_DIR / "dashboard.html"
    assert web.file_of("/web/texts.js") == web.WEB_DIR / "texts.js"
    for outside in ("/web/../app.py", "/web/../../etc/passwd", "/web/", "/web/vendor", "/app.py", "/v2/web/texts",
                    "/web/nothing.js"):
        assert web.file_of(outside) is None, outside
    assert web.content_type(web.WEB_DIR / "verify-sw.js") == "text/javascript; charset=utf-8"


# An account's default concurrency (1,000), less the 100 AWS keeps unreserved.
ACCOUNT_RESERVABLE = 900


def test_every_function_reserves_its_share_and_together_they_fit_the_account(rendered):
    template = json.loads(rendered.read_text())
    functions = {name: resource["Properties"] for name, resource in template["Resources"].items()
                 if resource["Type"] == "AWS::Lambda::Function"}
    reserved = {name: properties.get("ReservedConcurrentExecutions") for name, properties in functions.items()}
    assert all(isinstance(count, int) and count > 0 for count in reserved.values()), reserved
    assert sum(reserved.values()) <= ACCOUNT_RESERVABLE, reserved
    assert reserved["APIHandler"] == max(reserved.values())  # the people's requests come first


def test_every_runtime_requirement_has_a_wheel_lambda_can_run(tmp_path):
    """The package installs the requirements from wheels for Lambda's runtime and platform, with exactly
    these options (infra/package.py): a requirement without one (cbor2 6 once, Pillow 13 once: chalice
    quietly left one out and built the other here) would stop `make package`. pip is asked now, with
    every dependency, so it fails here first."""
    from infra import package

    done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                           *package.wheel_arguments(), "-r", str(ROOT / "requirements.txt"), "-d", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not [wheel.name for wheel in tmp_path.iterdir() if "linux_x86_64" in wheel.name
                and "manylinux" not in wheel.name]


def test_functions_run_on_a_runtime_lambda_still_creates(rendered):
    from infra import package

    functions = [r["Properties"] for r in json.loads(rendered.read_text())["Resources"].values()
                 if r["Type"] == "AWS::Lambda::Function"]
    assert {f["Runtime"] for f in functions} == {package.RUNTIME} == {"python3.12"}
