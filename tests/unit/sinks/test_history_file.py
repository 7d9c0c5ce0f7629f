"""Coverage history on the local backend (a JSON-lines file) and `maptag history --file`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from maptag.cli import main
from maptag.model import ScanUnit, Verdict
from maptag.sinks.history import FileHistory, Scope, history_rows, record_history
from maptag.sinks.outcome import RunInfo
from tests.support.sink_fixtures import ACCOUNT, OTHER_ACCOUNT, UnitSpec, built_report, many

EAST, WEST, OTHER = (
    ScanUnit(ACCOUNT, "us-east-1"),
    ScanUnit(ACCOUNT, "eu-west-1"),
    ScanUnit(OTHER_ACCOUNT, "us-east-1"),
)
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)


def record_run(path: Path, day: int, tagged: int, failed_other: bool = False) -> RunInfo:
    """A run where EAST has `tagged` of 10 volumes tagged, WEST 1 of 2, OTHER 4 of 4 (or failed)."""
    run = RunInfo(f"run-{day}", START + timedelta(days=day))
    specs = [
        UnitSpec(
            EAST, many(EAST, Verdict.COMPLIANT, tagged, "c") + many(EAST, Verdict.MISSING, 10 - tagged, "m")
        ),
        UnitSpec(
            WEST,
            many(WEST, Verdict.COMPLIANT, 1, "c")
            + many(WEST, Verdict.NEAR_MISS_KEY, 1, "n")
            + many(WEST, Verdict.COMPLIANT, 3, "b", "s3:bucket"),
        ),
        UnitSpec(OTHER, [], error="AccessDenied")
        if failed_other
        else UnitSpec(OTHER, many(OTHER, Verdict.COMPLIANT, 4, "c")),
    ]
    with built_report(specs) as report:
        outcome = record_history(report, run, FileHistory(path))
    assert outcome.ok, outcome.detail
    return run


def test_rows_per_run_account_region_and_unit(tmp_path: Path) -> None:
    # Given one recorded run
    path = tmp_path / "history.jsonl"
    record_run(path, 0, tagged=4)
    store = FileHistory(path)

    # Then the run, each account, each region and each unit has its row with per-type counts
    (run,) = store.trend(Scope(), 5)
    assert (run.totals.compliant, run.totals.in_scope, run.units, run.failed_units) == (12, 19, 3, 0)
    assert run.types["s3:bucket"].compliant == 3
    (account,) = store.trend(Scope(account_id=ACCOUNT), 5)
    assert (account.totals.compliant, account.totals.in_scope, account.units) == (8, 15, 2)
    (region,) = store.trend(Scope(region="us-east-1"), 5)
    assert (region.totals.compliant, region.totals.in_scope) == (8, 14)
    (unit,) = store.trend(Scope(ACCOUNT, "eu-west-1"), 5)
    assert unit.coverage_percent == 80.0
    assert unit.types["ec2:volume"].near_miss_key == 1


def test_trend_is_newest_first_limited_and_skips_expired_rows(tmp_path: Path) -> None:
    # Given three runs, the middle one with OTHER failed, and the first one recorded twice
    path = tmp_path / "history.jsonl"
    record_run(path, 0, tagged=2)
    record_run(path, 0, tagged=2)
    record_run(path, 1, tagged=5, failed_other=True)
    record_run(path, 2, tagged=9)
    store = FileHistory(path)

    # Then a unit's trend lists each run once, newest first, at most N
    rows = store.trend(Scope(ACCOUNT, "us-east-1"), 2)
    assert [(r.run_id, r.coverage_percent) for r in rows] == [("run-2", 90.0), ("run-1", 50.0)]
    assert [r.run_id for r in store.trend(Scope(ACCOUNT, "us-east-1"), 10)] == ["run-2", "run-1", "run-0"]
    assert [r.failed_units for r in store.trend(Scope(), 10)] == [0, 1, 0]
    assert store.trend(Scope(OTHER_ACCOUNT, "us-east-1"), 10)[1].error == "AccessDenied"

    # And rows past their TTL are gone, as DynamoDB would delete them
    much_later = START + timedelta(days=500)
    assert store.trend(Scope(), 10, now=much_later) == []


def test_maptag_history_prints_the_trend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "history.jsonl"
    for day, tagged in enumerate((2, 5, 9)):
        record_run(path, day, tagged)
    capsys.readouterr()

    # When the user asks for one unit's history
    code = main(["history", "--file", str(path), "--account", ACCOUNT, "--region", "us-east-1"])

    # Then a table oldest first and a trend line
    out = capsys.readouterr().out
    assert code == 0
    assert out.index("run-0") < out.index("run-1") < out.index("run-2")
    assert "20.00 %" in out
    assert "+30.00" in out
    assert "Trend: ▂▅█ 20.00 % → 90.00 % (↑ 70.00 points over 3 run(s))" in out


def test_maptag_history_json_for_one_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "history.jsonl"
    for day, tagged in enumerate((2, 5, 9)):
        record_run(path, day, tagged)
    capsys.readouterr()

    code = main(["history", "--file", str(path), "--region", "eu-west-1", "--type", "s3:bucket",
                 "--runs", "2", "--format", "json"])  # fmt: skip

    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["scope"] == {"account_id": None, "region": "eu-west-1", "type": "s3:bucket"}
    assert [run["run_id"] for run in data["runs"]] == ["run-1", "run-2"]
    assert [run["coverage_percent"] for run in data["runs"]] == [100.0, 100.0]
    assert data["runs"][0]["totals"]["in_scope"] == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--account", "12345"], "--account: '12345' is not a 12-digit AWS account id"),
        (["--region", "mars-1"], "--region: 'mars-1' is not an AWS region name such as us-east-1"),
        (["--runs", "0"], "--runs: 0 is not between 1 and 1000"),
        (["--runs", "many"], "--runs: 'many' is not a number"),
        (["--format", "xml"], "--format: unknown format 'xml' (known: table, json)"),
        (["--type", "EC2 volume"], "--type: 'EC2 volume' is not a resource type such as ec2:volume"),
        (["--table", "t", "--file", "x"], "not allowed with argument"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    path = tmp_path / "history.jsonl"
    record_run(path, 0, 5)
    args = argv if "--table" in argv else ["--file", str(path), *argv]
    code = main(["history", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--file", str(tmp_path / "nope.jsonl")]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"maptag: error: --file: no history file at {tmp_path / 'nope.jsonl'}"
    )


def test_broken_lines_are_skipped_with_a_warning_never_refusing_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a history file with a good run, then a line that is not JSON, a foreign row and
    # a row of the run scope whose counts are garbage, then a second good run
    path = tmp_path / "history.jsonl"
    record_run(path, 0, 5)
    with path.open("a", encoding="utf-8") as out:
        out.write('not json\n["a list"]\n')
        out.write('{"pk": "history#run", "run_id": "x", "scanned_at": "y", "counts": 5}\n')
    record_run(path, 1, 7)
    capsys.readouterr()

    code = main(["history", "--file", str(path), "--format", "json"])

    # Then both good runs are shown and each broken line is named in a warning
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert [run["run_id"] for run in json.loads(captured.out)["runs"]] == ["run-0", "run-1"]
    warnings = captured.err.splitlines()
    assert all(line.startswith("maptag: warning: ") for line in warnings), warnings
    assert any(f"{path}:" in line and "not JSON" in line for line in warnings)
    assert any("not a maptag history row" in line for line in warnings)
    assert "Traceback" not in captured.err


def test_empty_scope_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "history.jsonl"
    record_run(path, 0, 5)
    capsys.readouterr()
    assert main(["history", "--file", str(path), "--account", "999999999999"]) == 0
    assert "no history for account 999999999999 (all regions)" in capsys.readouterr().err


def test_rows_carry_no_tag_values(tmp_path: Path) -> None:
    # History holds counts only: no ARN, reason or tag value can leak into it
    with built_report([UnitSpec(WEST, many(WEST, Verdict.INVALID_VALUE, 2, "v"))]) as report:
        items = [row.to_item(0) for row in history_rows(report, RunInfo.new("r1"))]
    text = json.dumps(items)
    assert "MIG12345" not in text
    assert "arn:" not in text


def test_a_camel_case_type_name_is_a_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # type names follow the ARN's spelling: autoscaling:autoScalingGroup, backup:recoveryPoint
    path = tmp_path / "history.jsonl"
    record_run(path, 0, 5)
    code = main(
        ["history", "--file", str(path), "--type", "autoscaling:autoScalingGroup", "--format", "json"]
    )
    assert code == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["scope"]["type"] == "autoscaling:autoScalingGroup"
