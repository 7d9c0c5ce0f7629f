"""`maptag scan --publish history,security-hub` then `maptag history`, in-process over moto."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from maptag.cli import main

REGION = "us-east-1"


def tag(ec2: object, volume: str, key: str, value: str) -> None:
    ec2.create_tags(Resources=[volume], Tags=[{"Key": key, "Value": value}])  # type: ignore[attr-defined]


def scan_args(folder: Path) -> list[str]:
    return [
        "scan", "--mpe-id", "12345", "--regions", REGION, "--types", "ec2:volume", "--format", "json",
        "--output", str(folder / "r.json"), "--publish", "history,security-hub",
    ]  # fmt: skip


@mock_aws
def test_scan_publishes_history_and_findings_then_history_shows_the_trend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given four untagged volumes, Security Hub on, and a history file of our own
    monkeypatch.setenv("MAPTAG_HISTORY_FILE", str(tmp_path / "history.jsonl"))
    boto3.client("securityhub", region_name=REGION).enable_security_hub()
    ec2 = boto3.client("ec2", region_name=REGION)
    volumes = [ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"] for _ in range(4)]
    scan = scan_args(tmp_path)

    # When the user scans and publishes, tags three volumes, and scans again
    assert main(scan) == 1
    first = capsys.readouterr().err
    for volume in volumes[:3]:
        tag(ec2, volume, "map-migrated", "mig12345")
    assert main(scan) == 1
    second = capsys.readouterr().err

    # Then each run reported both sinks, the second resolving the three fixed volumes
    assert "maptag: history: 4 coverage row(s)" in first
    assert "maptag: security-hub: 4 created, 0 updated, 0 resolved, 0 refreshed, 0 unchanged" in first
    assert "maptag: security-hub: 0 created, 0 updated, 3 resolved, 0 refreshed, 1 unchanged" in second
    # moto has no BatchUpdateFindings: the workflow step says so, and the imports still count
    assert "; workflow RESOLVED on 0, not updated on 3 (first: maptag/map-migrated/arn:aws:ec2:" in second
    assert "404 on BatchUpdateFindings" in second
    findings = boto3.client("securityhub", region_name=REGION).get_findings()["Findings"]
    assert sorted(f["RecordState"] for f in findings) == ["ACTIVE", "ARCHIVED", "ARCHIVED", "ARCHIVED"]

    # And `maptag history` shows coverage going from 0 % to 75 %
    assert main(["history", "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [run["coverage_percent"] for run in runs] == [0.0, 75.0]


def test_dry_run_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAPTAG_HISTORY_FILE", str(tmp_path / "history.jsonl"))
    with mock_aws():
        boto3.client("ec2", region_name=REGION).create_volume(AvailabilityZone=f"{REGION}a", Size=1)
        code = main([*scan_args(tmp_path), "--dry-run"])
        assert boto3.client("securityhub", region_name=REGION).get_findings()["Findings"] == []
    err = capsys.readouterr().err
    assert code == 1
    assert "history: dry run: would append 4 coverage row(s)" in err
    assert (
        "security-hub: dry run: would import 1 finding(s) and set workflow RESOLVED on 0, sent nothing; "
        "1 created, 0 updated, 0 resolved, 0 refreshed, 0 unchanged, 0 kept (unit failed or not scanned) "
        "in 123456789012/us-east-1"
    ) in err
    assert not (tmp_path / "history.jsonl").exists()


@mock_aws
def test_the_config_file_sets_the_refresh_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two untagged volumes and a config file asking for a re-import on every run
    monkeypatch.setenv("MAPTAG_HISTORY_FILE", str(tmp_path / "history.jsonl"))
    boto3.client("securityhub", region_name=REGION).enable_security_hub()
    ec2 = boto3.client("ec2", region_name=REGION)
    for _ in range(2):
        ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)
    config = tmp_path / "maptag.toml"
    config.write_text("securityhub-refresh-days = 0\n")
    scan = [*scan_args(tmp_path), "--config", str(config)]

    # When the user scans twice with nothing changed
    assert main(scan) == 1
    assert main(scan) == 1

    # Then the second run re-imported both findings (the default would leave them unchanged)
    assert (
        "security-hub: 0 created, 0 updated, 0 resolved, 2 refreshed, 0 unchanged" in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("securityhub-refresh-days = 45", "45 is not a number of days from 0 to 30"),
        ("securityhub_refresh_days = -3", "-3 is not a number of days from 0 to 30"),
        ('securityhub-refresh-days = "7"', "'7' is not an integer"),
    ],
)
def test_a_bad_refresh_period_in_the_config_file_is_one_line_naming_it(
    line: str, named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "maptag.toml"
    config.write_text(line + "\n")
    with mock_aws():
        code = main([*scan_args(tmp_path), "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("maptag: error: 'securityhub-refresh-days' in ")
    assert named in err
    assert "Traceback" not in err
