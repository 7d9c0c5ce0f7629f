#!/usr/bin/env python3
"""The CDK app (`npx cdk synth`, `make deploy`): configuration comes from CDK context.

Defaults are in cdk.json; override any of them with `-c maptag:KEY=VALUE`, for example
`npx cdk synth -c maptag:mpe_ids=12345 -c maptag:regions=us-east-1,eu-west-1`.
A bad value stops the synth with one line naming it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The Lambda code and the scan engine live in functions/ (importable as `maptag`).
sys.path.insert(0, str(Path(__file__).resolve().parent / "functions"))

from aws_cdk import App

from infra.app import build, config_of
from maptag.policy import PolicyError


def main() -> int:
    app = App()
    try:
        config = config_of(app)
    except PolicyError as error:
        print(f"maptag: error: {error}", file=sys.stderr)
        return 2
    build(app, config)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
