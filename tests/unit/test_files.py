"""maptag.files: files maptag writes are never torn and never replace what is not a regular file.

Faults are injected at the OS boundary: ``os.write`` answers ENOSPC (disk full) for files in
one directory once a byte budget is spent, as a full file system would; maptag's code runs
unchanged.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from maptag.files import OutputFile, append_lines, output_file, read_json_lines
from maptag.migration_hub.outbox import FileOutbox
from maptag.migration_hub.publisher import OutboxError, TaskUpdate
from maptag.model import ScanUnit, Verdict
from maptag.sinks.history import FileHistory, HistoryError, Scope, record_history
from maptag.sinks.outcome import RunInfo
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, many

UNIT = ScanUnit(ACCOUNT, "us-east-1")


@contextmanager
def disk_full(directory: Path, budget: int = 0) -> Iterator[None]:
    """Writes to files under ``directory`` fail with ENOSPC once ``budget`` bytes are written."""
    real_write = os.write
    left = [budget]

    def write(fd: int, data: bytes | memoryview) -> int:
        try:
            where = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            where = ""
        if not where.startswith(str(directory)):
            return real_write(fd, data)
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        allowed = bytes(data[: left[0]])
        left[0] -= len(allowed)
        return real_write(fd, allowed)  # a short write, as a nearly full disk gives

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "write", write)
        yield


# --- appends: all rows or none, and a torn row never spoils later ones --------------------


def test_an_append_that_fails_part_way_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    append_lines(path, ['{"n": 1}'])
    before = path.read_bytes()

    with disk_full(tmp_path, budget=10), pytest.raises(OSError, match="No space left"):
        append_lines(path, [json.dumps({"n": n, "pad": "x" * 50}) for n in range(2, 100)])

    assert path.read_bytes() == before


def test_a_torn_row_left_by_a_killed_run_is_closed_off_and_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    append_lines(path, ['{"n": 1}'])
    with path.open("a") as out:
        out.write('{"n": 2, "pa')  # what a process killed mid-write leaves

    append_lines(path, ['{"n": 3}'])

    warnings: list[str] = []
    assert [value for _, value in read_json_lines(path, warnings.append)] == [{"n": 1}, {"n": 3}]
    assert warnings == [f"{path}:2: skipped a line that is not JSON (an interrupted write?)"]


def record(path: Path, run_id: str, compliant: int) -> bool:
    run = RunInfo(run_id, datetime.now(UTC))
    with built_report([UnitSpec(UNIT, many(UNIT, Verdict.COMPLIANT, compliant, run_id))]) as report:
        return record_history(report, run, FileHistory(path)).ok


def test_history_on_a_full_disk_fails_cleanly_and_later_runs_read_every_row(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    assert record(path, "run-1", 1)

    # When the disk fills up in the middle of the next run's rows
    with disk_full(tmp_path, budget=100):
        assert not record(path, "run-2", 2)
        with pytest.raises(HistoryError, match="No space left on device"):
            FileHistory(path).write([{"pk": "x"}] * 500)

    # Then a later run appends normally and every complete run is read, without warnings
    assert record(path, "run-3", 3)
    warnings: list[str] = []
    rows = FileHistory(path, warn=warnings.append).trend(Scope(), 10)
    assert [row.run_id for row in rows] == ["run-3", "run-1"]
    assert warnings == []


# --- OutputFile: a complete file, and never a replaced device, FIFO or symlink ------------


def test_a_new_file_honours_the_umask_and_an_existing_one_keeps_its_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        with output_file(tmp_path / "new.json") as out:
            out.write("{}")
        existing = tmp_path / "existing.json"
        existing.write_text("old")
        existing.chmod(0o604)
        with output_file(existing) as out:
            out.write("new")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
    assert (stat.S_IMODE(existing.stat().st_mode), existing.read_text()) == (0o604, "new")


def test_a_symlink_is_written_through_and_stays_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "latest.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)

    with output_file(link) as out:
        out.write("new")

    assert link.is_symlink()
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["latest.json"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")

    with output_file(link) as out:
        out.write("made")

    assert link.is_symlink()
    assert (tmp_path / "made.json").read_text() == "made"


def test_a_character_device_is_written_not_replaced() -> None:
    before = os.stat("/dev/null")
    with output_file("/dev/null") as out:
        out.write("report")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_fifo_is_written_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()

    with output_file(fifo) as out:
        out.write("through the pipe")
    reader.join(timeout=10)

    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_dash_is_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    target = OutputFile("-")
    target.stream.write("to stdout")
    target.commit()
    assert capsys.readouterr().out == "to stdout"
    assert not Path("-").exists()


def test_a_failed_write_keeps_the_old_file_and_leaves_no_part_file(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("the previous report")

    with (
        disk_full(tmp_path, budget=1000),
        pytest.raises(OSError, match="No space left"),
        output_file(path) as out,
    ):
        out.write("x" * 200_000)

    assert path.read_text() == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


# --- the Migration Hub outbox -------------------------------------------------------------


def _update(task: str) -> TaskUpdate:
    return TaskUpdate.from_dict(
        {
            "stream": "MAP-Tagging",
            "task": task,
            "updated_at": "2026-11-23T10:00:00+00:00",
            "status": "IN_PROGRESS",
            "progress_percent": 50,
            "detail": "1/2 tagged",
            "next_update_seconds": 90000,
        }
    )


def test_the_outbox_is_written_through_a_symlink_and_survives_a_full_disk(tmp_path: Path) -> None:
    real = tmp_path / "state" / "outbox.json"
    real.parent.mkdir()
    link = tmp_path / "outbox.json"
    link.symlink_to(real)
    outbox = FileOutbox(link)
    outbox.keep([_update("map-tagging-1")])
    assert link.is_symlink()
    assert [u.task for u in FileOutbox(real).pending()] == ["map-tagging-1"]

    with disk_full(tmp_path / "state"), pytest.raises(OutboxError, match="No space left"):
        outbox.keep([_update("map-tagging-2")])

    assert [u.task for u in outbox.pending()] == ["map-tagging-1"]  # the old content, whole
    assert sorted(p.name for p in real.parent.iterdir()) == ["outbox.json"]  # no temporary left
