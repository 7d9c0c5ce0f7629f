"""Synthesize each configuration of the app once per test session (CDK synth is slow)."""

from __future__ import annotations

import json
import os

# jsii's end-of-life banner for node 20 (docs/toolchain.md), when pytest runs outside make
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
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


@pytest.fixture(scope="session")
def org_app(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The whole Organization, every sink, an e-mail subscription (cdk.json's defaults + more)."""
    return synthesize(
        tmp_path_factory.mktemp("cdk-org"),
        {
            "maptag:sinks": "security-hub,sns,events,metrics,migration-hub",
            "maptag:notification_email": "finops@example.com",
            "maptag:schedule": "cron(0 7 * * ? *)",
            "maptag:schedule_time_zone": "Europe/Paris",
            "maptag:max_concurrency": "12",
            "maptag:scanner_account": "111111111111",
            "maptag:organization_id": "o-a1b2c3d4e5",
        },
    )


@pytest.fixture(scope="session")
def accounts_app(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """Listed accounts, no Migration Hub, no e-mail, an hourly rate, Standard child workflows."""
    return synthesize(
        tmp_path_factory.mktemp("cdk-accounts"),
        {
            "maptag:child_workflow": "standard",
            "maptag:organization": "false",
            "maptag:accounts": "222222222222,333333333333",
            "maptag:regions": "us-east-1,eu-west-1",
            "maptag:schedule": "rate(6 hours)",
            "maptag:sinks": "security-hub,sns,events,metrics",  # migration-hub is a default: opt out
        },
    )
