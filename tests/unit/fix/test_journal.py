"""The fix journal (maptag.fix.apply): what a run leaves, what undo reads back, and the undo's
changes. Files only, no AWS."""

from __future__ import annotations

import json
from pathlib import Path

from maptag.fix.apply import APPLIED, FAILED, SKIPPED, Journal, Outcome, read_journal, undo_changes
from maptag.fix.plan import Change

VOLUME = "arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0"
BUCKET = "arn:aws:s3:::orders"


def change(arn: str, key: str, before: str | None, after: str | None) -> Change:
    return Change(arn, "ec2:volume", "123456789012", "us-east-1", key, before, after, "why")


def test_rows_hold_what_undo_needs_and_only_applied_rows_are_undone(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    assert path.exists()  # created before the first change
    journal.record([Outcome(change(VOLUME, "map-migrated", None, "mig12345"), APPLIED)])
    journal.record([Outcome(change(BUCKET, "map-migrated", "MIG12345", "mig12345"), APPLIED)])
    journal.record([Outcome(change(BUCKET, "Map-Migrated", "mig12345", None), FAILED, "AccessDenied: no")])
    journal.record([Outcome(change(VOLUME, "map-migrated", None, "x"), SKIPPED, "its tags changed")])
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [set(row) >= {"time", "arn", "key", "before", "after", "result"} for row in rows] == [True] * 4
    assert rows[2]["detail"] == "AccessDenied: no"

    applied = read_journal(path, lambda _message: None)

    assert [(c.arn, c.key, c.before, c.after) for c in applied] == [
        (VOLUME, "map-migrated", None, "mig12345"),
        (BUCKET, "map-migrated", "MIG12345", "mig12345"),
    ]
    # undo: last change first; an added key is removed, a changed value put back
    assert [(c.arn, c.before, c.after) for c in undo_changes(applied)] == [
        (BUCKET, "mig12345", "MIG12345"),
        (VOLUME, "mig12345", None),
    ]


def test_a_torn_last_row_is_named_and_the_rest_still_replays(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    Journal(path).record([Outcome(change(VOLUME, "map-migrated", None, "mig12345"), APPLIED)])
    with path.open("a") as killed:
        killed.write('{"time": "2026-12-02T15:00:00Z", "arn": "arn:aws:s3:::half')  # killed mid-write
    warnings: list[str] = []

    applied = read_journal(path, warnings.append)

    assert [c.arn for c in applied] == [VOLUME]
    assert len(warnings) == 1
    assert "journal.jsonl:2" in warnings[0]


def test_a_row_that_is_not_a_journal_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text('{"schema": "maptag/scan-report@1"}\n')
    warnings: list[str] = []
    assert read_journal(path, warnings.append) == []
    assert warnings == [f"{path}:1: skipped a row that is not a maptag journal row"]
