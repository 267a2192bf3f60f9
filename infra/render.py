"""Render a country's stage as a deployable CloudFormation template.

    python -m infra.render --country in --stage prod --out build/in-prod

writes build/in-prod/template.json (plain CloudFormation), build/in-prod/deployment.zip (the Lambda
code it names) and build/in-prod/edge.json (the stack that must live in us-east-1: the CDN's web ACL).
`chalice package` gives the functions and the API as a SAM template; infra/ adds the stage's other
resources; aws-sam-translator turns the whole into plain CloudFormation here, so what is deployed is
exactly what was reviewed and tested (tests/infra create it on moto's CloudFormation). Every resource
is named `teeka-<country>-<stage>-...`, so countries and stages deploy side by side in one account.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
CODE = "deployment.zip"  # beside the template; `aws cloudformation package` uploads it


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
    from infra import edge, lean, package

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        # Chalice zips the app alone (its own dependency build would target this Python, not Lambda's);
        # the requirements come from the runtime's wheels.
        project, packaged = Path(work) / "project", Path(work) / "packaged"
        project.mkdir()
        for name in ("app.py", "chalicelib", ".chalice"):
            source = PROJECT_DIR / name
            if source.is_dir():
                shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__", "deployments"))
            else:
                shutil.copy(source, project / name)
        (project / "requirements.txt").write_text("")
        chalice = Path(sys.executable).with_name("chalice")
        print("Packaging the app (chalice package)...", flush=True)
        subprocess.run([str(chalice), "package", "--stage", args.stage, str(packaged)], cwd=project, check=True,
                       stdout=subprocess.DEVNULL)
        sam = json.loads((packaged / "sam.json").read_text())
        shutil.copy(packaged / CODE, out / CODE)
    print(f"Installing requirements.txt from {package.RUNTIME} wheels...", flush=True)
    package.add_requirements(out / CODE, PROJECT_DIR / "requirements.txt")
    python = package.bytecode_python()
    if python is None:
        print(f"WARNING: no Python {package.runtime_version()} here (set TEEKA_BUILD_PYTHON): the package has no "
              "bytecode, so every cold start compiles what it imports", file=sys.stderr, flush=True)
    print(f"Trimming the package to what the functions import, compiling it with {python}...", flush=True)
    lean.trim(out / CODE, bytecode_python=python)
    template = build(sam, args.stage)
    (out / "template.json").write_text(json.dumps(template, indent=1))
    (out / "edge.json").write_text(json.dumps(edge.template(), indent=1))
    return out / "template.json"


def build(sam: dict[str, Any], stage: str) -> dict[str, Any]:
    """Chalice's SAM template, completed with the stage's resources and translated to CloudFormation."""
    from chalicelib.config import get_settings
    from infra import api, functions, iam, monitoring, resources

    settings = get_settings()
    extra = resources.resources()
    clash = extra.keys() & sam["Resources"].keys()
    assert not clash, f"infra/ and chalice both define {clash}"
    sam["Resources"].update(extra)
    sam.setdefault("Parameters", {}).update(resources.parameters())
    sam.setdefault("Conditions", {}).update(resources.conditions())
    sam.setdefault("Outputs", {}).update(resources.outputs())
    functions.wire_event_sources(sam)
    template = translate(sam, settings.region)
    functions.configure(template, settings, stage)
    functions.configure_sources(template, settings)
    api.configure(template, settings, stage)
    iam.apply(template, settings)
    template["Resources"].update(monitoring.resources(template, settings, stage))
    template["Outputs"].update(monitoring.outputs())
    return template


def translate(sam: dict[str, Any], region: str) -> dict[str, Any]:
    """SAM to plain CloudFormation, with aws-sam-translator (what CloudFormation's transform runs).

    The functions' code is named by a placeholder S3 location for the translator, then by the local
    zip that `aws cloudformation package` uploads and rewrites."""
    from samtranslator.translator.transform import transform

    for resource in sam["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://placeholder/" + CODE
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    template = transform(sam, {}, _NoManagedPolicies())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            resource["Properties"]["Code"] = CODE
    return template


class _NoManagedPolicies:
    """Every role's policy is written out (infra/iam.py), so no managed policy name needs resolving."""

    def load(self) -> dict[str, str]:
        return {}


if __name__ == "__main__":
    print(main())
