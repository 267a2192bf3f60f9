"""docs/deploy.md, followed verbatim against moto: its shell blocks run as written, in order, with the AWS
CLI pointed at an in-process moto server (AWS_ENDPOINT_URL is the only difference), and the stacks they
make are checked, down to a signing key rotation that leaves earlier certificates verifying.

It runs in a copy of the project whose requirements.txt is empty: the template does not depend on the
wheels (tests/infra/test_template.py asks pip for every one of them), and building them takes minutes.
"""
import json
import os
import re
import shutil
import subprocess

import boto3
import pytest

from local.stack import free_port
from tests.conftest import ROOT
from tests.infra import moto_cloudformation

PROJECT_FILES = ("app.py", "chalicelib", "infra", ".chalice", "docs", "web", "Makefile", "requirements.txt",
                 "requirements-dev.txt", "requirements-compat.txt")
COUNTRY, STAGE = "in", "prod"
PREFIX = f"teeka-{COUNTRY}-{STAGE}"


def shell_blocks(page: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", page, flags=re.S)


@pytest.fixture(scope="module")
def moto_server():
    from moto.server import ThreadedMotoServer

    moto_cloudformation.install()  # the server runs in this process: its CloudFormation has the placeholders
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    # "localhost": moto finds a TemplateURL's bucket in the path only for that host name.
    yield f"http://localhost:{port}"
    server.stop()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    work = tmp_path_factory.mktemp("project")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", "deployments"))
        else:
            shutil.copy2(source, work / name)
    (work / "requirements.txt").write_text("")
    os.utime(work / "requirements.txt", (0, 0))  # older than the venv's stamp: make installs nothing
    (work / ".venv").symlink_to(ROOT / ".venv")
    return work


def run_docs(project, endpoint, blocks: list[str]) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "TEEKA_"))}
    env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="deploy-docs", AWS_SECRET_ACCESS_KEY="deploy-docs",
               PATH=f"{project / '.venv' / 'bin'}:{env['PATH']}")
    script = "set -euo pipefail\n" + "\n".join(blocks)
    return subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def test_the_deploy_page_runs_verbatim_and_rotation_keeps_old_certificates_verifying(project, moto_server,
                                                                                      request):
    page = (project / "docs" / "deploy.md").read_text()
    deploying, rotation = page.split("## Rotating the certificate signing key", 1)
    deploy_blocks = shell_blocks(deploying)
    rotation_blocks = shell_blocks(rotation.split("\n## ", 1)[0])
    assert len(deploy_blocks) == 7 and len(rotation_blocks) == 1

    done = run_docs(project, moto_server, deploy_blocks)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    aws = {"endpoint_url": moto_server, "region_name": "ap-south-1", "aws_access_key_id": "deploy-docs",
           "aws_secret_access_key": "deploy-docs"}
    cloudformation = boto3.client("cloudformation", **aws)
    stack = cloudformation.describe_stacks(StackName=PREFIX)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    edge = boto3.client("cloudformation", **{**aws, "region_name": "us-east-1"})
    edge_stack = edge.describe_stacks(StackName=f"{PREFIX}-edge")["Stacks"][0]
    assert edge_stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["Parameters"] == [{"ParameterKey": "EdgeWebAclArn",  # the CDN is behind the edge's web ACL
                                    "ParameterValue": edge_stack["Outputs"][0]["OutputValue"]}]
    template = json.loads((project / "build" / f"{COUNTRY}-{STAGE}" / "packaged.json").read_text())

    # Everything the template declares was made: by moto, or by a placeholder of the explicit list.
    made = {r["LogicalResourceId"]: r
            for r in cloudformation.list_stack_resources(StackName=PREFIX)["StackResourceSummaries"]}
    assert made.keys() == template["Resources"].keys()
    assert all(r["ResourceStatus"] == "CREATE_COMPLETE" for r in made.values())
    placeheld = moto_cloudformation.placeheld({r["Type"] for r in template["Resources"].values()})
    assert placeheld == set(moto_cloudformation.NOT_IN_MOTO) - {"AWS::WAFv2::WebACL"}

    functions = {f["FunctionName"]: f for f in boto3.client("lambda", **aws).list_functions()["Functions"]}
    assert f"{PREFIX}-api-handler" in functions and len(functions) == 13
    mappings = boto3.client("lambda", **aws).list_event_source_mappings()["EventSourceMappings"]
    assert len(mappings) == 10
    tables = boto3.client("dynamodb", **aws).list_tables()["TableNames"]
    assert tables and all(name.startswith(f"{PREFIX}-") for name in tables)
    logs = boto3.client("logs", **aws).describe_log_groups()["logGroups"]
    retention = {group["logGroupName"]: group.get("retentionInDays") for group in logs}
    assert retention[f"/aws/lambda/{PREFIX}-api-handler"] == 90 and retention[f"/aws/apigateway/{PREFIX}"] == 90
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    pages = boto3.client("s3", **aws).list_objects_v2(Bucket=outputs["PagesBucketName"])["Contents"]
    assert {"dashboard", "verify"} <= {page["Key"] for page in pages}
    subscriptions = boto3.client("sns", **aws).list_subscriptions_by_topic(TopicArn=outputs["OperatorAlarmsTopic"])
    assert [s["Protocol"] for s in subscriptions["Subscriptions"]] == ["email"]

    # A certificate signed now...
    forget = request.getfixturevalue("deployed_stage")
    from chalicelib.adapters import signing

    first = signing.signing_key()
    message = b"a certificate's signing input"
    signature = signing.sign(message, first)

    # ... still verifies after the documented rotation (run in a new shell: the names, then the block),
    # and the next is signed by the new key.
    done = run_docs(project, moto_server, deploy_blocks[:1] + rotation_blocks)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert cloudformation.describe_stacks(StackName=PREFIX)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    forget()
    second = signing.signing_key()
    assert second.kid != first.kid
    published = {key.kid: key for key in signing.published()}
    assert set(published) == {first.kid, second.kid}
    _verify(published[first.kid], message, signature)
    _verify(second, message, signing.sign(message, second))
    generations = json.loads((project / "infra" / "signing_keys.json").read_text())[PREFIX]
    assert generations[0] == "initial" and len(generations) == 2


@pytest.fixture
def deployed_stage(moto_server, monkeypatch):
    """The app's settings and AWS clients as the deployed stage's functions have them, on the moto server."""
    from chalicelib.adapters import aws, signing
    from chalicelib.config import get_settings

    def forget():
        get_settings.cache_clear()
        aws.client.cache_clear()
        signing.clear_cache()

    monkeypatch.setenv("TEEKA_STAGE", STAGE)
    monkeypatch.setenv("TEEKA_COUNTRY", COUNTRY)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    forget()
    yield forget
    monkeypatch.undo()
    forget()


def _verify(key, message: bytes, signature: bytes) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    load_der_public_key(key.public_der).verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
