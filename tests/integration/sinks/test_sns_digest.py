"""SNS digest against moto, read back through an SQS subscription as a subscriber sees it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from maptag.model import ScanUnit, Verdict
from maptag.sinks.outcome import RunInfo
from maptag.sinks.sns_digest import send_digest
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, many

REGION = "us-east-1"
RUN = RunInfo("run-7", datetime(2026, 11, 23, 10, 0, tzinfo=UTC), "https://console.example/report.html")


@pytest.fixture
def topic() -> Iterator[tuple[str, str]]:
    """A topic with an SQS queue subscribed to it (envelope delivery, as e-mail would get)."""
    with mock_aws():
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic_arn = sns.create_topic(Name="maptag-digest")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="digest-reader")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        yield topic_arn, queue_url


def received(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def test_one_digest_per_run_with_totals_failed_units_worst_units_and_link(topic: tuple[str, str]) -> None:
    topic_arn, queue_url = topic
    # Given a run over three accounts: one clean, one poorly tagged, one whose role was denied
    clean, poor, denied = (ScanUnit(a, REGION) for a in (ACCOUNT, "210987654321", "333333333333"))
    specs = [
        UnitSpec(clean, many(clean, Verdict.COMPLIANT, 8, "c")),
        UnitSpec(
            poor,
            many(poor, Verdict.COMPLIANT, 1, "p")
            + many(poor, Verdict.MISSING, 2, "m")
            + many(poor, Verdict.NEAR_MISS_KEY, 1, "n"),
        ),
        UnitSpec(denied, [], error="AccessDenied on AssumeRole: not authorized to assume maptag-scan"),
    ]
    with built_report(specs) as report:
        # When the digest is sent
        outcome = send_digest(report, RUN, topic_arn=topic_arn)

    # Then exactly one message arrives, for the whole run
    assert outcome.ok, outcome.detail
    (envelope,) = received(queue_url)
    message = envelope["Message"]
    assert envelope["Subject"] == "maptag MAP tags: 1 unit(s) FAILED, coverage 75.00%, 3 to fix"
    assert message.startswith(
        "MAP tag coverage: 75.00 % (9 of 12 in-scope resources tagged correctly, 3 to fix)"
    )
    assert "https://console.example/report.html" in message
    assert "!! 1 UNIT(S) FAILED" in message
    assert "FAILED 333333333333 / us-east-1: AccessDenied on AssumeRole" in message
    assert "  missing              2" in message
    assert "  near-miss key        1" in message
    worst = message.split("Worst units (lowest coverage first):\n")[1].splitlines()[0]
    assert worst.startswith("  210987654321 / us-east-1")
    assert "25.00 %" in worst
    assert "2 missing" in worst
    assert ACCOUNT + " / " not in message.split("Worst units")[1].split("Per resource type")[0]
    attributes = envelope["MessageAttributes"]
    assert attributes["status"]["Value"] == "failed"
    assert attributes["failed_units"]["Value"] == "1"
    assert attributes["coverage_percent"]["Value"] == "75.00"


def test_a_huge_estate_still_fits_sns_limits(topic: tuple[str, str]) -> None:
    topic_arn, queue_url = topic
    # Given 1,500 failed units, each with a long error, and 300 poorly tagged ones
    failed = [
        UnitSpec(ScanUnit(f"{n:012d}", REGION), [], error="AccessDenied on AssumeRole: " + "x" * 400)
        for n in range(1500)
    ]
    poor = []
    for n in range(300):
        unit = ScanUnit(f"9{n:011d}", "eu-west-1")
        poor.append(
            UnitSpec(unit, many(unit, Verdict.MISSING, 1, "m") + many(unit, Verdict.COMPLIANT, 1, "c"))
        )
    with built_report(failed + poor) as report:
        outcome = send_digest(report, RUN, topic_arn=topic_arn)

    # Then one message within 256 KB, the list cut with "and N more", the subject short and ASCII
    assert outcome.ok, outcome.detail
    (envelope,) = received(queue_url)
    message = envelope["Message"]
    assert len(message.encode()) <= 256 * 1024
    assert "more failed unit(s): message cut to fit SNS, see the report." in message
    assert message.index("Report: https://console.example/report.html") < message.index("!! 1500 UNIT(S)")
    assert len(envelope["Subject"]) < 100
    assert envelope["Subject"].isascii()


def test_bad_topic_is_a_reported_failure(topic: tuple[str, str]) -> None:
    unit = ScanUnit(ACCOUNT, REGION)
    with built_report([UnitSpec(unit, many(unit, Verdict.MISSING, 1, "m"))]) as report:
        # A topic that does not exist, and a value that is not an ARN at all
        missing = send_digest(report, RUN, topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:nope")
        garbage = send_digest(report, RUN, topic_arn="maptag-digest")
    assert not missing.ok
    assert "NotFound" in missing.detail
    assert not garbage.ok
    assert "'maptag-digest' is not an SNS topic ARN" in garbage.detail
