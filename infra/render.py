"""Render a country's stage as a deployable template: `chalice package` merged with infra/resources.

    python -m infra.render --country in --stage prod --out build/in-prod

writes build/in-prod/sam.json (+ deployment.zip), ready for `aws cloudformation package/deploy`. Every
resource is named `teeka-<country>-<stage>-...` and every function runs with `TEEKA_COUNTRY`, so several
countries and stages can be deployed side by side in one AWS account.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The Lambda Python runtime ships these; pynamodb pulls botocore in anyway (20 MB of the 27 MB unzipped).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")


def strip_runtime_provided(zip_path: Path) -> None:
    """Rewrite the deployment package without the AWS SDK the Lambda runtime already has."""
    stripped = zip_path.with_suffix(".stripped.zip")
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            top = entry.filename.split("/", 1)[0]
            if top in RUNTIME_PROVIDED or any(top.startswith(f"{name}-") and top.endswith(".dist-info")
                                              for name in RUNTIME_PROVIDED):
                continue
            target.writestr(entry, source.read(entry.filename))
    stripped.replace(zip_path)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--country", default="in", help="the country pack (chalicelib/countries/<country>)")
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    # Table names and other stage-derived values are read from the environment at import time.
    os.environ.update(TEEKA_STAGE=args.stage, TEEKA_COUNTRY=args.country)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from chalicelib.config import load_pack

    load_pack(args.country)  # a wrong or incomplete pack stops here, saying what is wrong
    from infra.resources import template

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    extra = out / "infra-resources.json"
    extra.write_text(json.dumps(template(), indent=2))
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", args.stage, "--merge-template", str(extra), str(out)],
                   cwd=PROJECT_DIR, check=True)
    strip_runtime_provided(out / "deployment.zip")
    wire_event_sources(out / "sam.json")
    name_for_country(out / "sam.json", args.country)
    return out / "sam.json"


def name_for_country(template_path: Path, country: str) -> None:
    """The IAM policies (.chalice/policy-<stage>.json) name resources `teeka-{country}-<stage>-...`;
    fill in the country, and tell every function which pack to load."""
    template = json.loads(template_path.read_text().replace("{country}", country))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            variables = resource["Properties"].setdefault("Environment", {}).setdefault("Variables", {})
            variables["TEEKA_COUNTRY"] = country
    template_path.write_text(json.dumps(template, indent=2))


def wire_event_sources(template_path: Path) -> None:
    """What Chalice cannot say itself: our queue and stream consumers return `batchItemFailures`,
    and a stream source is the real `StreamArn` of a table in this template (see adapters.streams)."""
    from chalicelib.adapters.streams import table_of
    from chalicelib.store.tables import TABLE_MODELS, logical_id

    tables = {model.Meta.table_name: logical_id(model) for model in TABLE_MODELS}
    template = json.loads(template_path.read_text())
    for resource in template["Resources"].values():
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event.get("Type") in ("SQS", "DynamoDB"):
                event["Properties"]["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
            if event.get("Type") == "DynamoDB":
                event["Properties"]["Stream"] = {"Fn::GetAtt": [tables[table_of(event["Properties"]["Stream"])],
                                                                "StreamArn"]}
                # A record that keeps failing is split out and retried alone, not retried for a day.
                event["Properties"].update(BisectBatchOnFunctionError=True, MaximumRetryAttempts=10)
    template_path.write_text(json.dumps(template, indent=2))


if __name__ == "__main__":
    print(main())
