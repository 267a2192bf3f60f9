"""The deployable template renders from the code's own definitions and passes cfn-lint."""
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
    for name in ("app.py", "chalicelib", "infra", ".chalice"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, work / name)
    (work / "requirements.txt").write_text("")
    out = work / "build"
    env = {**os.environ, "AWS_DEFAULT_REGION": "ap-south-1"}
    subprocess.run([sys.executable, "-m", "infra.render", "--country", "ug", "--stage", "prod",
                    "--out", str(out)],
                   cwd=work, env=env, check=True, capture_output=True)
    return out / "sam.json"


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
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    assert all(f["Properties"]["Environment"]["Variables"]["TEEKA_COUNTRY"] == "ug" for f in functions)


def test_every_name_and_permission_is_the_countrys_and_the_stages(rendered):
    """Two countries (or stages) in one account never share, or may touch, a resource."""
    text = rendered.read_text()
    assert "{country}" not in text and "teeka-prod-" not in text and "teeka-in-" not in text
    template = json.loads(text)
    statements = [statement for resource in template["Resources"].values() if resource["Type"] == "AWS::IAM::Role"
                  for policy in resource["Properties"].get("Policies", [])
                  for statement in policy["PolicyDocument"]["Statement"]]
    resources = [arn for statement in statements for arn in
                 ([statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"])]
    named = [arn for arn in resources if "teeka" in arn]
    assert named and all("teeka-ug-prod-" in arn or "/teeka/ug/prod/" in arn for arn in named), named
    names = [r["Properties"].get(key) for r in template["Resources"].values()
             for key in ("TableName", "QueueName", "AliasName", "BucketName") if key in r.get("Properties", {})]
    assert names and all("teeka-ug-prod-" in str(name) for name in names), names


def test_cfn_lint_passes(rendered):
    result = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), str(rendered)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_leaves_out_the_sdk_the_runtime_provides(tmp_path):
    import zipfile

    from infra.render import strip_runtime_provided

    package = tmp_path / "deployment.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for name in ("app.py", "chalicelib/config.py", "botocore/client.py", "botocore-1.44.5.dist-info/METADATA",
                     "boto3/session.py", "s3transfer/manager.py", "pynamodb/models.py", "botocorelike/x.py"):
            archive.writestr(name, "x")
    strip_runtime_provided(package)
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["app.py", "botocorelike/x.py", "chalicelib/config.py",
                                              "pynamodb/models.py"]


def test_queues_have_dead_letter_queues_and_report_partial_failures(rendered):
    resources = json.loads(rendered.read_text())["Resources"]
    queues = {r["Properties"]["QueueName"]: r for r in resources.values() if r["Type"] == "AWS::SQS::Queue"}
    assert "teeka-ug-prod-sms" in queues and "teeka-ug-prod-sms-dlq" in queues
    assert queues["teeka-ug-prod-sms"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
    events = [event for r in resources.values() for event in r.get("Properties", {}).get("Events", {}).values()
              if event.get("Type") == "SQS"]
    assert events and all(e["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for e in events)


def test_a_cdn_caches_public_reads_and_passes_the_rest_through(rendered):
    from infra import web
    from infra.cdn import CACHING_DISABLED, PUBLIC_READ_PATHS

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
    assert key["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    assert "CdnDomainName" in template["Outputs"]


def test_every_public_get_route_is_cached_at_the_edge_and_no_protected_one_is():
    from fnmatch import fnmatch

    from app import app  # noqa: F401  (registers the routes)
    from chalicelib.api.http import ROUTE_ACCESS
    from infra.cdn import PUBLIC_READ_PATHS

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
    consumers = [(event["Properties"]["Stream"]["Fn::GetAtt"][0], event["Properties"])
                 for resource in resources.values()
                 for event in resource.get("Properties", {}).get("Events", {}).values() if event["Type"] == "DynamoDB"]
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
    readable = {arn for statement in statements for arn in
                ([statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"])}
    for table in sources:  # each consumer may read its stream
        name = resources[table]["Properties"]["TableName"]
        assert f"arn:aws:dynamodb:*:*:table/{name}/stream/*" in readable, (table, readable)


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
    schedules = sorted(event["Properties"]["Schedule"] for resource in resources.values()
                       for event in resource.get("Properties", {}).get("Events", {}).values()
                       if event["Type"] == "Schedule")
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
                 if resource["Type"] == "AWS::Serverless::Function"}
    reserved = {name: properties.get("ReservedConcurrentExecutions") for name, properties in functions.items()}
    assert all(isinstance(count, int) and count > 0 for count in reserved.values()), reserved
    assert sum(reserved.values()) <= ACCOUNT_RESERVABLE, reserved
    assert reserved["APIHandler"] == max(reserved.values())  # the people's requests come first


def test_every_runtime_requirement_has_a_wheel_lambda_can_run(tmp_path):
    """`chalice package` takes only wheels for Lambda's platform (manylinux2014, CPython 3.11) and leaves
    out, with a mere warning, a requirement that has none: cbor2 6 did, so the EU DCC would have failed in
    Lambda. pip is asked for exactly those wheels."""
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                           "--platform", "manylinux2014_x86_64", "--python-version", "3.11", "--implementation", "cp",
                           "--abi", "cp311", "-r", str(ROOT / "requirements.txt"), "-d", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
