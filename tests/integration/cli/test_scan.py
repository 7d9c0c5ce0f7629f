"""`maptag scan` end to end against moto: exit codes 0/1/2/3, the config file, several
accounts, progress on a terminal only, and the installed `.venv/bin/maptag` as a subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from jsonschema import Draft202012Validator

from maptag.cli import main
from maptag.report.model import SCHEMA_FILE
from tests.support.cli_estate import (
    ACCOUNT,
    OTHER_ACCOUNT,
    SCAN,
    Estate,
    aws_env,
    enforce_iam,
    moto_server,
    seed,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
VALIDATOR = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
# Buckets only, to keep each scan quick: 1 compliant, 1 invalid, 1 missing, 1 excluded (33.33 %).
BUCKETS = [*SCAN, "--types", "s3:bucket"]


@dataclass
class Server:
    endpoint: str
    estate: Estate


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with moto_server() as endpoint, pytest.MonkeyPatch.context() as env:
        for name, value in aws_env(endpoint).items():
            env.setenv(name, value)
        yield Server(endpoint, seed())


@pytest.fixture(autouse=True)
def _point_at_moto(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in aws_env(server.endpoint).items():
        monkeypatch.setenv(name, value)


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads(self.out)
        assert list(VALIDATOR.iter_errors(report)) == []
        return report


def scan(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Run(code, out.getvalue(), err.getvalue())


# --- exit codes ---------------------------------------------------------------------------


def test_exit_0_when_every_in_scope_resource_is_compliant() -> None:
    run = scan(*SCAN, "--types", "dynamodb:table", "--format", "json")

    assert run.code == 0, run.err
    totals = run.json()["totals"]
    assert (totals["in_scope"], totals["compliant"], totals["coverage_percent"]) == (1, 1, 100.0)


def test_exit_1_on_findings() -> None:
    run = scan(*BUCKETS, "--format", "json")

    assert run.code == 1, run.err
    assert run.json()["totals"]["coverage_percent"] == 33.33


@pytest.mark.parametrize(
    ("fail_under", "code"),
    [("33.33", 0), ("33.34", 1), ("0", 0), ("100", 1)],
    ids=["just reached (33.333 %)", "just missed", "zero", "all"],
)
def test_fail_under(fail_under: str, code: int) -> None:
    run = scan(*BUCKETS, "--format", "json", "--fail-under", fail_under)

    assert run.code == code, run.err
    assert run.json()["totals"]["coverage_percent"] == 33.33


@pytest.mark.parametrize(
    "flags",
    [
        ["--types", "rds:db"],  # no resource of the type at all
        # (an agreement start in the future is refused: docs/cli.md, "Input checks")
        ["--types", "s3:bucket,ec2:instance", "--exclude", "arn:*"],  # all excluded by a rule
    ],
    ids=["nothing found", "everything excluded"],
)
def test_exit_0_when_nothing_is_in_scope(flags: list[str]) -> None:
    run = scan(*SCAN, *flags, "--format", "json")

    assert run.code == 0, run.err
    report = run.json()
    assert report["totals"]["in_scope"] == 0
    assert report["totals"]["coverage_percent"] is None
    assert all(r["verdict"] == "excluded" for r in report["resources"])
    assert all(u["totals"]["coverage_percent"] is None for u in report["units"])


def test_exit_3_when_a_unit_fails_and_partial_results_are_still_written(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a scanner whose role may not list volumes nor read bucket tags, batched or one by
    # one (moto enforces IAM; it names the Tagging API's actions "tagging:", IAM "tag:")
    iam = boto3.client("iam")
    iam.create_user(UserName="scanner")
    iam.put_user_policy(
        UserName="scanner",
        PolicyName="read-most",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {
                        "Effect": "Deny",
                        "Action": [
                            "ec2:DescribeVolumes",
                            "s3:GetBucketTagging",
                            "tag:GetResources",
                            "tagging:GetResources",
                        ],
                        "Resource": "*",
                    },
                ],
            }
        ),
    )
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    report_file = tmp_path / "partial.json"

    # When it scans
    enforce_iam(server.endpoint, on=True)
    try:
        run = scan(
            *SCAN,
            "--types",
            "ec2:instance,ec2:volume,s3:bucket",
            "--format",
            "json",
            "--output",
            str(report_file),
        )
    finally:
        enforce_iam(server.endpoint, on=False)

    # Then the run exits 3, says which units failed and why, and still writes what it found
    assert run.code == 3, run.err
    failures = [line for line in run.err.splitlines() if "failed" in line and not line.startswith("Overall:")]
    assert len(failures) == 2
    assert all("ec2:volume" in line and "DescribeVolumes" in line for line in failures)
    report = json.loads(report_file.read_text())
    assert list(VALIDATOR.iter_errors(report)) == []
    assert {u["status"] for u in report["units"]} == {"failed"}
    assert all("DescribeVolumes" in u["error"] for u in report["units"])
    verdicts = {r["arn"]: r["verdict"] for r in report["resources"]}
    instances = {arn: v for arn, v in server.estate.expected.items() if ":instance/" in arn}
    assert {arn: verdicts[arn] for arn in instances} == instances
    buckets = {arn: v for arn, v in verdicts.items() if arn.startswith("arn:aws:s3:::") and "cdk-" not in arn}
    assert set(buckets.values()) == {"unreadable"}, "a tag read that was denied is never 'missing'"
    assert report["totals"]["unreadable"] == 3


def test_exit_2_when_another_account_needs_a_role() -> None:
    run = scan(*BUCKETS, "--accounts", f"{ACCOUNT},{OTHER_ACCOUNT}")

    assert run.code == 2
    assert run.out == ""
    assert len(run.err.splitlines()) == 1
    assert "--role-name" in run.err
    assert OTHER_ACCOUNT in run.err


def test_several_accounts_through_an_assumed_role() -> None:
    run = scan(
        *BUCKETS,
        "--accounts",
        f"{ACCOUNT},{OTHER_ACCOUNT}",
        "--role-name",
        "MapTagReader",
        "--format",
        "json",
    )

    assert run.code == 1, run.err
    units = {(u["account_id"], u["region"]): u for u in run.json()["units"]}
    assert set(units) == {(a, r) for a in (ACCOUNT, OTHER_ACCOUNT) for r in ("us-east-1", "eu-west-1")}
    other = [units[(OTHER_ACCOUNT, r)]["totals"] for r in ("us-east-1", "eu-west-1")]
    assert [t["in_scope"] for t in other] == [0, 0]
    assert [t["coverage_percent"] for t in other] == [None, None], "an empty unit is null, not 100"
    assert units[(ACCOUNT, "us-east-1")]["totals"]["compliant"] == 1


# --- config file --------------------------------------------------------------------------


def test_config_file_holds_the_settings_and_flags_win(tmp_path: Path) -> None:
    json_report, csv_report = tmp_path / "from-config.json", tmp_path / "from-flags.csv"
    config = tmp_path / "maptag.toml"
    config.write_text(
        "\n".join(
            [
                'mpe-id = ["12345"]',
                'regions = ["us-east-1", "eu-west-1"]',
                'types = ["s3:bucket"]',
                'exclude = ["arn:aws:s3:::cdk-*"]',
                'format = "json"',
                f'output = "{json_report}"',
                "fail-under = 30",
            ]
        )
    )

    from_config = scan("scan", "--config", str(config))
    from_flags = scan(
        "scan", "--config", str(config), "--format", "csv", "--output", str(csv_report), "--fail-under", "90"
    )

    assert from_config.code == 0, from_config.err  # 33.33 % >= 30 from the file
    report = json.loads(json_report.read_text())
    assert report["totals"]["excluded"] == 1
    assert report["policy"]["types"] == ["s3:bucket"]
    assert from_flags.code == 1, from_flags.err  # 33.33 % < 90 from the flag
    assert csv_report.read_text().startswith("account_id,region,type,arn,verdict,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["from-config.json", "from-flags.csv", "maptag.toml"]


# --- progress -----------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("flags", "stdout_is_terminal", "progress"),
    [
        (["--output", "{tmp}/table.txt"], False, True),  # table to a file, stderr on a terminal
        ([], True, True),  # table on the terminal
        ([], False, False),  # table piped: no progress into a pipeline
        (["--format", "json", "--output", "{tmp}/r.json"], True, False),
        (["--format", "csv"], True, False),
    ],
    ids=["table to file", "table to terminal", "table piped", "json", "csv"],
)
def test_progress_only_for_the_table_on_a_terminal(
    flags: list[str],
    stdout_is_terminal: bool,
    progress: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stderr, stdout = Terminal(), Terminal() if stdout_is_terminal else io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    monkeypatch.setattr("sys.stdout", stdout)

    code = main([*BUCKETS, *(flag.format(tmp=tmp_path) for flag in flags)])

    assert code == 1
    shown = stderr.getvalue()
    units = [f"{ACCOUNT}/us-east-1", f"{ACCOUNT}/eu-west-1"]
    if progress:
        assert all(unit in shown for unit in units), shown
        assert "done" in shown
    else:
        assert not any(unit in shown for unit in units), shown
        assert "\x1b[" not in shown


# --- the installed command ----------------------------------------------------------------


def test_the_installed_maptag_command(server: Server) -> None:
    maptag = REPO / ".venv" / "bin" / "maptag"
    assert maptag.exists(), "make dev installs .venv/bin/maptag"
    env = {**os.environ, **aws_env(server.endpoint)}

    result = subprocess.run(
        [str(maptag), *SCAN, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert list(VALIDATOR.iter_errors(report)) == []
    verdicts = {r["arn"]: r["verdict"] for r in report["resources"] if r["verdict"] != "excluded"}
    assert verdicts == server.estate.expected
