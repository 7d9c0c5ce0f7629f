"""The whole deployed workflow, run in process in the order the synthesized state machine
defines, over an estate in moto with the local Migration Hub; then a second run after tags
were fixed resolves their findings.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk import App

from infra import constants
from infra.app import build, config_of
from maptag.local.embedded import EMBEDDED_TYPES
from tests.support.asl import execute
from tests.support.deployed import BUCKET, REGION, TABLE, World, deployed_world, report_json
from tests.support.synth import cdk_json_context

pytestmark = pytest.mark.xdist_group("cdk")

COMPLIANT = {"map-migrated": "mig12345", "Name": "billing"}
MGN = {"AWSApplicationMigrationServiceSourceServerID": "s-0123456789abcdef0", "Name": "erp"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The scanner stack's template, synthesized from cdk.json (default sinks) as `cdk synth` does."""
    outdir = tmp_path_factory.mktemp("cdk-statemachine")
    context = {
        **cdk_json_context(),
        # the embedded estate's engagement (its resources carry mig12345): cdk.json holds none
        "maptag:mpe_ids": "12345",
        "maptag:regions": "us-east-1",
        # what moto can list (maptag.local.embedded); on AWS the deployment scans every type
        "maptag:types": ",".join(EMBEDDED_TYPES),
        "maptag:server_tasks": "true",
    }
    assert "maptag:sinks" not in context, "the state machine run uses the default sinks"
    app = App(context=context, outdir=str(outdir))
    build(app, config_of(app))
    app.synth()
    return dict(json.loads(Path(outdir / f"{constants.SCANNER_STACK}.template.json").read_text()))


@contextmanager
def synthesized_world(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch, *, home_region: bool = True
) -> Iterator[World]:
    with deployed_world(monkeypatch, members=2, home_region=home_region) as created:
        # the functions run with the configuration synthesized into their environment
        (publish,) = [r for k, r in template["Resources"].items() if k.startswith("ScanWorkflowPublish")
                      and r["Type"] == "AWS::Lambda::Function"]  # fmt: skip
        monkeypatch.setenv(
            "MAPTAG_CONFIG", publish["Properties"]["Environment"]["Variables"]["MAPTAG_CONFIG"]
        )
        yield created


@pytest.fixture
def world(template: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with synthesized_world(template, monkeypatch) as created:
        yield created


def findings_by_resource() -> dict[str, dict[str, Any]]:
    client = boto3.client("securityhub", region_name=REGION)
    found = client.get_findings(MaxResults=100)["Findings"]
    return {f["Resources"][0]["Id"].rsplit("/", 1)[-1]: f for f in found}


class SinkLog(logging.Handler):
    """What the publish function logs per sink ("sink delivered" lines), from its own logger."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.delivered: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "sink delivered":
            self.delivered.append((record.__dict__["sink"], record.__dict__["detail"]))

    def details(self, sink: str) -> list[str]:
        return [detail for name, detail in self.delivered if name == sink]


@pytest.fixture
def sink_log() -> Iterator[SinkLog]:
    from handlers.observability import logger

    handler = SinkLog()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_two_scheduled_runs_deliver_findings_and_resolve_fixed_ones(
    template: dict[str, Any], world: World, sink_log: SinkLog
) -> None:
    # Given per account: a tagged server, an untagged MGN-launched server, a misspelt key
    untagged, misspelt = {}, {}
    for account in world.accounts:
        world.launch(account, COMPLIANT)
        untagged[account] = world.launch(account, MGN)
        misspelt[account] = world.launch(account, {"Map-Migrated": "mig12345"})
    # and one member account whose scan times out in Lambda on every attempt
    timed_out = world.members[0]

    def lambda_timeout(state: str, payload: dict[str, Any]) -> str | None:
        unit = state == constants.STATE_SCAN_UNIT and payload["account_id"] == timed_out
        return "Sandbox.Timedout" if unit else None

    # When the schedule starts a run
    first = execute(template, "run-1", datetime(2026, 11, 23, 6, tzinfo=UTC), runtime_fault=lambda_timeout)

    # Then the states ran in the order the synthesized definition gives
    assert first.visited[0] == constants.STATE_PLAN
    assert first.visited[-1] == constants.STATE_PUBLISH
    assert first.visited.count(constants.STATE_SCAN_UNIT) == len(world.accounts)
    assert first.visited.count(constants.STATE_UNIT_FAILED) == 1
    run_1 = report_json("20261123T060000Z-run-1")
    units = {u["account_id"]: u for u in run_1["units"]}
    assert units[timed_out]["status"] == "failed"
    assert "Sandbox.Timedout" in units[timed_out]["error"]
    scanned = [a for a in world.accounts if a != timed_out]
    assert all(units[a]["status"] == "ok" for a in scanned)

    # Security Hub: one active finding per non-compliant server in the scanned accounts
    active = {k: f for k, f in findings_by_resource().items() if f["RecordState"] == "ACTIVE"}
    for account in scanned:
        assert untagged[account] in active
        assert misspelt[account] in active
    assert untagged[timed_out] not in active, "a unit that was not scanned reports nothing as missing"
    # SNS: one digest for the run, naming the failed unit
    (digest,) = world.digests()
    assert timed_out in digest["Message"]
    # history: the run and each unit
    rows = boto3.client("dynamodb", region_name=REGION).query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"history#unit#{scanned[0]}#{REGION}"}},
    )["Items"]
    assert len(rows) == 1
    # Migration Hub: a task per unit (FAILED for the timed-out one) and per MGN server
    tasks = world.hub_tasks()
    assert tasks[f"map-tagging-{timed_out}-{REGION}"]["Status"] == "FAILED"
    assert tasks[f"map-tagging-{scanned[0]}-{REGION}"]["Status"] == "IN_PROGRESS"
    assert f"map-tagging-{scanned[0]}-{untagged[scanned[0]]}" in tasks

    # When the tags are fixed in one account and the next day's run completes
    fixed = scanned[0]
    ec2 = world.member_session(fixed).client("ec2", region_name=REGION)
    ec2.create_tags(
        Resources=[untagged[fixed], misspelt[fixed]], Tags=[{"Key": "map-migrated", "Value": "mig12345"}]
    )
    ec2.delete_tags(Resources=[misspelt[fixed]], Tags=[{"Key": "Map-Migrated"}])
    active_1 = {f["Id"] for f in findings_by_resource().values() if f["RecordState"] == "ACTIVE"}
    sink_log.delivered.clear()
    execute(template, "run-2", datetime(2026, 11, 24, 6, tzinfo=UTC))
    (security_hub,) = sink_log.details("security-hub")

    # Then their findings are resolved, the others stay active, and nothing is duplicated
    after = findings_by_resource()
    for instance in (untagged[fixed], misspelt[fixed]):
        assert after[instance]["RecordState"] == "ARCHIVED"
        assert after[instance]["Compliance"]["Status"] == "PASSED"
    other = scanned[1]
    assert after[untagged[other]]["RecordState"] == "ACTIVE"
    # unchanged since run 1: not imported again (LastObservedAt stays), the fixed ones were
    assert (
        after[untagged[other]]["UpdatedAt"]
        == after[untagged[other]]["LastObservedAt"]
        == "2026-11-23T06:00:00Z"
    )
    assert after[untagged[fixed]]["UpdatedAt"] == "2026-11-24T06:00:00Z"
    # new: only the timed-out account's (scanned for the first time); resolved: the two fixed;
    # the rest unchanged, so not imported again, and the run's log says so
    active_2 = {f["Id"] for f in after.values() if f["RecordState"] == "ACTIVE"}
    created, resolved = active_2 - active_1, active_1 - active_2
    accounts_of = {f["Id"]: f["ProductFields"]["maptag/account_id"] for f in after.values()}
    assert created
    assert {accounts_of[fid] for fid in created} == {timed_out}
    assert len(resolved) == 2
    unchanged = len(active_1 & active_2)
    assert security_hub.startswith(
        f"{len(created)} created, 0 updated, 2 resolved, 0 refreshed, {unchanged} unchanged, 0 kept"
    )
    # the moto server has no BatchUpdateFindings (404): the run goes on and the detail says so
    assert "; workflow RESOLVED on 0, not updated on 2 (first: " in security_hub
    assert "404 on BatchUpdateFindings" in security_hub
    ids = [
        f["Id"]
        for f in boto3.client("securityhub", region_name=REGION).get_findings(MaxResults=100)["Findings"]
    ]
    assert len(ids) == len(set(ids))
    assert len(world.digests()) == 1  # the second run's digest
    assert world.hub_tasks()[f"map-tagging-{timed_out}-{REGION}"]["Status"] == "IN_PROGRESS"
    run_rows = boto3.client("dynamodb", region_name=REGION).query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "history#run"}},
    )["Items"]
    assert len(run_rows) == 2
    # and the latest HTML report draws the coverage trend from the history table: both runs
    html = boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key="reports/latest/report.html")
    page = html["Body"].read().decode()
    (points,) = re.findall(r"<polyline points='([^']*)'", page)
    assert len(points.split()) == 2


def test_a_run_without_a_migration_hub_home_region_succeeds_and_says_so_once(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the default deployment in an account that never set a Migration Hub home region
    with synthesized_world(template, monkeypatch, home_region=False) as world:
        for account in world.accounts:
            world.launch(account, MGN)
        # When the schedule starts a run
        execution = execute(template, "run-1", datetime(2026, 11, 23, 6, tzinfo=UTC))
        # Then the execution ends in publish, succeeded (FailedRuns counts failed executions only)
        assert execution.visited[-1] == constants.STATE_PUBLISH
        (digest,) = world.digests()
    # and the digest says once what was skipped and how to fix it
    line = next(text for text in digest["Message"].splitlines() if "home region" in text)
    assert line.startswith("Note: migration-hub skipped: no Migration Hub home region in account ")
    assert line.endswith("or remove migration-hub from maptag:sinks)")
    assert digest["Message"].count("home region") == 1
