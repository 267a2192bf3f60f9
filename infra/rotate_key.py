"""Rotate a deployed stage's certificate signing key, through CloudFormation.

    python -m infra.rotate_key --country in --stage prod

adds a key generation to infra/signing_keys.json; then render and deploy as in docs/deploy.md. The
deploy creates the new KMS key with its published alias and moves the signing alias to it; every
earlier key stays published, so every certificate already issued still verifies. Commit the file:
it is the record of the stage's keys, and the template of every later deploy is made from it.
"""
from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> list[str]:
    from infra import signing_keys

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--country", required=True)
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--generation", default=None,
                        help="the new key's name (letters and digits; default: the UTC time, 20270115T093000Z)")
    args = parser.parse_args(argv)
    prefix = f"teeka-{args.country.lower()}-{args.stage}"
    generation = args.generation or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    listed = signing_keys.add_generation(prefix, generation)
    print(f"{prefix}: certificates will be signed by key generation {generation} once deployed "
          f"(published: {', '.join(listed)}).\n"
          f"Next: make package COUNTRY={args.country} STAGE={args.stage}, deploy (docs/deploy.md), and commit "
          f"{signing_keys.GENERATIONS_FILE.name}.")
    return listed


if __name__ == "__main__":
    main()
