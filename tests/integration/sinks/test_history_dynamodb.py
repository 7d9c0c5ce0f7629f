"""Coverage history in DynamoDB (moto), written with batch_writer, read back by `maptag history`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from maptag.cli import main
from maptag.model import ScanUnit, Verdict
from maptag.sinks.history import DynamoHistory, Scope, record_history
from maptag.sinks.outcome import RunInfo
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, create_history_table, many

TABLE = "maptag-history"
REGION = "us-east-1"
EAST, WEST = ScanUnit(ACCOUNT, REGION), ScanUnit(ACCOUNT, "eu-west-1")
START = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def table() -> Iterator[Any]:
    """The table as the deployment defines it: pk/sk strings, TTL on expires_at."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_history_table(dynamodb, TABLE)
        yield dynamodb


def record(day: int, tagged: int, west_failed: bool = False) -> None:
    east = many(EAST, Verdict.COMPLIANT, tagged, "c") + many(EAST, Verdict.MISSING, 20 - tagged, "m")
    specs = [
        UnitSpec(EAST, east),
        UnitSpec(WEST, [], error="AccessDenied on AssumeRole")
        if west_failed
        else UnitSpec(WEST, many(WEST, Verdict.COMPLIANT, 5, "w")),
    ]
    with built_report(specs) as report:
        outcome = record_history(
            report, RunInfo(f"exec-{day}", START + timedelta(days=day)), DynamoHistory(TABLE)
        )
    assert outcome.ok, outcome.detail
    # run + 1 account + 2 regions + 2 units
    assert outcome.detail.startswith("6 coverage row(s)")


def test_rows_keys_and_ttl(table: Any) -> None:
    record(0, tagged=10)
    items = table.scan(TableName=TABLE)["Items"]
    keys = sorted(item["pk"]["S"] for item in items)
    assert keys == [
        "history#account#123456789012",
        "history#region#eu-west-1",
        "history#region#us-east-1",
        "history#run",
        "history#unit#123456789012#eu-west-1",
        "history#unit#123456789012#us-east-1",
    ]
    assert {item["sk"]["S"] for item in items} == {"2026-11-01T06:00:00Z#exec-0"}
    expires = {int(item["expires_at"]["N"]) for item in items}
    assert expires == {int((START + timedelta(days=400)).timestamp())}
    unit = next(i for i in items if i["pk"]["S"] == "history#unit#123456789012#us-east-1")
    assert unit["types"]["M"]["ec2:volume"]["M"]["missing"]["N"] == "10"


def test_trend_and_latest_run_read_back(table: Any) -> None:
    # Given four daily runs: EAST improves, WEST fails on day 2
    for day, tagged in enumerate((4, 10, 15, 20)):
        record(day, tagged, west_failed=day == 2)
    store = DynamoHistory(TABLE)

    # Then a unit's trend is newest first, limited, and the latest run is one row
    trend = store.trend(Scope(ACCOUNT, REGION), 3)
    assert [(r.run_id, r.coverage_percent) for r in trend] == [
        ("exec-3", 100.0),
        ("exec-2", 75.0),
        ("exec-1", 50.0),
    ]
    (latest,) = store.trend(Scope(), 1)
    assert (latest.run_id, latest.totals.in_scope, latest.failed_units) == ("exec-3", 25, 0)
    west = store.trend(Scope(region="eu-west-1"), 10)
    assert [r.failed_units for r in west] == [0, 1, 0, 0]
    assert store.trend(Scope(ACCOUNT, "eu-west-1"), 10)[1].error == "AccessDenied on AssumeRole"


def test_maptag_history_against_the_table(table: Any, capsys: pytest.CaptureFixture[str]) -> None:
    for day, tagged in enumerate((4, 10, 15, 20)):
        record(day, tagged)
    capsys.readouterr()

    # When the user reads the deployed table through the standard chain
    code = main(["history", "--table", TABLE, "--account", ACCOUNT, "--runs", "2", "--format", "json"])

    # Then the account's last two runs, oldest first
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["source"] == f"DynamoDB table {TABLE} ({REGION})"
    assert [(r["run_id"], r["coverage_percent"]) for r in data["runs"]] == [
        ("exec-2", 80.0),
        ("exec-3", 100.0),
    ]

    code = main(["history", "--table", TABLE])
    out = capsys.readouterr().out
    assert code == 0
    assert "Trend: " in out
    assert "↑" in out


def test_missing_table_is_one_line_and_exit_2(table: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["history", "--table", "no-such-table"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "maptag: error: history table 'no-such-table' not found in us-east-1\n"


def test_write_failure_is_reported_not_raised(table: Any) -> None:
    with built_report([UnitSpec(EAST, many(EAST, Verdict.MISSING, 1, "m"))]) as report:
        outcome = record_history(report, RunInfo.new("r"), DynamoHistory("no-such-table"))
    assert not outcome.ok
    assert "ResourceNotFoundException" in outcome.detail
