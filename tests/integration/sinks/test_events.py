"""EventBridge events against moto: a rule on source "maptag" delivers them to SQS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from maptag.model import ScanUnit, Verdict
from maptag.names import EVENT_SOURCE
from maptag.sinks.events import SCAN_COMPLETED, UNIT_FAILED, batches, put_run_events, run_events
from maptag.sinks.outcome import RunInfo
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, many

REGION = "us-east-1"
RUN = RunInfo("run-9", datetime.now(UTC).replace(microsecond=0), "https://console.example/r.html")


@pytest.fixture
def queue() -> Iterator[str]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        events = boto3.client("events", region_name=REGION)
        url = sqs.create_queue(QueueName="maptag-events")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="maptag-all", EventPattern=json.dumps({"source": [EVENT_SOURCE]}))
        events.put_targets(Rule="maptag-all", Targets=[{"Id": "q", "Arn": arn}])
        yield url


def drain(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    out: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        out += [json.loads(m["Body"]) for m in got]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
        )


def test_one_summary_and_one_event_per_failed_unit(queue: str) -> None:
    # Given a run with one evaluated unit and twelve failed ones (more than one PutEvents batch)
    ok = ScanUnit(ACCOUNT, REGION)
    specs = [UnitSpec(ok, many(ok, Verdict.COMPLIANT, 3, "c") + many(ok, Verdict.MISSING, 1, "m"))]
    specs += [UnitSpec(ScanUnit(f"{n:012d}", REGION), [], error=f"AccessDenied #{n}") for n in range(12)]
    with built_report(specs) as report:
        # When the events are sent
        outcome = put_run_events(report, RUN)

    # Then the rule delivered 13 events: one summary and one per failed unit
    assert outcome.ok, outcome.detail
    assert outcome.detail == "13 event(s) sent to default"
    delivered = drain(queue)
    kinds = sorted(e["detail-type"] for e in delivered)
    assert kinds == [SCAN_COMPLETED] + [UNIT_FAILED] * 12
    assert {e["source"] for e in delivered} == {"maptag"}
    (summary,) = (e["detail"] for e in delivered if e["detail-type"] == SCAN_COMPLETED)
    assert summary["run_id"] == "run-9"
    assert summary["coverage_percent"] == 75.0
    assert summary["totals"]["missing"] == 1
    assert summary["units"] == {"total": 13, "failed": 12}
    assert summary["status"] == "failed"
    assert summary["report_url"] == "https://console.example/r.html"
    failed = sorted(e["detail"]["account_id"] for e in delivered if e["detail-type"] == UNIT_FAILED)
    assert failed == [f"{n:012d}" for n in range(12)]
    assert any(e["detail"].get("error") == "AccessDenied #3" for e in delivered)


def test_batches_respect_count_and_size_limits() -> None:
    # Given 25 failed units whose errors are long (about 4 KB per event)
    specs = [UnitSpec(ScanUnit(f"{n:012d}", REGION), [], error="x" * 5000) for n in range(25)]
    with built_report(specs) as report:
        entries = list(run_events(report, RUN))
    # Then every batch has at most 10 entries and at most 256 KB
    sizes = [len(batch) for batch in batches(iter(entries))]
    assert sizes == [10, 10, 6]
    assert all(len(json.loads(e["Detail"]).get("error", "")) <= 4000 for e in entries)


def test_missing_bus_is_a_reported_failure(queue: str) -> None:
    unit = ScanUnit(ACCOUNT, REGION)
    with built_report([UnitSpec(unit, [], error="boom")]) as report:
        outcome = put_run_events(report, RUN, event_bus="no-such-bus")
    assert not outcome.ok
    assert outcome.detail.startswith("2 of 2 event(s) not delivered (first: ResourceNotFoundException")
