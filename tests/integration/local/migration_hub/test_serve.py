"""`maptag hub serve` as a user runs it, and the hub's --state file across restarts (issue 4)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from maptag.local.migration_hub import HubState, LocalMigrationHub, StateFileError, running_hub

pytestmark = pytest.mark.slow
MAPTAG = str(Path(sys.executable).with_name("maptag"))
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def hub_serve(*extra: str) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """`maptag hub serve` in a subprocess; yields it, its URL and the lines it printed first."""
    port = free_port()
    process = subprocess.Popen(
        [MAPTAG, "hub", "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        yield process, f"http://127.0.0.1:{port}", lines
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def use_endpoint(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", url)


def test_hub_serve_answers_boto3_prints_exports_and_stops_cleanly_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with hub_serve() as (process, url, lines):
        # Then it tells the user what to export, with the real URL
        assert f"  export AWS_ENDPOINT_URL_MIGRATION_HUB={url}\n" in lines
        assert f"  export AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG={url}\n" in lines
        use_endpoint(monkeypatch, url)
        # When a boto3 client sets a home region and publishes through it
        config = boto3.client("migrationhub-config", region_name="eu-west-1", config=NO_RETRIES)
        config.create_home_region_control(HomeRegion="eu-west-1", Target={"Type": "ACCOUNT"})
        mgh = boto3.client("mgh", region_name="eu-west-1", config=NO_RETRIES)
        mgh.create_progress_update_stream(ProgressUpdateStreamName="MAP-Tagging")
        streams = mgh.list_progress_update_streams()["ProgressUpdateStreamSummaryList"]
        assert streams == [{"ProgressUpdateStreamName": "MAP-Tagging"}]
        # Then Ctrl-C stops it with exit code 0 and no traceback
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
        assert process.returncode == 0
        assert "Traceback" not in stderr


def test_hub_serve_home_region_option_sets_it_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    with hub_serve("--home-region", "ap-southeast-2") as (process, url, lines):
        assert "home region ap-southeast-2" in lines[0]
        use_endpoint(monkeypatch, url)
        assert boto3.client("migrationhub-config").get_home_region()["HomeRegion"] == "ap-southeast-2"
        process.terminate()
        process.communicate(timeout=10)


def test_hub_serve_state_file_survives_a_restart(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    state_file = tmp_path / "hub.json"
    with hub_serve("--state", str(state_file)) as (process, url, _):
        use_endpoint(monkeypatch, url)
        boto3.client("migrationhub-config", region_name="us-east-1").create_home_region_control(
            HomeRegion="us-east-1", Target={"Type": "ACCOUNT"}
        )
        mgh = boto3.client("mgh", region_name="us-east-1")
        mgh.create_progress_update_stream(ProgressUpdateStreamName="MAP-Tagging")
        mgh.import_migration_task(ProgressUpdateStream="MAP-Tagging", MigrationTaskName="unit-1")
        process.terminate()  # SIGTERM: as clean as Ctrl-C
        process.communicate(timeout=10)
        assert process.returncode == 0
    with hub_serve("--state", str(state_file)) as (_, url, _):
        use_endpoint(monkeypatch, url)
        assert boto3.client("migrationhub-config").get_home_region()["HomeRegion"] == "us-east-1"
        tasks = boto3.client("mgh", region_name="us-east-1").list_migration_tasks()[
            "MigrationTaskSummaryList"
        ]
        assert [(t["MigrationTaskName"], t["Status"]) for t in tasks] == [("unit-1", "NOT_STARTED")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "http"], "argument --port: 'http' is not a port number"),
        (["--port", "70000"], "argument --port: 70000 is not a port number (0-65535)"),
    ],
)
def test_hub_serve_bad_port_is_a_one_line_usage_error(args: list[str], message: str) -> None:
    result = subprocess.run([MAPTAG, "hub", "serve", *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip() == f"maptag: error: {message}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Frankfurt", "1 validation error detected: Value 'Frankfurt' at 'homeRegion' failed to satisfy"),
        ("us-east-1", "The home region is already set to eu-west-1"),
    ],
)
def test_hub_serve_bad_home_region_is_a_usage_error(tmp_path: Path, value: str, message: str) -> None:
    state_file = tmp_path / "hub.json"
    state = HubState(path=state_file)
    LocalMigrationHub(state).set_home_region("eu-west-1")
    result = subprocess.run(
        [MAPTAG, "hub", "serve", "--port", "0", "--state", str(state_file), "--home-region", value],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"maptag: error: --home-region {value}: {message}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_hub_serve_port_in_use_and_bad_state_file_are_usage_errors(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [MAPTAG, "hub", "serve", "--port", str(port)], capture_output=True, text=True, timeout=30
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"maptag: error: --port {port}: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in result.stderr
    bad = tmp_path / "not-a-state.json"
    bad.write_text('{"hello": "world"}', encoding="utf-8")
    result = subprocess.run(
        [MAPTAG, "hub", "serve", "--port", "0", "--state", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    expected = f"--state: {bad} is not a local Migration Hub state file (schema maptag/local-migration-hub@1)"
    assert result.stderr.strip() == f"maptag: error: {expected}"


def test_state_file_is_written_after_each_change_and_reloaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nested" / "hub.json"
    state = HubState(path=path)
    with running_hub(state) as url:
        use_endpoint(monkeypatch, url)
        boto3.client("migrationhub-config").create_home_region_control(
            HomeRegion="us-east-1", Target={"Type": "ACCOUNT"}
        )
        boto3.client("mgh").create_progress_update_stream(ProgressUpdateStreamName="written-at-once")
        # Then the file already holds the stream while the server still runs
        assert HubState(path=path).streams("us-east-1").keys() == {"written-at-once"}
    assert not [name for name in os.listdir(path.parent) if name != "hub.json"]  # no temporary left behind


def test_a_state_file_that_cannot_be_written_is_an_internal_server_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    state = HubState(path=tmp_path / "hub.json")
    with running_hub(state) as url:
        use_endpoint(monkeypatch, url)
        (tmp_path / "hub.json").mkdir()  # the next save cannot replace a directory
        config = boto3.client("migrationhub-config", config=NO_RETRIES)
        with pytest.raises(ClientError) as excinfo:
            config.create_home_region_control(HomeRegion="us-east-1", Target={"Type": "ACCOUNT"})
    assert excinfo.value.response["Error"]["Code"] == "InternalServerError"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_unreadable_state_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "hub.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StateFileError, match=r"cannot read .*hub\.json"):
        HubState(path=path)
