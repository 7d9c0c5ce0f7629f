"""The Migration Hub publisher against the local Migration Hub over HTTP (issue 4, "Tests").

The publisher reaches the hub only through AWS_ENDPOINT_URL_MIGRATION_HUB and
AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG; assertions read the hub back through the same API a
user's console uses (ListMigrationTasks, DescribeMigrationTask).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maptag.coverage import Totals
from maptag.local.migration_hub import HubState, running_hub
from maptag.migration_hub.outbox import FileOutbox
from maptag.migration_hub.publisher import (
    HOME_REGION_MISSING,
    IAM_ACTIONS,
    HubSettings,
    PublishResult,
    RetryPolicy,
)
from maptag.migration_hub.views import stream_tasks
from maptag.sinks.migration_hub import publish

HOME = "us-west-2"
ACCOUNT = "123456789012"
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# Quick backoff so a test of retries takes milliseconds; four attempts in all.
FAST = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.005)
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def unit(
    region: str = "us-east-1", status: str = "ok", error: str | None = None, **counts: int
) -> dict[str, Any]:
    return {
        "account_id": ACCOUNT,
        "region": region,
        "status": status,
        "error": error,
        "totals": Totals(**counts).to_report(),
    }


def report(
    *units: dict[str, Any], at: datetime = T0, resources: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A parsed `maptag/scan-report@1` (the publisher takes the JSON report as well as a ScanReport)."""
    return {
        "schema": "maptag/scan-report@1",
        "generated_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "units": list(units),
        "resources": resources or [],
    }


@dataclass
class Hub:
    url: str
    state: HubState
    outbox: FileOutbox

    def mgh(self) -> BaseClient:
        return boto3.client("mgh", region_name=HOME, config=NO_RETRIES)

    def set_home(self) -> None:
        boto3.client("migrationhub-config", region_name=HOME, config=NO_RETRIES).create_home_region_control(
            HomeRegion=HOME, Target={"Type": "ACCOUNT", "Id": ACCOUNT}
        )

    def publish(
        self, scan: dict[str, Any], hub_settings: HubSettings | None = None, **options: Any
    ) -> PublishResult:
        return publish(scan, hub_settings, outbox=self.outbox, retry=FAST, **options)

    def tasks(self, stream: str = "MAP-Tagging") -> dict[str, dict[str, Any]]:
        """The stream's tasks as ListMigrationTasks shows them, by name."""
        pages = self.mgh().get_paginator("list_migration_tasks").paginate()
        return {
            t["MigrationTaskName"]: t
            for page in pages
            for t in page["MigrationTaskSummaryList"]
            if t["ProgressUpdateStream"] == stream
        }

    def streams(self) -> list[str]:
        found = self.mgh().list_progress_update_streams()["ProgressUpdateStreamSummaryList"]
        return [s["ProgressUpdateStreamName"] for s in found]

    def writes(self) -> list[str]:
        """The successful mgh writes, in order (reads and failed calls left out)."""
        return [
            c.operation
            for c in self.state.calls
            if c.service == "mgh" and c.outcome == "ok" and not c.operation.startswith(("List", "Describe"))
        ]


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Hub]:
    state = HubState()
    with running_hub(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", url)
        yield Hub(url, state, FileOutbox(tmp_path / "outbox.json"))


@pytest.fixture
def home(hub: Hub) -> Hub:
    hub.set_home()
    return hub


def unit_task(region: str = "us-east-1") -> str:
    return f"map-tagging-{ACCOUNT}-{region}"


# --- first run, second run -----------------------------------------------------------------


def test_first_run_creates_the_stream_and_one_task_per_unit(home: Hub):
    # Given a home region and no stream / When a two-unit report is published
    result = home.publish(report(unit("us-east-1", compliant=3, missing=1), unit("eu-west-1", compliant=2)))
    # Then the stream exists and holds one task per unit, in the state of the scan
    assert result.status == "ok"
    assert result.home_region == HOME
    assert sorted(result.created) == [unit_task("eu-west-1"), unit_task("us-east-1")]
    assert home.streams() == ["MAP-Tagging"]
    tasks = home.tasks()
    assert sorted(tasks) == [unit_task("eu-west-1"), unit_task("us-east-1")]
    assert tasks[unit_task("us-east-1")]["Status"] == "IN_PROGRESS"
    assert tasks[unit_task("us-east-1")]["ProgressPercent"] == 75
    assert tasks[unit_task("us-east-1")]["StatusDetail"] == "3/4 tagged · 1 missing"
    assert tasks[unit_task("eu-west-1")]["Status"] == "COMPLETED"
    assert tasks[unit_task("us-east-1")]["UpdateDateTime"] == T0
    # And every mgh call went to the home region, though the caller is in us-east-1
    assert {c.region for c in home.state.calls if c.service == "mgh"} == {HOME}
    assert result.lines() == [
        f"published to Migration Hub (home region {HOME}, stream MAP-Tagging): 2 tasks updated (2 new)"
    ]


def test_second_run_updates_the_same_tasks_in_place(home: Hub):
    home.publish(report(unit(missing=4)))
    # When the next day's scan finds everything tagged
    result = home.publish(report(unit(compliant=4), at=T0 + timedelta(days=1)))
    # Then the same task shows the new state; nothing was imported or created twice
    assert (result.status, result.sent, result.created) == ("ok", [unit_task()], [])
    assert home.streams() == ["MAP-Tagging"]
    task = home.tasks()[unit_task()]
    assert (task["Status"], task["ProgressPercent"], task["UpdateDateTime"]) == (
        "COMPLETED",
        100,
        T0 + timedelta(days=1),
    )
    assert home.writes() == [
        "CreateProgressUpdateStream",
        "ImportMigrationTask",
        "NotifyMigrationTaskState",
        "NotifyMigrationTaskState",
    ]


def test_status_mapping_as_the_console_shows_it(home: Hub):
    units = [
        unit("us-east-1", missing=7),  # 0 %
        unit("us-east-2", compliant=249, missing=1),  # 99.6 %
        unit("us-west-1", compliant=12, excluded=3),  # 100 %
        unit("eu-west-1", status="failed", error="AccessDenied on DescribeInstances: not authorized"),
        unit("eu-west-2", excluded=4),  # nothing in scope
    ]
    result = home.publish(report(*units), HubSettings(next_update_seconds=7_200))
    assert result.status == "ok"
    shown = {name: (t["Status"], t["ProgressPercent"], t["StatusDetail"]) for name, t in home.tasks().items()}
    assert shown == {
        unit_task("us-east-1"): ("IN_PROGRESS", 0, "0/7 tagged · 7 missing"),
        unit_task("us-east-2"): ("IN_PROGRESS", 99, "249/250 tagged · 1 missing"),
        unit_task("us-west-1"): ("COMPLETED", 100, "12/12 tagged"),
        unit_task("eu-west-1"): (
            "FAILED",
            0,
            "scan failed: AccessDenied on DescribeInstances: not authorized",
        ),
        unit_task("eu-west-2"): ("NOT_STARTED", 0, "nothing in scope (4 excluded)"),
    }
    # NextUpdateSeconds is not in the API's answers; the hub's state holds what was sent.
    assert home.state.task("MAP-Tagging", unit_task("us-east-1"))["NextUpdateSeconds"] == 7_200


def test_server_tasks_are_mapped_to_the_discovered_server(home: Hub):
    instance = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0migrated"
    resources = [
        {
            "arn": instance,
            "account_id": ACCOUNT,
            "region": "us-east-1",
            "type": "ec2:instance",
            "verdict": "compliant",
            "parent": None,
            "attributes": {
                "private_ips": ["10.0.0.5"],
                "macs": ["0a:1b:2c:3d:4e:5f"],
                "private_dns": "ip-10-0-0-5.ec2.internal",
                "mgn_source_server": "s-1234567890abcdef0",
            },
        },
        {
            "arn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-1",
            "account_id": ACCOUNT,
            "region": "us-east-1",
            "type": "ec2:volume",
            "verdict": "missing",
            "parent": instance,
        },
    ]
    result = home.publish(
        report(unit(compliant=1, missing=1), resources=resources), HubSettings(server_tasks=True)
    )
    assert result.status == "ok"
    server = home.mgh().describe_migration_task(
        ProgressUpdateStream="MAP-Tagging", MigrationTaskName=f"map-tagging-{ACCOUNT}-i-0migrated"
    )["MigrationTask"]
    assert server["Task"] == {
        "Status": "IN_PROGRESS",
        "ProgressPercent": 50,
        "StatusDetail": "1/2 tagged · 1 missing",
    }
    assert server["ResourceAttributeList"] == [
        {"Type": "IPV4_ADDRESS", "Value": "10.0.0.5"},
        {"Type": "MAC_ADDRESS", "Value": "0a:1b:2c:3d:4e:5f"},
        {"Type": "FQDN", "Value": "ip-10-0-0-5.ec2.internal"},
    ]


# --- hostile names and texts ---------------------------------------------------------------


def test_hostile_names_and_texts_are_never_rejected(home: Hub):
    hostile = [
        unit("us:east|1", compliant=1),
        unit("eu\nwest\x00", status="failed", error="Boom|bad:thing\r\n" + "\u2028é" * 3_000),
        unit("ap-south-1" + "-" * 400, missing=1),
    ]
    result = home.publish(report(*hostile))
    assert result.status == "ok", result.error
    names = sorted(home.tasks())
    assert len(names) == 3
    assert all(":" not in n and "|" not in n and len(n) <= 256 for n in names)
    assert not [c for c in home.state.calls if c.outcome == "InvalidInputException"]


_any_text = st.text(st.characters(codec="utf-8"), max_size=300)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(account=_any_text, region=_any_text, error=_any_text, address=_any_text, instance=_any_text)
def test_no_string_makes_an_invalid_request(home: Hub, account, region, error, address, instance):
    # Given arbitrary text wherever a report carries a string into a request
    arn = f"arn:aws:ec2:r:a:instance/{instance}"
    resources = [
        {
            "arn": arn,
            "account_id": account,
            "region": region,
            "type": "ec2:instance",
            "verdict": "missing",
            "parent": None,
            "attributes": {
                "private_ips": [address],
                "macs": [error],
                "private_dns": address,
                "mgn_source_server": "s",
            },
        }
    ]
    units = [
        {**unit(compliant=1), "account_id": account, "region": region},
        {**unit(status="failed", error=error), "account_id": account, "region": region + "x"},
    ]
    # When it is published / Then the hub's validation (botocore's model, strictly) accepts every call
    result = home.publish(report(*units, resources=resources), HubSettings(server_tasks=True))
    assert result.status == "ok", result.error
    assert [
        c for c in home.state.calls if c.outcome != "ok" and c.outcome != "ResourceNotFoundException"
    ] == []


# --- home region ---------------------------------------------------------------------------


def test_no_home_region_is_a_clear_failure_and_the_result_is_kept(hub: Hub):
    # Given a hub without a home region / When a report is published
    result = hub.publish(report(unit(compliant=1)))
    # Then the publish failed with the actionable message, nothing was written, the update is kept
    assert result.status == "failed"
    assert result.error == HOME_REGION_MISSING
    assert "aws migrationhub-config create-home-region-control" in result.lines()[-1]
    assert hub.writes() == []
    assert [u.task for u in hub.outbox.pending()] == [unit_task()]
    # When the home region is set and the next run has nothing new / Then the kept result arrives
    hub.set_home()
    later = hub.publish(report())
    assert (later.status, later.replayed) == ("ok", [unit_task()])
    assert hub.tasks()[unit_task()]["Status"] == "COMPLETED"
    assert hub.outbox.pending() == []


# --- retries and the outbox ----------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "InternalServerError", "ServiceUnavailableException"]
)
def test_transient_faults_are_retried_until_they_pass(home: Hub, code: str):
    # Given three failures in a row on the state notification (the policy makes four attempts)
    home.state.inject_fault(code, times=3, operation="NotifyMigrationTaskState")
    result = home.publish(report(unit(compliant=1)))
    # Then the fourth attempt went through and nothing was kept for later
    assert result.status == "ok"
    outcomes = [c.outcome for c in home.state.calls if c.operation == "NotifyMigrationTaskState"]
    assert outcomes == [code, code, code, "ok"]
    assert home.tasks()[unit_task()]["Status"] == "COMPLETED"
    assert home.outbox.pending() == []


def test_a_fault_past_the_retries_is_kept_and_replayed_on_the_next_run(home: Hub):
    # Given the hub throttles every notification for a while
    home.state.inject_fault("ThrottlingException", times=50, operation="NotifyMigrationTaskState")
    result = home.publish(report(unit("us-east-1", compliant=1), unit("eu-west-1", missing=1)))
    # Then the publish failed after four attempts and both updates are kept
    assert result.status == "failed"
    assert result.error.startswith("ThrottlingException on NotifyMigrationTaskState")
    assert sorted(result.queued) == [unit_task("eu-west-1"), unit_task("us-east-1")]
    assert [c.outcome for c in home.state.calls if c.operation == "NotifyMigrationTaskState"] == [
        "ThrottlingException"
    ] * 4
    # When the throttling is over and the next run publishes another account's report
    home.state.clear_faults()
    later = home.publish(report())
    # Then the kept updates are sent: the tasks (imported but never notified) show the scan
    assert later.status == "ok"
    assert sorted(later.replayed) == [unit_task("eu-west-1"), unit_task("us-east-1")]
    tasks = home.tasks()
    assert tasks[unit_task("us-east-1")]["Status"] == "COMPLETED"
    assert tasks[unit_task("eu-west-1")]["StatusDetail"] == "0/1 tagged · 1 missing"
    assert home.outbox.pending() == []


def test_a_non_transient_error_is_not_retried_but_still_kept(home: Hub):
    home.state.inject_fault("AccessDeniedException", times=1, operation="NotifyMigrationTaskState")
    result = home.publish(report(unit(compliant=1)))
    assert result.status == "failed"
    assert [c.outcome for c in home.state.calls if c.operation == "NotifyMigrationTaskState"] == [
        "AccessDeniedException"
    ]
    assert [u.task for u in home.outbox.pending()] == [unit_task()]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_hub_down_then_up_replays_the_kept_results(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    outbox = FileOutbox(tmp_path / "outbox.json")
    # Given Migration Hub unreachable
    down = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", down)
    monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", down)
    failed = publish(report(unit(compliant=1, missing=1)), outbox=outbox, retry=FAST)
    assert failed.status == "failed"
    assert "Could not connect to the endpoint URL" in failed.error
    assert [u.task for u in outbox.pending()] == [unit_task()]
    # When it is back (with its state) and the next run has nothing for that task
    state = HubState()
    with running_hub(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", url)
        boto3.client("migrationhub-config", region_name=HOME).create_home_region_control(
            HomeRegion=HOME, Target={"Type": "ACCOUNT", "Id": ACCOUNT}
        )
        replayed = publish(report(), outbox=outbox, retry=FAST)
        # Then the kept result is sent, exactly as scanned, and the outbox is empty
        assert (replayed.status, replayed.replayed) == ("ok", [unit_task()])
        task = state.task("MAP-Tagging", unit_task())
        assert task["Task"] == {
            "Status": "IN_PROGRESS",
            "ProgressPercent": 50,
            "StatusDetail": "1/2 tagged · 1 missing",
        }
        assert task["UpdateDateTime"] == T0.timestamp()
    assert outbox.pending() == []


# --- newer wins ----------------------------------------------------------------------------


def test_an_older_result_never_overwrites_a_newer_one(home: Hub):
    # Given the hub holds the scan of T0 + 1 day
    home.publish(report(unit(compliant=10), at=T0 + timedelta(days=1)))
    # When an older scan arrives late (a slow run, a replay from another machine)
    late = home.publish(report(unit(missing=10), at=T0))
    # Then it is skipped and the newer state stays
    assert (late.status, late.stale, late.sent) == ("ok", [unit_task()], [])
    task = home.tasks()[unit_task()]
    assert (task["Status"], task["UpdateDateTime"]) == ("COMPLETED", T0 + timedelta(days=1))
    assert home.writes().count("NotifyMigrationTaskState") == 1


def test_a_kept_result_older_than_this_run_is_superseded_not_sent(home: Hub):
    # Given an update kept from a failed run at T0
    home.state.inject_fault("ServiceUnavailableException", times=4)
    assert home.publish(report(unit(missing=1), at=T0)).status == "failed"
    assert len(home.outbox.pending()) == 1
    # When today's run publishes the same task
    today = home.publish(report(unit(compliant=1), at=T0 + timedelta(days=1)))
    # Then only today's state is sent, once, and the kept one is gone
    assert (today.status, today.sent, today.replayed) == ("ok", [unit_task()], [])
    notified = [
        c.params["Task"]["Status"] for c in home.state.calls if c.operation == "NotifyMigrationTaskState"
    ]
    assert notified == ["COMPLETED"]
    assert home.outbox.pending() == []


# --- dry run -------------------------------------------------------------------------------


def test_dry_run_says_what_would_be_sent_and_sends_nothing(home: Hub):
    result = home.publish(report(unit(compliant=249, missing=1)), dry_run=True)
    assert result.status == "dry-run"
    assert result.planned == [
        "create stream MAP-Tagging",
        f"import task {unit_task()}",
        f"notify {unit_task()}: IN_PROGRESS 99 % — 249/250 tagged · 1 missing",
    ]
    # Every write was a DryRun the hub answered DryRunOperation: nothing changed
    written = ("CreateProgressUpdateStream", "ImportMigrationTask", "NotifyMigrationTaskState")
    writes = [c for c in home.state.calls if c.operation in written]
    assert {(c.params.get("DryRun"), c.outcome) for c in writes} == {(True, "DryRunOperation")}
    assert home.streams() == []
    assert not home.outbox.path.exists()


def test_dry_run_of_an_existing_task_notifies_only(home: Hub):
    home.publish(report(unit(missing=1)))
    result = home.publish(report(unit(compliant=1), at=T0 + timedelta(days=1)), dry_run=True)
    assert result.planned == [f"notify {unit_task()}: COMPLETED 100 % — 1/1 tagged"]
    assert home.tasks()[unit_task()]["Status"] == "IN_PROGRESS"


def test_the_deployment_skips_an_account_without_a_home_region_and_keeps_nothing(hub: Hub):
    # Given a hub without a home region / When the deployed workflow publishes (it skips)
    result = hub.publish(report(unit(compliant=1)), skip_without_home_region=True)
    # Then the publish is skipped, not failed: nothing written, nothing kept for a later run
    assert (result.status, result.skipped, result.failed) == ("skipped", True, False)
    assert result.lines() == [f"Migration Hub skipped: {HOME_REGION_MISSING}"]
    outcome = result.outcome()
    assert (outcome.ok, outcome.skipped) == (True, True)
    assert hub.writes() == []
    assert not hub.outbox.path.exists()


def test_dry_run_without_a_home_region_fails_the_same_way(hub: Hub):
    result = hub.publish(report(unit(compliant=1)), dry_run=True)
    assert (result.status, result.error) == ("failed", HOME_REGION_MISSING)
    assert not hub.outbox.path.exists()


def test_the_documented_iam_actions_cover_every_call(home: Hub):
    # Given every path of the publisher (create, server attributes, a stale replay) and `hub tasks`
    instance = {
        "arn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1",
        "account_id": ACCOUNT,
        "region": "us-east-1",
        "type": "ec2:instance",
        "verdict": "compliant",
        "parent": None,
        "attributes": {"private_ips": ["10.0.0.1"], "mgn_source_server": "s-1"},
    }
    servers = HubSettings(server_tasks=True)
    home.publish(report(unit(compliant=1), resources=[instance], at=T0 + timedelta(days=1)), servers)
    home.publish(report(unit(compliant=1), resources=[instance], at=T0), servers)
    assert [t.task for t in stream_tasks(retry=FAST).tasks] == [f"map-tagging-{ACCOUNT}-i-1", unit_task()]
    # Then each call it made is one the README's policy allows (mgh:<Operation>)
    allowed = {action for group in IAM_ACTIONS.values() for action in group}
    made = {f"mgh:{c.operation}" for c in home.state.calls if c.operation != "CreateHomeRegionControl"}
    assert made == allowed


def test_a_caller_outside_migration_hubs_regions_still_finds_the_home_region(home: Hub):
    # Given a caller whose region has no Migration Hub (eu-north-1)
    result = publish(report(unit(compliant=1)), session=boto3.Session(region_name="eu-north-1"), retry=FAST)
    # Then the home region is asked where Migration Hub is served, and the publish goes there
    assert (result.status, result.home_region) == ("ok", HOME)
    assert {c.region for c in home.state.calls if c.operation == "GetHomeRegion"} == {"us-west-2"}


def test_hub_tasks_reads_every_page(home: Hub):
    # Given more tasks than one ListMigrationTasks page holds (100), in two streams
    units = [{**unit(compliant=1), "account_id": f"{n:012d}"} for n in range(101)]
    assert home.publish(report(*units)).status == "ok"
    assert home.publish(report(unit(missing=1)), HubSettings(stream="Other")).status == "ok"
    # When the stream is listed / Then all its tasks, and only its tasks, come back, sorted
    view = stream_tasks(retry=FAST)
    assert len(view.tasks) == 101
    assert [t.task for t in view.tasks] == sorted(f"map-tagging-{n:012d}-us-east-1" for n in range(101))
    assert {t.status for t in view.tasks} == {"COMPLETED"}
    assert [t.task for t in stream_tasks("Other", retry=FAST).tasks] == [unit_task()]
