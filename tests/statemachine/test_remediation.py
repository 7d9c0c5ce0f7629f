"""The synthesized workflow with maptag:remediation=apply, run in process over moto: after
publish, the Remediate step tags every untagged server in every account through its tagger role,
and the next run finds them compliant."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from infra import constants
from infra.app import build, config_of
from tests.support.asl import execute
from tests.support.deployed import World, deployed_world, report_json
from tests.support.synth import cdk_json_context

pytestmark = pytest.mark.xdist_group("cdk")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    outdir = tmp_path_factory.mktemp("cdk-statemachine-remediation")
    context = {
        **cdk_json_context(),
        "maptag:mpe_ids": "12345",
        "maptag:regions": "us-east-1",
        "maptag:sinks": "sns,events",
        "maptag:remediation": "apply",
        "maptag:types": "ec2:instance",  # the types moto can list: the step, not the coverage, is tested
    }
    app = App(context=context, outdir=str(outdir))
    build(app, config_of(app))
    app.synth()
    return dict(json.loads(Path(outdir / f"{constants.SCANNER_STACK}.template.json").read_text()))


@pytest.fixture
def world(template: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with deployed_world(monkeypatch, members=1) as created:
        (remediate,) = [r for k, r in template["Resources"].items() if k.startswith("ScanWorkflowRemediate")
                        and r["Type"] == "AWS::Lambda::Function"]  # fmt: skip
        monkeypatch.setenv(
            "MAPTAG_CONFIG", remediate["Properties"]["Environment"]["Variables"]["MAPTAG_CONFIG"]
        )
        yield created


def test_remediation_runs_after_publish_and_the_next_run_finds_the_fixes(
    template: dict[str, Any], world: World
) -> None:
    untagged = {account: world.launch(account, {"Name": "erp"}) for account in world.accounts}

    first = execute(template, "run-1", datetime(2026, 11, 23, 6, tzinfo=UTC))

    assert first.visited[-2:] == [constants.STATE_PUBLISH, constants.STATE_REMEDIATE]
    before = {
        r["arn"].rsplit("/", 1)[-1]: r["verdict"] for r in report_json("20261123T060000Z-run-1")["resources"]
    }
    assert all(before[instance] == "missing" for instance in untagged.values())

    execute(template, "run-2", datetime(2026, 11, 24, 6, tzinfo=UTC))

    after = {
        r["arn"].rsplit("/", 1)[-1]: r["verdict"] for r in report_json("20261124T060000Z-run-2")["resources"]
    }
    assert all(after[instance] == "compliant" for instance in untagged.values()), after
    messages = [m["Message"] for m in world.digests()]
    assert any("maptag remediation (apply)" in m for m in messages)
