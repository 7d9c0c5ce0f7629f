"""What a user sees in a terminal, through the CLI: every view fits 80 columns, piped output is
not padded, and the conventions (help, --version, -o, --quiet, --no-color/NO_COLOR, --profile,
completion, --mpe-id a,b). AWS is moto (in process); Migration Hub the local hub."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from maptag import __version__
from maptag.cli import main
from maptag.local.migration_hub import HubState, running_hub

pytestmark = pytest.mark.slow

REGION = "us-east-1"
FIX = "add tag map-migrated=mig12345"
COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-9]|38;)")


@pytest.fixture
def estate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Untagged, near-miss and invalid volumes and instances in moto; a history file of our own."""
    monkeypatch.setenv("MAPTAG_HISTORY_FILE", str(tmp_path / "history.jsonl"))
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        image = ec2.register_image(Name="base", RootDeviceName="/dev/sda1")["ImageId"]
        tags = [{}, {"Map-Migrated": "mig12345"}, {"map-migrated": "MIG12345 "}, {"map-migrated": "mig12345"}]
        for index, pairs in enumerate(tags * 3):
            spec = [{"Key": k, "Value": v} for k, v in {**pairs, "Name": f"server-{index}"}.items()]
            ec2.run_instances(
                ImageId=image,
                MinCount=1,
                MaxCount=1,
                TagSpecifications=[{"ResourceType": "instance", "Tags": spec}],
            )
        yield tmp_path


def scan(*extra: str) -> list[str]:
    return ["scan", "--mpe-id", "12345", "--regions", REGION, "--types", "ec2:instance,ec2:volume", *extra]


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def test_the_scan_table_fits_80_columns_with_short_ids_and_whole_fixes(
    estate: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(scan()) == 1
    out = capsys.readouterr().out

    assert max(len(line) for line in lines_of(out)) <= 80
    findings = out[: out.index("Coverage by account and region")]
    assert "arn:aws" not in findings, "short resource ids, not ARNs"
    assert re.search(r"^i-[0-9a-f]+ ", findings, re.MULTILINE)
    assert re.search(r"^vol-[0-9a-f]+ ", findings, re.MULTILINE)
    rows = [line for line in lines_of(findings) if re.match(r"(i|vol)-[0-9a-f]+ ", line)]
    assert len(rows) == 20, "the first 20 of 21 to fix"
    # Every fix whole on its row: the untagged ones end with the tag to add.
    assert sum(line.endswith(FIX) for line in rows) == 14, "3 instances, 11 volumes (the 12th is the 21st)"
    assert not any(line.rstrip().endswith(("add tag", "rename key", "set")) for line in lines_of(findings))
    assert "…" not in out, "nothing is cut"
    assert "Overall: 12.50 % coverage" in out


def test_a_wide_terminal_shows_every_column_and_piped_output_is_not_padded(
    estate: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(scan()) == 1
    wide = capsys.readouterr().out
    header = next(line for line in lines_of(wide) if line.startswith("resource "))
    assert header.split() == ["resource", "type", "account", "region", "verdict", "fix", "reason"]

    monkeypatch.delenv("COLUMNS")
    assert main(scan()) == 1
    piped = capsys.readouterr().out
    assert all(line == line.rstrip() for line in lines_of(piped)), "no trailing padding"
    assert max(len(line) for line in lines_of(piped)) < 200


def test_history_fits_80_columns(
    estate: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        assert main(scan("--format", "json", "-o", str(estate / "r.json"), "--publish", "history")) == 1
    capsys.readouterr()

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["history"]) == 0
    narrow = capsys.readouterr().out
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["history"]) == 0
    wide = capsys.readouterr().out

    assert max(len(line) for line in lines_of(narrow)) <= 80
    for text in (narrow, wide):
        rows = [line for line in lines_of(text) if re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} ", line)]
        assert len(rows) == 3
        assert all("12.50 %" in row for row in rows), "3 of 12 instances tagged right, no volume"
    assert "run" in wide.split()
    assert "run" not in narrow.split(), "the run id is dropped first"


def test_hub_tasks_fit_80_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with running_hub(HubState()) as hub:
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", hub)
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", hub)
        boto3.client("migrationhub-config", region_name=REGION).create_home_region_control(
            HomeRegion=REGION, Target={"Type": "ACCOUNT", "Id": "123456789012"}
        )
        mgh = boto3.client("mgh", region_name=REGION)
        mgh.create_progress_update_stream(ProgressUpdateStreamName="MAP-Tagging")
        detail = "412/430 tagged · 12 missing · 4 near-miss key · 2 invalid value"
        for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
            name = f"map-tagging-123456789012-{region}"
            mgh.import_migration_task(ProgressUpdateStream="MAP-Tagging", MigrationTaskName=name)
            mgh.notify_migration_task_state(
                ProgressUpdateStream="MAP-Tagging",
                MigrationTaskName=name,
                Task={"Status": "IN_PROGRESS", "StatusDetail": detail, "ProgressPercent": 95},
                UpdateDateTime="2026-11-30T09:00:00Z",
                NextUpdateSeconds=90000,
            )
        assert main(["hub", "tasks"]) == 0
    out = capsys.readouterr().out

    assert max(len(line) for line in lines_of(out)) <= 80
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        row = next(line for line in lines_of(out) if f"map-tagging-123456789012-{region}" in line)
        assert re.fullmatch(rf"map-tagging-123456789012-{region} +IN_PROGRESS +95 %( .*)?", row)
    assert "…" not in out


# --- conventions ----------------------------------------------------------------------------


def cli(*argv: str, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess[str]:
    """`maptag ARGV` in a subprocess; an env value None removes that variable."""
    merged = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "maptag.cli", *argv],
        capture_output=True,
        text=True,
        check=False,
        env={name: value for name, value in merged.items() if value is not None},
        timeout=120,
    )


def test_bare_maptag_prints_help_and_version_prints_the_version() -> None:
    bare = cli()
    assert bare.returncode == 0
    assert bare.stdout.startswith("usage: maptag")
    for command in ("scan", "history", "run", "report", "completion"):
        assert re.search(rf"^\s+{command}\s", bare.stdout, re.MULTILINE)
    assert bare.stderr == ""

    version = cli("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"maptag {__version__}")


def test_o_quiet_and_the_overall_line_on_stderr(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = estate / "report.json"
    assert main(scan("-o", str(target), "--format", "json")) == 1
    err = capsys.readouterr().err
    assert json.loads(target.read_text())["totals"]["in_scope"] == 24
    assert err.splitlines()[-1].startswith("Overall: 12.50 % coverage: 3 of 24")

    quiet = scan("--quiet", "-o", str(estate / "quiet.json"), "--format", "json", "--publish", "history")
    assert main(quiet) == 1
    assert capsys.readouterr().err == "", "--quiet: nothing but errors on stderr"
    assert (estate / "history.jsonl").exists(), "the history was still published"
    assert (estate / "quiet.json").exists()


def test_mpe_id_takes_a_comma_separated_list(estate: Path) -> None:
    target = estate / "r.json"
    assert main(scan("--mpe-id", "67890,mig99999", "--format", "json", "-o", str(target))) == 1
    assert json.loads(target.read_text())["policy"]["mpe_ids"] == ["12345", "67890", "mig99999"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12345,,67890", "maptag: error: argument --mpe-id: '12345,,67890' has an empty id"),
        ("12345, 67890", "maptag: error: --mpe-id: ' 67890' has surrounding whitespace"),
    ],
)
def test_a_bad_mpe_id_list_is_one_line_exit_2(
    value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--mpe-id", value, "--regions", REGION]) == 2
    assert capsys.readouterr().err.splitlines() == [message]


def test_colour_follows_force_color_no_color_and_the_flag(
    estate: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich colours even a pipe when asked to
    assert main(scan()) == 1
    assert COLOUR.search(capsys.readouterr().out), "colour is on by default"

    assert main(["--no-color", *scan()]) == 1
    assert not COLOUR.search(capsys.readouterr().out)
    assert main([*scan(), "--no-color"]) == 1
    assert not COLOUR.search(capsys.readouterr().out)

    monkeypatch.setenv("NO_COLOR", "1")
    assert main(scan()) == 1
    assert not COLOUR.search(capsys.readouterr().out)


def test_profile_is_used_and_an_unknown_one_is_one_line_exit_2(tmp_path: Path) -> None:
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[profile audit]\nregion = eu-west-1\n")
    credentials.write_text("[audit]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    env: dict[str, str | None] = {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
    }
    env |= {"AWS_REGION": None, "AWS_DEFAULT_REGION": None}

    unknown = cli("history", "--profile", "nope", env=env)
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines() == [
        "maptag: error: ProfileNotFound: The config profile (nope) could not be found"
    ]

    # The profile's region is the one scanned (a moto server stands in for AWS).
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        argv = ["--profile", "audit", "scan", "--mpe-id", "12345", "--types", "s3:bucket", "--format", "json"]
        known = cli(*argv, env={**env, "AWS_ENDPOINT_URL": f"http://{host}:{port}"})
    finally:
        server.stop()
    assert known.returncode == 0, known.stderr
    assert json.loads(known.stdout)["policy"]["regions"] == ["eu-west-1"]


def completions(script: str, *words: str) -> list[str]:
    """What bash offers after `maptag WORDS…` (the last word is the one being completed)."""
    program = (
        f"{script}\nCOMP_WORDS=(maptag {' '.join(words)}); COMP_CWORD={len(words)}; _maptag; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True, timeout=30)
    return done.stdout.split()


def test_completion_for_bash_and_zsh(tmp_path: Path) -> None:
    bash = cli("completion", "bash")
    assert bash.returncode == 0
    assert completions(bash.stdout, "sc") == ["scan"]
    assert completions(bash.stdout, "scan", "--fo") == ["--format"]
    assert completions(bash.stdout, "hub", "t") == ["tasks"]
    assert completions(bash.stdout, "report", "--la") == ["--latest"]
    (tmp_path / "report.html").write_text("x")
    assert completions(bash.stdout, "scan", "-o", str(tmp_path / "rep")) == [str(tmp_path / "report.html")]

    zsh = cli("completion", "zsh")
    assert zsh.stdout.startswith("#compdef maptag\nautoload -U +X bashcompinit && bashcompinit\n")
    assert zsh.stdout.endswith(bash.stdout)
    assert cli("completion", "fish").returncode == 2


def test_the_html_report_draws_the_trend_from_the_local_history(
    estate: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = estate / "report.html"
    for _ in range(2):
        assert main(scan("--format", "json", "-o", str(estate / "r.json"), "--publish", "history")) == 1
    assert main(scan("--format", "html", "-o", str(page))) == 1
    points = re.search(r"<polyline points='([^']*)'", page.read_text(encoding="utf-8"))
    assert points is not None
    assert len(points.group(1).split()) == 3, "two recorded runs, then this scan"

    # a torn line is skipped (docs/cli.md): what remains is drawn, nothing is said on the page
    (estate / "history.jsonl").write_text("not json\n")
    assert main(scan("--format", "html", "-o", str(page))) == 1
    html = page.read_text(encoding="utf-8")
    assert "could not be read" not in html
    assert "<polyline" not in html
    # a history that cannot be read at all is named on the page
    (estate / "history.jsonl").unlink()
    (estate / "history.jsonl").mkdir()
    assert main(scan("--format", "html", "-o", str(page))) == 1
    html = page.read_text(encoding="utf-8")
    assert "The coverage history could not be read:" in html
    assert "<polyline" not in html
