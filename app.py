#!/usr/bin/env python3
"""The CDK app (`npx cdk synth`, `make deploy`): configuration comes from CDK context.

Defaults are in cdk.json; the engagement (MPE ids, regions, agreement start, ...) comes from
`-c maptag:KEY=VALUE` or from the TOML file `maptag scan --config` reads, for example
`npx cdk synth -c maptag:config=maptag.toml` (docs/deploy.md). A bad or missing value stops
the synth with one line naming it.
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
        if config.placeholder:
            raise PolicyError(config.placeholder)
        build(app, config)
    except PolicyError as error:
        print(f"maptag: error: {error}", file=sys.stderr)
        return 2
    for warning in config.warnings:
        print(f"maptag: warning: {warning}", file=sys.stderr)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
