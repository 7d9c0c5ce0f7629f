"""SinkOutcome/RunInfo: a sink's failure becomes a reported outcome, never an exception."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded


def test_client_error_becomes_a_failed_outcome_naming_it() -> None:
    def deliver() -> SinkOutcome:
        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "no\nsecond line"}}, "Publish"
        )

    outcome = guarded("sns", deliver)
    assert outcome == SinkOutcome("sns", False, "AccessDeniedException on Publish: no")


def test_any_other_error_is_reported_too() -> None:
    def unreachable() -> SinkOutcome:
        raise EndpointConnectionError(endpoint_url="https://sns.example")

    def broken() -> SinkOutcome:
        raise KeyError("links")

    assert guarded("sns", unreachable).detail.startswith("EndpointConnectionError: Could not connect")
    assert guarded("s3-report", broken) == SinkOutcome("s3-report", False, "KeyError: 'links'")


def test_success_passes_through() -> None:
    done = SinkOutcome("events", True, "1 event(s) sent", {"html": "https://x"})
    assert guarded("events", lambda: done) is done
    assert done.to_dict() == {
        "name": "events",
        "ok": True,
        "detail": "1 event(s) sent",
        "links": {"html": "https://x"},
    }


def test_run_info_validates_and_defaults() -> None:
    run = RunInfo.new(scanned_at=datetime.fromisoformat("2026-11-23T10:00:00.123456+01:00"))
    assert re.fullmatch(r"20261123T090000\.123Z-[0-9a-f]{6}", run.run_id)
    assert RunInfo.new(scanned_at=run.scanned_at).run_id != run.run_id  # same instant, two runs
    later = RunInfo.new(scanned_at=run.scanned_at.replace(microsecond=124000))
    assert sorted([later.run_id, run.run_id]) == [run.run_id, later.run_id]  # same second, in order
    assert run.timestamp == "2026-11-23T09:00:00Z"
    assert run.with_report_url("https://r").report_url == "https://r"
    with pytest.raises(ValueError, match="run id 'a/b' must be"):
        RunInfo("a/b", run.scanned_at)
    with pytest.raises(ValueError, match="timezone-aware"):
        RunInfo("r1", datetime(2026, 1, 1))


def test_an_outcome_survives_its_completion_marker_and_says_how_it_went() -> None:
    skipped = SinkOutcome("migration-hub", True, "skipped: no Migration Hub home region", skipped=True)
    stored = SinkOutcome("s3-report", True, "stored", {"html": "https://x"})
    failed = SinkOutcome("sns", False, "AccessDenied on Publish: no")
    for outcome in (skipped, stored, failed):
        assert SinkOutcome.from_dict(outcome.to_dict()) == outcome
    assert [o.shown for o in (skipped, stored, failed)] == [
        "skipped: no Migration Hub home region",
        "ok",
        "failed: AccessDenied on Publish: no",
    ]
