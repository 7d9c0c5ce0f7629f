"""The CDK app synthesized in process: the repository's cdk.json context plus a test engagement."""

from __future__ import annotations

import json
import os

# jsii's end-of-life banner for node 20 (docs/toolchain.md), when pytest runs outside make
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App
from aws_cdk.assertions import Template

from infra import constants
from infra.app import build, config_of

ROOT = Path(__file__).resolve().parents[2]


# cdk.json holds no engagement (synth refuses a placeholder one): the tests bring their own.
ENGAGEMENT = {
    "maptag:mpe_ids": "98765",
    "maptag:regions": "us-east-1",
    "maptag:agreement_start": "2025-03-01",
}


def cdk_json_context() -> dict[str, Any]:
    return dict(json.loads((ROOT / "cdk.json").read_text())["context"])


def deployment_context() -> dict[str, Any]:
    """cdk.json's defaults plus an engagement: the default deployment of a real customer."""
    return {**cdk_json_context(), **ENGAGEMENT}


@dataclass
class Synthesized:
    outdir: Path
    scanner: Template
    member: Template

    def template_files(self) -> list[Path]:
        return sorted(self.outdir.glob("*.template.json"))


def synthesize(outdir: Path, overrides: dict[str, Any]) -> Synthesized:
    app = App(context={**deployment_context(), **overrides}, outdir=str(outdir))
    build(app, config_of(app))
    # cdk-nag runs here: an unacknowledged finding raises and fails the session's fixture.
    app.synth()

    def load(name: str) -> Template:
        return Template.from_json(json.loads((outdir / f"{name}.template.json").read_text()))

    return Synthesized(outdir, load(constants.SCANNER_STACK), load(constants.MEMBER_STACK))
