"""The deployed publish step's delivery, in process on moto and the local Migration Hub.

- Migration Hub is a default sink: an account without a home region is skipped with one line
  in the digest and the run result, never a failed sink or a failed run;
- publish is idempotent per sink: a retry after a crash delivers only what was not delivered.
Deliveries are counted at the client with botocore event hooks on the session the sinks use
(what goes over the wire, nothing replaced).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest

from handlers import publish, scan_unit
from maptag.app.workflow import SINKS, Deployment, PublishRunRequest, Resources, publish_run
from maptag.deploy_config import DEFAULT_SINKS
from maptag.sinks.sink import Deliver
from tests.support.deployed import (
    BUCKET,
    COMPLIANT,
    OUTBOX,
    REGION,
    SCANNER,
    TABLE,
    LambdaContext,
    World,
    deployed_world,
    item,
    run_plan,
)

SKIPPED = (
    f"skipped: no Migration Hub home region in account {SCANNER} (set one with "
    "`aws migrationhub-config create-home-region-control --home-region REGION "
    f"--target Type=ACCOUNT,Id={SCANNER}`, or remove migration-hub from maptag:sinks)"
)
# The calls that deliver each sink (what a repeated delivery would repeat).
DELIVERING = {
    "s3-report": ("s3", "PutObject"),
    "history": ("dynamodb", "BatchWriteItem"),
    "security-hub": ("securityhub", "BatchImportFindings"),
    "events": ("eventbridge", "PutEvents"),
    "migration-hub": ("migration-hub", "NotifyMigrationTaskState"),
    "sns": ("sns", "Publish"),
}


class LambdaKilled(BaseException):
    """The Lambda runtime ending the invocation (a timeout): nothing in the function catches it."""


class Calls:
    """Every API call made through ``session``'s clients, by (service, operation), per attempt."""

    def __init__(self, session: boto3.Session) -> None:
        self.seen: Counter[tuple[str, str]] = Counter()
        session.events.register("provide-client-params", self._count)

    def _count(self, event_name: str, params: dict[str, Any], **_: Any) -> None:
        _, service_id, name = event_name.split(".", 2)
        if service_id == "s3" and name == "PutObject" and not str(params["Key"]).startswith("reports/"):
            return  # the completion markers themselves
        self.seen[(service_id, name)] += 1

    def take(self) -> Counter[tuple[str, str]]:
        seen, self.seen = self.seen, Counter()
        return seen


def scanned_run(world: World) -> dict[str, Any]:
    for account in world.accounts:
        world.launch(account, None)
        world.launch(account, COMPLIANT)
    state = run_plan()
    for account in world.accounts:
        assert scan_unit.handler(item(state, account), LambdaContext())["status"] == "ok"
    return state


def emf_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if '"_aws"' in line]


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with deployed_world(monkeypatch) as created:
        yield created


@pytest.fixture
def homeless(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with deployed_world(monkeypatch, home_region=False) as created:
        yield created


def test_migration_hub_is_a_default_sink() -> None:
    assert "migration-hub" in DEFAULT_SINKS


def test_a_retried_publish_delivers_each_sink_exactly_once(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a scanned run, and a publish whose Lambda is killed after the third sink delivered
    state = scanned_run(world)
    session = boto3.Session(region_name=REGION)
    calls = Calls(session)
    resources = Resources(bucket=BUCKET, table=TABLE, topic_arn=world.topic_arn, outbox_table=OUTBOX)
    started = datetime.fromisoformat(state["started_at"])
    deployed = Deployment(world.config, session, resources)
    request = PublishRunRequest(state["run_id"], started)

    def killed(*_: Any) -> Any:
        raise LambdaKilled("Task timed out after 900.00 seconds")

    crashing: dict[str, Deliver] = {**SINKS, "events": killed}
    capsys.readouterr()
    with pytest.raises(LambdaKilled):
        publish_run(deployed, request, sinks=crashing)
    first, first_emf = calls.take(), emf_lines(capsys.readouterr().out)

    # When Step Functions retries publish with the same input
    again = publish_run(deployed, request)
    second, second_emf = calls.take(), emf_lines(capsys.readouterr().out)

    # Then the first attempt delivered the report, history and Security Hub, and nothing after
    done_first = {"s3-report", "history", "security-hub"}
    for sink, call in DELIVERING.items():
        if sink in done_first:
            assert first[call] > 0, (sink, first)
            assert second[call] == 0, f"{sink} delivered again by the retry: {second[call]} call(s)"
        else:
            assert first[call] == 0, (sink, first)
            assert second[call] > 0, (sink, second)
    assert first_emf == [], "the metrics sink ran once, in the retry"
    assert second_emf
    assert second[("sns", "Publish")] == 1
    # every sink is in the retry's result, ok (the earlier ones from their markers)
    assert {o.name: o.shown for o in again.outcomes} == dict.fromkeys([*done_first, *DEFAULT_SINKS], "ok")
    # and the run's outputs hold one copy: one digest, one history run row, unique findings
    assert len(world.digests()) == 1
    run_rows = boto3.client("dynamodb", region_name=REGION).query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "history#run"}},
    )["Items"]
    assert len(run_rows) == 1
    ids = [f["Id"] for f in boto3.client("securityhub", region_name=REGION).get_findings()["Findings"]]
    assert ids
    assert len(ids) == len(set(ids))

    # And a third attempt (a retry after a crash in the very last step) delivers nothing at all
    publish_run(deployed, request)
    third = calls.take()
    assert [call for call in DELIVERING.values() if third[call]] == [], "every sink was already delivered"
    assert len(world.digests()) == 0  # no second digest arrived


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def publish_log() -> Iterator[Records]:
    from handlers.observability import logger

    handler = Records()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_without_a_home_region_migration_hub_is_skipped_once_not_failed(
    homeless: World, publish_log: Records
) -> None:
    # Given a run of the default sinks in an account that never set a Migration Hub home region
    state = scanned_run(homeless)

    # When publish runs (as the state machine invokes it)
    summary = publish.handler({**state, "map_result": None}, LambdaContext())

    # Then the run result says so in one line, and every other sink delivered
    assert summary["sinks"]["migration-hub"] == SKIPPED
    assert {k: v for k, v in summary["sinks"].items() if k != "migration-hub"} == dict.fromkeys(
        ["s3-report", "history", "security-hub", "sns", "events", "metrics"], "ok"
    )
    # the digest says it once
    (digest,) = homeless.digests()
    assert digest["Message"].count("no Migration Hub home region") == 1
    assert f"Note: migration-hub {SKIPPED}\n" in digest["Message"]
    # it is not a failure: no error logged (the run succeeds, so FailedRuns stays quiet), a warning
    assert [r.getMessage() for r in publish_log.records if r.levelno >= logging.ERROR] == []
    assert [r.__dict__["sink"] for r in publish_log.records if r.getMessage() == "sink skipped"] == [
        "migration-hub"
    ]
    # nothing is kept to be sent later, and once a home region is set no task shows up from this run
    assert boto3.client("dynamodb", region_name=REGION).scan(TableName=OUTBOX)["Items"] == []
    boto3.client("migrationhub-config", region_name=REGION).create_home_region_control(
        HomeRegion=REGION, Target={"Type": "ACCOUNT", "Id": SCANNER}
    )
    assert boto3.client("mgh", region_name=REGION).list_migration_tasks()["MigrationTaskSummaryList"] == []


def test_with_a_home_region_the_default_sinks_post_the_tasks(world: World) -> None:
    state = scanned_run(world)
    summary = publish.handler({**state, "map_result": None}, LambdaContext())
    assert summary["sinks"]["migration-hub"] == "ok"
    tasks = world.hub_tasks()
    assert {f"map-tagging-{a}-{REGION}" for a in world.accounts} <= set(tasks)
    assert all(tasks[f"map-tagging-{a}-{REGION}"]["Status"] == "IN_PROGRESS" for a in world.accounts)
    (digest,) = world.digests()
    assert "Note:" not in digest["Message"]
