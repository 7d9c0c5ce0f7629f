"""`maptag scan --publish migration-hub` and `maptag hub tasks` end to end: a moto server for
AWS, the local Migration Hub for Migration Hub, both reached through the standard endpoint
variables; the CLI runs in process as a user would call it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from maptag.cli import main
from maptag.local.migration_hub import HubState, running_hub
from maptag.migration_hub.outbox import FileOutbox

HOME = "us-west-2"
ACCOUNT = "123456789012"  # moto's account
STREAM = "MAP-Tagging"
UNIT_TASK = f"map-tagging-{ACCOUNT}-us-east-1"
HOME_REGION_MISSING = (
    "no Migration Hub home region is set: set a Migration Hub home region in the console or with "
    "`aws migrationhub-config create-home-region-control`"
)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class World:
    state: HubState
    tmp: Path
    server_id: str  # the MGN-launched instance

    def scan(self, *extra: str) -> int:
        return main(
            [
                "scan",
                "--mpe-id",
                "mig12345",
                "--regions",
                "us-east-1",
                "--types",
                "ec2:instance,ec2:volume",
                "--publish",
                "migration-hub",
                "--outbox",
                str(self.tmp / "outbox.json"),
                *extra,
            ]
        )

    def set_home(self) -> None:
        boto3.client("migrationhub-config", region_name=HOME).create_home_region_control(
            HomeRegion=HOME, Target={"Type": "ACCOUNT", "Id": ACCOUNT}
        )

    def task(self, name: str, stream: str = STREAM) -> dict[str, Any]:
        found = boto3.client("mgh", region_name=HOME).describe_migration_task(
            ProgressUpdateStream=stream, MigrationTaskName=name
        )
        return dict(found["MigrationTask"])


@pytest.fixture
def world(moto_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[World]:
    requests.post(f"{moto_url}/moto-api/reset", timeout=10)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    state = HubState()
    with running_hub(state) as hub_url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", hub_url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", hub_url)
        ec2 = boto3.client("ec2", region_name="us-east-1")
        image = ec2.register_image(Name="base", RootDeviceName="/dev/sda1")["ImageId"]

        def launch(tags: dict[str, str]) -> str:
            spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
            found = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=spec)
            return str(found["Instances"][0]["InstanceId"])

        # A server MGN launched (tagged right; its root volume is not) and an untagged one.
        server = launch(
            {"map-migrated": "mig12345", "AWSApplicationMigrationServiceSourceServerID": "s-0123456789"}
        )
        launch({"Name": "web"})
        yield World(state, tmp_path, server)


def test_scan_publishes_unit_and_server_tasks_and_hub_tasks_lists_them(world: World, capsys):
    world.set_home()
    report = world.tmp / "report.json"
    # When the scan publishes / Then findings give exit 1 and the publish is reported
    assert world.scan("--server-tasks", "--format", "json", "--output", str(report)) == 1
    err = capsys.readouterr().err
    assert (
        f"maptag: published to Migration Hub (home region {HOME}, stream {STREAM}): 2 tasks updated (2 new)"
        in err
    )
    # And the unit's task holds its coverage: 1 of 2 instances and 2 root volumes is tagged
    unit = world.task(UNIT_TASK)
    assert unit["Task"] == {
        "Status": "IN_PROGRESS",
        "ProgressPercent": 25,
        "StatusDetail": "1/4 tagged · 3 missing",
    }
    # And the migrated server's task: the instance tagged, its root volume not; mapped by IP/MAC/DNS
    server = world.task(f"map-tagging-{ACCOUNT}-{world.server_id}")
    assert server["Task"] == {
        "Status": "IN_PROGRESS",
        "ProgressPercent": 50,
        "StatusDetail": "1/2 tagged · 1 missing",
    }
    instance = json.loads(report.read_text())["resources"][0]
    assert instance["arn"].endswith(world.server_id)
    kinds = {a["Type"]: a["Value"] for a in server["ResourceAttributeList"]}
    assert kinds["IPV4_ADDRESS"] in instance["attributes"]["private_ips"]
    assert kinds["MAC_ADDRESS"] in instance["attributes"]["macs"]
    assert kinds["FQDN"] == instance["attributes"]["private_dns"]

    # When `maptag hub tasks` is run / Then it lists both tasks like the console
    assert main(["hub", "tasks"]) == 0
    out = capsys.readouterr().out
    assert f"stream {STREAM} · home region {HOME}" in out
    row = next(line for line in out.splitlines() if UNIT_TASK in line)
    for cell in ("IN_PROGRESS", "25 %", "1/4 tagged · 3 missing", "UTC"):
        assert cell in row
    assert f"map-tagging-{ACCOUNT}-{world.server_id}" in out


def test_custom_stream_and_next_update(world: World, capsys):
    world.set_home()
    assert world.scan("--stream", "MAP tagging (prod)", "--next-update-seconds", "7200") == 1
    assert world.task(UNIT_TASK, stream="MAP tagging (prod)")["Task"]["ProgressPercent"] == 25
    assert world.state.task("MAP tagging (prod)", UNIT_TASK)["NextUpdateSeconds"] == 7_200
    capsys.readouterr()
    assert main(["hub", "tasks", "--stream", "MAP tagging (prod)"]) == 0
    assert UNIT_TASK in capsys.readouterr().out


def test_without_a_home_region_the_report_is_written_and_the_run_fails_loudly(world: World, capsys):
    report = world.tmp / "report.json"
    # When the scan publishes to a Migration Hub without a home region
    code = world.scan("--format", "json", "--output", str(report))
    # Then the report is written all the same, the error says what to do, and the exit code is 2
    assert code == 2
    assert json.loads(report.read_text())["units"][0]["totals"]["in_scope"] == 4
    err = capsys.readouterr().err
    assert f"maptag: error: Migration Hub publish failed: {HOME_REGION_MISSING}; 1 update kept" in err
    assert [u.task for u in FileOutbox(world.tmp / "outbox.json").pending()] == [UNIT_TASK]
    # And once the home region is set, the next run sends its own (newer) state and empties the outbox
    world.set_home()
    assert world.scan() == 1
    assert world.task(UNIT_TASK)["Task"]["Status"] == "IN_PROGRESS"
    assert FileOutbox(world.tmp / "outbox.json").pending() == []


def test_dry_run_prints_the_planned_calls_and_sends_nothing(world: World, capsys):
    world.set_home()
    assert world.scan("--dry-run", "--format", "json", "--output", str(world.tmp / "r.json")) == 1
    err = capsys.readouterr().err
    assert f"maptag: Migration Hub dry run (home region {HOME}, stream {STREAM}): would make 3 calls" in err
    assert "  create stream MAP-Tagging" in err
    assert f"  import task {UNIT_TASK}" in err
    assert f"  notify {UNIT_TASK}: IN_PROGRESS 25 % — 1/4 tagged · 3 missing" in err
    assert world.state.streams() == {}
    assert not (world.tmp / "outbox.json").exists()


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        ("bad|name", "maptag: error: --stream: stream name 'bad|name' contains '|'"),
        ("x" * 51, "maptag: error: --stream: stream name 'xxxxx"),
        ("", "maptag: error: --stream: empty stream name"),
    ],
)
def test_a_bad_stream_is_a_usage_error_before_anything_is_scanned(world: World, capsys, stream, message):
    assert world.scan("--stream", stream) == 2
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1
    assert not world.state.calls


def test_hub_tasks_errors_are_one_line(world: World, capsys):
    assert main(["hub", "tasks"]) == 2
    assert capsys.readouterr().err == f"maptag: error: {HOME_REGION_MISSING}\n"
    world.set_home()
    assert main(["hub", "tasks", "--stream", "Nope"]) == 2
    assert capsys.readouterr().err == (
        f"maptag: error: --stream: no progress update stream 'Nope' in home region {HOME} (streams: none)\n"
    )
    assert main(["hub", "tasks", "--stream", "a/b"]) == 2
    assert "contains '/'" in capsys.readouterr().err
