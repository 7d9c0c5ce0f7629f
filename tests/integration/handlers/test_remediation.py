"""The deployed remediation step (maptag:remediation) on moto: plan → scan each unit → remediate,
the handlers invoked in process as the state machine invokes them (tests/support/deployed.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from handlers import observability, plan, remediate, scan_unit
from tests.support.deployed import BUCKET, REGION, LambdaContext, World, deployed_world

STARTED = "2026-11-23T06:00:00.000Z"


def scanned_run(world: World) -> dict[str, Any]:
    state = plan.handler({"execution_name": "exec-1", "started_at": STARTED}, LambdaContext())
    for account in world.accounts:
        unit = {
            "run_id": state["run_id"],
            "caller_account": state["caller_account"],
            "account_id": account,
            "region": REGION,
        }
        assert scan_unit.handler(unit, LambdaContext())["status"] == "ok"
    return dict(state)


def map_tag(world: World, account: str, instance: str) -> str | None:
    ec2 = world.member_session(account).client("ec2", region_name=REGION)
    tags = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0].get("Tags", [])
    return next((t["Value"] for t in tags if t["Key"] == "map-migrated"), None)


def report_object(run_id: str, name: str) -> bytes:
    key = f"reports/{run_id}/{name}"
    return bytes(boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=key)["Body"].read())


@pytest.fixture
def applying(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with deployed_world(monkeypatch, remediation="apply", types="ec2:instance") as world:
        yield world


def test_apply_tags_every_account_through_its_tagger_role_and_journals_it(applying: World) -> None:
    world = applying
    missing = {account: world.launch(account, None) for account in world.accounts}
    state = scanned_run(world)
    world.digests()  # nothing before remediation
    assumed: list[str] = []

    def record(request: Any, event_name: str, **_: Any) -> None:
        if event_name.endswith(".AssumeRole"):
            assumed.append(request.body.decode() if isinstance(request.body, bytes) else str(request.body))

    # the handlers' one session: its clients copy this recorder when they are made
    observability.session().events.register("before-send", record)

    summary = remediate.handler({"run_id": state["run_id"], "started_at": STARTED}, LambdaContext())

    assert summary["not_applied"] == [], summary
    assert summary["applied"] == summary["changes"] > 0
    for account, instance in missing.items():
        assert map_tag(world, account, instance) == "mig12345"
    # the scanner's own account too is written only through the tagger role
    assert len(assumed) == len(world.accounts)
    assert all("maptag-member-tagger" in body for body in assumed)
    rows = [json.loads(line) for line in report_object(state["run_id"], "fix-journal.jsonl").splitlines()]
    assert len(rows) == summary["changes"]
    assert {r["result"] for r in rows} == {"applied"}
    assert {r["account_id"] for r in rows} == set(world.accounts)
    assert summary["events"] == f"{len(rows)} of {len(rows)} sent"
    (digest,) = world.digests()
    assert "maptag remediation (apply)" in digest["Message"]
    assert f"applied: {len(rows)}" in digest["Message"]


def test_plan_mode_writes_the_plan_and_no_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    with deployed_world(monkeypatch, remediation="plan", types="ec2:instance") as world:
        instance = world.launch(world.members[0], None)
        state = scanned_run(world)

        summary = remediate.handler({"run_id": state["run_id"], "started_at": STARTED}, LambdaContext())

        assert summary["applied"] == 0
        assert map_tag(world, world.members[0], instance) is None
        planned = json.loads(report_object(state["run_id"], "fix-plan.json"))
        assert any(c["arn"].endswith(instance) for c in planned["changes"])


def test_more_changes_than_the_cap_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    with deployed_world(
        monkeypatch, remediation="apply", remediation_max_changes=1, types="ec2:instance"
    ) as world:
        instances = {account: world.launch(account, None) for account in world.accounts}
        state = scanned_run(world)

        summary = remediate.handler({"run_id": state["run_id"], "started_at": STARTED}, LambdaContext())

        assert "more than remediation_max_changes (1): nothing written" in summary["refused"]
        assert all(map_tag(world, a, i) is None for a, i in instances.items())
