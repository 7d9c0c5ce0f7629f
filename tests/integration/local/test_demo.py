"""`maptag demo` as a user runs it: the CLI in a subprocess, its output and its files (issue 3).

One demo process serves the whole module (it is the slow part): `maptag demo --resources
120 --keep-running`, read until it prints its exports; the tests look at what it printed and
wrote, use the estate it keeps running, and finally stop it with Ctrl-C.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from maptag.cli import main
from maptag.local.estate import minimum_resources
from maptag.report.model import SCHEMA_FILE
from maptag.views import short_id

# One process for the module: its tests run in order on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]
BIN = Path(sys.executable).parent
MAPTAG = str(BIN / "maptag")
SIZE = 150
VALIDATOR = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
READY = "--format csv"  # the last line before the demo waits for Ctrl-C ends with this


@dataclass
class Demo:
    process: subprocess.Popen[str]
    stdout: str
    cwd: Path

    @property
    def out(self) -> Path:
        return self.cwd / "maptag-demo"

    @property
    def exports(self) -> dict[str, str]:
        lines = [line.strip() for line in self.stdout.splitlines() if line.strip().startswith("export ")]
        return dict(line.removeprefix("export ").split("=", 1) for line in lines)

    def shell(self) -> dict[str, str]:
        """A fresh shell of the user's, after pasting the printed exports."""
        return {
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(self.cwd),
            **self.exports,
        }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    cwd = tmp_path_factory.mktemp("demo")
    # The user's own environment goes in as it is: the demo must isolate itself from it.
    process = subprocess.Popen(
        [MAPTAG, "demo", "--resources", str(SIZE), "--keep-running"],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.rstrip().endswith(READY):
                break
        yield Demo(process, "".join(lines), cwd)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def counts(totals: dict[str, Any]) -> dict[str, Any]:
    """The verdict counts of a report's totals, without the spend the demo's costs add."""
    return {k: v for k, v in totals.items() if k not in ("untagged_daily_spend", "credits_at_risk_monthly")}


def test_demo_seeds_scans_and_says_every_verdict_matched(demo: Demo) -> None:
    text = demo.stdout
    if demo.process.poll() is not None:
        assert demo.process.stderr is not None
        pytest.fail(
            f"the demo ended early ({demo.process.returncode}):\n{text}\n{demo.process.stderr.read()}"
        )
    # Then the user sees the embedded AWS, the estate, the scan command and the coverage tables
    assert re.search(r"embedded AWS \(moto [\d.]+ server\) on http://127\.0\.0\.1:\d+", text)
    assert re.search(r"local Migration Hub on http://127\.0\.0\.1:\d+ \(home region us-east-1\)", text)
    found = re.search(r"Seeded ([\d,]+) resources", text)
    assert found is not None
    seeded = int(found[1].replace(",", ""))
    assert seeded >= SIZE
    assert "maptag scan --mpe-id 12345 --regions us-east-1,eu-west-1 --accounts" in text
    assert "Coverage by account and region" in text
    assert "Coverage by resource type" in text
    assert f"Check: all {seeded:,} seeded resources got the verdict they were seeded for." in text
    # And where the reports went, and how long it took
    assert "maptag-demo/report.html" in text
    assert "maptag-demo/report.json" in text
    # And the tasks the Migration Hub console would list: one per account × region, in progress
    assert "Migration Hub · stream MAP-Tagging · home region us-east-1" in text
    for account in ("123456789012", "210987654321"):
        for region in ("us-east-1", "eu-west-1"):
            row = rf"map-tagging-{account}-{region}\W+IN_PROGRESS\W+\d+ %"
            assert re.search(row, text), (account, region)
    timing = re.search(r"Time: seeding ([\d.]+) s \+ scan ([\d.]+) s = ([\d.]+) s \(budget 60 s", text)
    assert timing is not None
    assert float(timing[3]) == pytest.approx(float(timing[1]) + float(timing[2]), abs=0.11)


def test_demo_reports_are_complete_and_agree_with_the_estate(demo: Demo) -> None:
    report: dict[str, Any] = json.loads((demo.out / "report.json").read_text(encoding="utf-8"))
    estate: dict[str, Any] = json.loads((demo.out / "estate.json").read_text(encoding="utf-8"))
    assert report["schema"] == "maptag/scan-report@1"
    errors = [error.message for error in VALIDATOR.iter_errors(report)]
    assert errors == []
    assert counts(report["totals"]) == estate["totals"]
    verdicts = {row["arn"]: row["verdict"] for row in report["resources"]}
    assert verdicts == {row["arn"]: row["verdict"] for row in estate["resources"]}
    assert report["policy"]["agreement_start"] == estate["agreement_start"]
    # The HTML report is one self-contained file: nothing fetched from elsewhere
    html = (demo.out / "report.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
    assert "<link" not in html.lower()
    # And it lists every resource to fix, by ARN
    to_fix = [row["arn"] for row in report["resources"] if row["verdict"] not in ("compliant", "excluded")]
    assert to_fix
    assert [arn for arn in to_fix if arn not in html] == []


def test_demo_shows_spend_days_and_what_to_fix_first(demo: Demo) -> None:
    report: dict[str, Any] = json.loads((demo.out / "report.json").read_text(encoding="utf-8"))
    to_fix = [row for row in report["resources"] if row["verdict"] not in ("compliant", "excluded")]
    # The seeded CUR 2.0 export prices every resource; the seeded history dates the open ones
    assert all(row["cost"]["source"] == "cur" and row["cost"]["days"] == 14 for row in to_fix)
    assert all(1 <= row["noncompliant_days"] <= 60 for row in to_fix if row["verdict"] != "unreadable")
    spend = round(sum(row["cost"]["daily"] for row in to_fix), 2)
    assert report["totals"]["untagged_daily_spend"] == pytest.approx(spend, abs=0.01)
    assert report["totals"]["credits_at_risk_monthly"] == pytest.approx(spend * 365 / 12 * 0.25, abs=0.05)
    assert {row["service"] for row in report["unscanned_spend"]} == {"AmazonVPC", "AmazonCloudWatch"}
    # And the table says so and lists the dearest resource first
    headline = re.search(
        r"Untagged spend: \$([\d,.]+) a day, \$[\d,.]+ of MAP credits a month at risk \(25 %\)", demo.stdout
    )
    assert headline is not None
    assert float(headline[1].replace(",", "")) == report["totals"]["untagged_daily_spend"]
    dearest = max(to_fix, key=lambda row: (row["cost"]["daily"], row["noncompliant_days"]))
    # the table's first row (resources by their short id, docs/cli.md) is the dearest one
    section = demo.stdout[demo.stdout.index("Resources to fix") :].splitlines()
    rule = next(number for number, line in enumerate(section) if line.startswith("─"))
    assert section[rule + 1].split()[0] == short_id(dearest["arn"])


def test_demo_records_coverage_history_that_maptag_history_reads(demo: Demo) -> None:
    report: dict[str, Any] = json.loads((demo.out / "report.json").read_text(encoding="utf-8"))
    # The demo printed the trend from its own history file (never the user's ~/.maptag one)
    history = demo.out / "history.jsonl"
    assert f"maptag history --file {history}" in demo.stdout
    assert not (demo.cwd / ".maptag" / "history.jsonl").exists()
    # And `maptag history` reads the same run back, with the report's overall coverage
    result = subprocess.run(
        [MAPTAG, "history", "--file", str(history), "--format", "json"],
        env=demo.shell(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert len(runs) == 1
    assert runs[0]["totals"] == counts(report["totals"])


def test_the_running_estate_answers_maptag_scan_and_the_aws_cli(demo: Demo) -> None:
    env = demo.shell()
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    estate = json.loads((demo.out / "estate.json").read_text(encoding="utf-8"))
    # When the user runs the printed `maptag scan` (as JSON), it sees the seeded estate
    printed = next(line.strip() for line in demo.stdout.splitlines() if line.rstrip().endswith(READY))
    # (as a shell would: the printed line names the embedded AWS's types by a variable it exported)
    words = [w.replace("$MAPTAG_DEMO_TYPES", env["MAPTAG_DEMO_TYPES"]) for w in shlex.split(printed)]
    argv = [MAPTAG, *words[1:-2], "--format", "json"]
    scanned = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert scanned.returncode == 1, scanned.stderr
    assert json.loads(scanned.stdout)["totals"] == estate["totals"]
    # And the AWS CLI reaches the same moto server (as the caller account, in us-east-1)
    volumes = run_aws(env, "ec2", "describe-volumes", "--query", "length(Volumes)")
    mine = [
        r for r in estate["resources"] if r["type"] == "ec2:volume" and ":us-east-1:123456789012:" in r["arn"]
    ]
    assert int(volumes) == len(mine)
    # And the local Migration Hub holds one task per account × region from the demo's publish
    summaries = json.loads(run_aws(env, "mgh", "list-migration-tasks"))["MigrationTaskSummaryList"]
    names = sorted(t["MigrationTaskName"] for t in summaries if t["ProgressUpdateStream"] == "MAP-Tagging")
    units = [f"map-tagging-{a}-{r}" for a in estate["accounts"] for r in estate["regions"]]
    assert names == sorted(units)


def test_ctrl_c_stops_the_demo_cleanly(demo: Demo) -> None:
    # (runs last: it ends the module's demo process)
    demo.process.send_signal(signal.SIGINT)
    rest, errors = demo.process.communicate(timeout=60)
    assert demo.process.returncode == 0, errors
    assert "Stopped the embedded AWS." in rest
    # The publish went through: nothing waits in the demo's own outbox
    assert "published to Migration Hub (home region us-east-1, stream MAP-Tagging): 4 tasks" in errors
    assert not (demo.out / "migration-hub-outbox.json").exists()


def run_aws(env: dict[str, str], *argv: str) -> str:
    result = subprocess.run(
        [str(BIN / "aws"), *argv], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--resources", "5"], "--resources: 5 is outside"),
        (["--resources", "lots"], "'lots' is not a whole number"),
        (["--resources", "1000000"], "--resources: 1000000 is outside"),
    ],
)
def test_bad_flags_are_one_line_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_output_dir_that_is_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a directory")
    assert main(["demo", "--resources", str(minimum_resources()), "--output-dir", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert "--output-dir" in err
    assert "is not a directory" in err


def test_demo_fix_plans_applies_and_rescans(tmp_path: Path) -> None:
    """`maptag demo --fix`: the plan, --apply, a rescan: coverage rises, every change journalled."""
    done = subprocess.run(
        [MAPTAG, "demo", "--resources", str(minimum_resources()), "--fix"],
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # the demo's exit code also carries its own estate check; the fix's outcome is its own lines
    assert done.returncode in (0, 1), done.stderr
    applied = re.search(r"maptag: ([0-9]+) of ([0-9]+) changes applied", done.stderr)
    assert applied is not None, done.stderr
    assert applied.group(1) == applied.group(2)
    match = re.search(r"Coverage before the fix ([0-9.]+) %, after ([0-9.]+) %", done.stdout)
    assert match is not None, done.stdout[-2000:]
    before, after = float(match.group(1)), float(match.group(2))
    assert after > before
    planned = re.search(r"fix plan: ([0-9]+) change\(s\)", done.stdout)
    assert planned is not None
    rows = [
        json.loads(line) for line in (tmp_path / "maptag-demo" / "fix-journal.jsonl").read_text().splitlines()
    ]
    assert len(rows) == int(planned.group(1)) > 0
    assert {row["result"] for row in rows} == {"applied"}
    assert {row["key"] for row in rows} == {"map-migrated"}
