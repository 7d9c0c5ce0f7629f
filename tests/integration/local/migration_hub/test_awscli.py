"""Fidelity of the local Migration Hub against a client no one here wrote: the AWS CLI (issue 4).

Every step runs `aws mgh …` / `aws migrationhub-config …` from the awscli package as a
subprocess against `running_hub`, reached only through AWS_ENDPOINT_URL_MIGRATION_HUB and
AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG, and asserts on what the user sees: JSON on stdout,
error codes on stderr, exit codes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from maptag.local.migration_hub import HubState, LocalMigrationHub, running_hub

pytestmark = pytest.mark.slow
AWS = str(Path(sys.executable).with_name("aws"))
HOME = "eu-west-1"
STREAM = "MAP-Tagging"
TASK = "map-tagging-123456789012-eu-west-1"
ON_TASK = ("--progress-update-stream", STREAM, "--migration-task-name", TASK)
WHEN = ("--update-date-time", "2026-11-23T10:00:00Z")


@dataclass
class AwsCli:
    state: HubState
    env: dict[str, str]

    def run(self, *args: str, region: str = HOME, attempts: int = 1) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "AWS_DEFAULT_REGION": region, "AWS_MAX_ATTEMPTS": str(attempts)}
        return subprocess.run(
            [AWS, *args, "--output", "json"], capture_output=True, text=True, timeout=60, env=env, check=False
        )

    def ok(self, *args: str, region: str = HOME) -> Any:
        result = self.run(*args, region=region)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else {}

    def fails(self, *args: str, code: str, region: str = HOME) -> str:
        result = self.run(*args, region=region)
        assert result.returncode != 0, result.stdout
        assert f"An error occurred ({code})" in result.stderr, result.stderr
        return result.stderr


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[AwsCli]:
    state = HubState()
    with running_hub(state) as url:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_RETRY_MODE": "standard",
            "AWS_ENDPOINT_URL_MIGRATION_HUB": url,
            "AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG": url,
        }
        yield AwsCli(state, env)


def test_whole_flow_with_the_aws_cli(aws: AwsCli) -> None:
    # Given no home region: GetHomeRegion answers nothing and writes are refused
    assert aws.ok("migrationhub-config", "get-home-region") == {}
    aws.fails(
        "mgh",
        "create-progress-update-stream",
        "--progress-update-stream-name",
        STREAM,
        code="HomeRegionNotSetException",
    )

    # When the home region is set from another region, Then every region reports it
    control = aws.ok(
        "migrationhub-config", "create-home-region-control", "--home-region", HOME,
        "--target", "Type=ACCOUNT", region="us-east-1",
    )["HomeRegionControl"]  # fmt: skip
    assert control["HomeRegion"] == HOME
    assert control["Target"] == {"Type": "ACCOUNT", "Id": "123456789012"}
    assert control["ControlId"].startswith("hrc-")
    assert aws.ok("migrationhub-config", "get-home-region", region="ap-southeast-2") == {"HomeRegion": HOME}

    # And a tool publishes: stream, task, state, resource attributes
    aws.ok("mgh", "create-progress-update-stream", "--progress-update-stream-name", STREAM)
    aws.ok("mgh", "import-migration-task", *ON_TASK)
    aws.ok(
        "mgh", "notify-migration-task-state", *ON_TASK,
        "--task", "Status=IN_PROGRESS,ProgressPercent=95,StatusDetail=412/430 tagged · 12 missing",
        *WHEN, "--next-update-seconds", "90000",
    )  # fmt: skip
    aws.ok(
        "mgh", "put-resource-attributes", *ON_TASK,
        "--resource-attribute-list",
        "Type=IPV4_ADDRESS,Value=10.0.1.17", "Type=MAC_ADDRESS,Value=0a:1b:2c:3d:4e:5f",
    )  # fmt: skip

    # Then describe and list show what was sent, in the service's wire format
    task = aws.ok("mgh", "describe-migration-task", *ON_TASK)
    assert task["MigrationTask"]["Task"] == {
        "Status": "IN_PROGRESS",
        "ProgressPercent": 95,
        "StatusDetail": "412/430 tagged · 12 missing",
    }
    assert task["MigrationTask"]["UpdateDateTime"] == 1795428000  # epoch seconds: JSON 1.1 timestamps
    assert task["MigrationTask"]["ResourceAttributeList"] == [
        {"Type": "IPV4_ADDRESS", "Value": "10.0.1.17"},
        {"Type": "MAC_ADDRESS", "Value": "0a:1b:2c:3d:4e:5f"},
    ]
    listed = aws.ok("mgh", "list-migration-tasks")["MigrationTaskSummaryList"]
    assert [(t["MigrationTaskName"], t["Status"], t["ProgressPercent"]) for t in listed] == [
        (TASK, "IN_PROGRESS", 95)
    ]
    updates = aws.ok("mgh", "list-migration-task-updates", *ON_TASK)["MigrationTaskUpdateList"]
    assert [(u["UpdateType"], u["MigrationTaskState"]["ProgressPercent"]) for u in updates] == [
        ("MIGRATION_TASK_STATE_UPDATED", 95)
    ]

    # And the errors a user meets carry the service's codes
    aws.fails(
        "mgh", "create-progress-update-stream", "--progress-update-stream-name", "elsewhere",
        code="InvalidInputException", region="us-east-1",
    )  # fmt: skip
    aws.fails(
        "mgh", "describe-migration-task", "--progress-update-stream", STREAM, "--migration-task-name", "nope",
        code="ResourceNotFoundException",
    )  # fmt: skip
    bad_name = ("--progress-update-stream", STREAM, "--migration-task-name", "a|b")
    aws.fails("mgh", "import-migration-task", *bad_name, code="InvalidInputException")
    message = aws.fails(
        "mgh", "notify-migration-task-state", *ON_TASK,
        "--task", "Status=DONE,ProgressPercent=101", *WHEN,
        "--next-update-seconds", "60",
        code="InvalidInputException",
    )  # fmt: skip
    assert "2 validation errors detected" in message
    new_task = ("--progress-update-stream", STREAM, "--migration-task-name", "t2")
    aws.fails("mgh", "import-migration-task", *new_task, "--dry-run", code="DryRunOperation")
    assert aws.state.task(STREAM, "t2") is None

    # Finally deleting the stream takes its tasks with it, and the home region can be unset
    aws.ok("mgh", "delete-progress-update-stream", "--progress-update-stream-name", STREAM)
    assert aws.state.streams() == {}
    aws.ok("migrationhub-config", "delete-home-region-control", "--control-id", control["ControlId"])
    assert aws.state.home_region is None


def test_aws_cli_paginates_through_next_token(aws: AwsCli) -> None:
    hub = LocalMigrationHub(aws.state)  # the same state, in process: only the listing is under test
    hub.set_home_region(HOME)
    hub.invoke("mgh", "CreateProgressUpdateStream", HOME, {"ProgressUpdateStreamName": STREAM})
    names = [f"unit-{index}" for index in range(5)]
    for name in names:
        hub.invoke(
            "mgh", "ImportMigrationTask", HOME, {"ProgressUpdateStream": STREAM, "MigrationTaskName": name}
        )
    listed = aws.ok("mgh", "list-migration-tasks", "--page-size", "2")["MigrationTaskSummaryList"]
    assert [t["MigrationTaskName"] for t in listed] == names
    pages = [call for call in aws.state.calls if call.operation == "ListMigrationTasks"]
    assert len(pages) == 3


def test_aws_cli_retries_injected_throttling_and_reports_it_when_retries_run_out(aws: AwsCli) -> None:
    LocalMigrationHub(aws.state).set_home_region(HOME)
    aws.state.inject_fault("ThrottlingException", times=1, operation="ListProgressUpdateStreams")
    result = aws.run("mgh", "list-progress-update-streams", attempts=2)
    assert result.returncode == 0, result.stderr
    aws.state.inject_fault("ServiceUnavailableException", times=1, operation="ListProgressUpdateStreams")
    aws.fails("mgh", "list-progress-update-streams", code="ServiceUnavailableException")
