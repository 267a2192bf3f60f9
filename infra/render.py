"""Render a stage's deployable template: `chalice package` merged with infra/resources.

    python -m infra.render --stage prod --out build/prod

writes build/prod/sam.json (+ deployment.zip), ready for `aws cloudformation package/deploy`.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    # Table names and other stage-derived values are read from the environment at import time.
    os.environ["TEEKA_STAGE"] = args.stage
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from infra.resources import template

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    extra = out / "infra-resources.json"
    extra.write_text(json.dumps(template(), indent=2))
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", args.stage, "--merge-template", str(extra), str(out)],
                   cwd=PROJECT_DIR, check=True)
    return out / "sam.json"


if __name__ == "__main__":
    print(main())
