"""`maptag scan` in-process under moto: input that is refused or warned about, the hints after a
scan, and the files it writes (--output onto links, FIFOs and stdout; history on a full disk).

Disk faults are injected at the OS boundary (``os.write`` answers ENOSPC for one directory),
never by patching maptag's code.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from maptag.cli import main
from tests.support.moto_seed import seed_bucket

REGION = "us-east-1"
BUCKETS = ["scan", "--mpe-id", "12345", "--regions", REGION, "--types", "s3:bucket"]


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()

    def assert_clean_stderr(self) -> None:
        assert "Traceback" not in self.err
        assert all(line.startswith("maptag: ") for line in self.lines), self.err


def scan(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name=REGION)


# --- input --------------------------------------------------------------------------------


def test_an_unknown_region_is_named_on_one_line_before_any_aws_call() -> None:
    run = scan("scan", "--mpe-id", "12345", "--regions", "us-east-1,eu-west-9")  # no AWS stand-in at all

    assert run.code == 2
    (line,) = run.lines
    assert line.startswith(
        "maptag: error: --regions: 'eu-west-9' is not an AWS region botocore knows "
        "(a region newer than this boto3 needs an upgrade); did you mean eu-west-"
    )


def test_an_agreement_start_in_the_future_is_refused() -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()

    run = scan(*BUCKETS, "--agreement-start", tomorrow)

    assert run.code == 2
    (line,) = run.lines
    assert line.startswith(f"maptag: error: --agreement-start: {tomorrow} is in the future")


def test_an_expired_sso_session_gets_the_login_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a profile whose cached SSO token (botocore's cache under ~/.aws/sso/cache) expired
    start_url = "https://example.awsapps.com/start"
    config = tmp_path / "config"
    config.write_text(
        f"[profile customer-sso]\nsso_start_url = {start_url}\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-east-1\n"
    )
    cache = tmp_path / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    token = {
        "startUrl": start_url,
        "region": "us-east-1",
        "accessToken": "x",
        "expiresAt": "2020-01-01T00:00:00Z",
    }
    (cache / f"{hashlib.sha1(start_url.encode()).hexdigest()}.json").write_text(json.dumps(token))  # noqa: S324
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "customer-sso")

    run = scan(*BUCKETS)

    assert run.code == 2
    (line,) = run.lines
    assert line.startswith("maptag: error: ")
    assert "run `aws sso login --profile customer-sso`" in line


# --- hints after a scan -------------------------------------------------------------------


def test_a_wrong_mpe_id_is_pointed_out(session: boto3.Session) -> None:
    # Given buckets that mostly carry another engagement's well-formed value
    for index in range(3):
        seed_bucket(session, REGION, f"theirs-{index}", {"map-migrated": "mig54321"})
    seed_bucket(session, REGION, "untagged", {})

    run = scan(*BUCKETS)

    assert run.code == 1
    run.assert_clean_stderr()
    assert (
        "maptag: warning: most resources carry 'mig54321' (3 of 4 in scope) and none carries a value "
        "for --mpe-id 12345: is --mpe-id right?"
    ) in run.lines


def test_no_mpe_hint_when_a_resource_carries_a_right_value(session: boto3.Session) -> None:
    for index in range(3):
        seed_bucket(session, REGION, f"theirs-{index}", {"map-migrated": "mig54321"})
    seed_bucket(session, REGION, "ours", {"map-migrated": "mig12345"})

    run = scan(*BUCKETS)

    assert run.code == 1
    assert "is --mpe-id right?" not in run.err


def test_an_exclusion_that_matched_nothing_is_named(session: boto3.Session) -> None:
    seed_bucket(session, REGION, "cdk-assets-1", {})
    seed_bucket(session, REGION, "workload", {"map-migrated": "mig12345"})

    run = scan(*BUCKETS, "--exclude", "arn:aws:s3:::cdk-*", "--exclude", "tag:Environment=Dev")

    assert run.code == 0
    run.assert_clean_stderr()
    warnings = [line for line in run.lines if line.startswith("maptag: warning:")]
    assert warnings == [
        "maptag: warning: --exclude 'tag:Environment=Dev' matched no resource "
        "(tag keys, values and ARN globs are case-sensitive)"
    ]


# --- files --------------------------------------------------------------------------------


def test_output_through_a_symlink_writes_its_target(session: boto3.Session, tmp_path: Path) -> None:
    seed_bucket(session, REGION, "workload", {"map-migrated": "mig12345"})
    target = tmp_path / "reports" / "latest.json"
    target.parent.mkdir()
    link = tmp_path / "report.json"
    link.symlink_to(target)

    run = scan(*BUCKETS, "--format", "json", "--output", str(link))

    assert run.code == 0, run.err
    assert link.is_symlink()
    assert json.loads(target.read_text())["totals"]["compliant"] == 1
    assert sorted(p.name for p in target.parent.iterdir()) == ["latest.json"]


def test_output_into_a_fifo_keeps_the_fifo(session: boto3.Session, tmp_path: Path) -> None:
    seed_bucket(session, REGION, "workload", {"map-migrated": "mig12345"})
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()

    run = scan(*BUCKETS, "--format", "json", "--output", str(fifo))
    reader.join(timeout=30)

    assert run.code == 0, run.err
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["totals"]["compliant"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pipe"]


def test_output_dash_is_stdout(
    session: boto3.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_bucket(session, REGION, "workload", {"map-migrated": "mig12345"})
    monkeypatch.chdir(tmp_path)

    run = scan(*BUCKETS, "--format", "json", "--output", "-")

    assert run.code == 0, run.err
    assert json.loads(run.out)["totals"]["compliant"] == 1
    assert list(tmp_path.iterdir()) == []
    assert "wrote" not in run.err


@contextlib.contextmanager
def disk_full(directory: Path) -> Iterator[None]:
    """Every write to a file under ``directory`` fails with ENOSPC (at the OS boundary)."""
    real_write = os.write

    def write(fd: int, data: bytes | memoryview) -> int:
        try:
            where = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            where = ""
        if where.startswith(str(directory)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "write", write)
        yield


def test_history_on_a_full_disk_is_one_error_line_and_the_file_stays_readable(
    session: boto3.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_bucket(session, REGION, "workload", {"map-migrated": "mig12345"})
    history = tmp_path / "state" / "history.jsonl"
    monkeypatch.setenv("MAPTAG_HISTORY_FILE", str(history))
    assert scan(*BUCKETS, "--publish", "history").code == 0
    before = history.read_bytes()

    with disk_full(history.parent):
        run = scan(*BUCKETS, "--publish", "history")

    assert run.code == 2
    run.assert_clean_stderr()
    (error,) = [line for line in run.lines if line.startswith("maptag: error:")]
    assert error.startswith("maptag: error: history: ")
    assert error.endswith(f"cannot write history file {history}: No space left on device")
    assert history.read_bytes() == before
    shown = scan("history", "--format", "json")
    assert shown.code == 0, shown.err
    assert len(json.loads(shown.out)["runs"]) == 1
