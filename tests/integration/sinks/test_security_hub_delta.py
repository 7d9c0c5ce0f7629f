"""Security Hub sink against moto: each run imports only new, changed, resolved and due findings.

The findings a run sends are counted at the client, with a botocore event hook on the
session the sink uses (counting what goes over the wire, not replacing it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from maptag.model import Finding, Judgement, ScanUnit, Verdict
from maptag.report.model import ScanReport
from maptag.sinks.outcome import RunInfo, SinkOutcome
from maptag.sinks.security_hub import finding_id, product_arn, publish_findings
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, finding, many

REGION = "us-east-1"
UNIT = ScanUnit(ACCOUNT, REGION)
DAY_0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def run_on(day: float, name: str | None = None) -> RunInfo:
    return RunInfo(name or f"run-day-{day:g}", DAY_0 + timedelta(days=day))


class CountingHub:
    """A session whose Security Hub clients record every finding sent in BatchImportFindings."""

    def __init__(self) -> None:
        self.session = boto3.Session(region_name=REGION)
        self.sent: list[list[str]] = []
        self.session.events.register("provide-client-params.securityhub.BatchImportFindings", self._count)

    def _count(self, params: dict[str, Any], **_: Any) -> None:
        self.sent.append([item["Id"] for item in params["Findings"]])

    def publish(self, report: ScanReport, run: RunInfo, **options: Any) -> tuple[SinkOutcome, list[str]]:
        """Publish and return the outcome and the Ids of the findings this run imported."""
        before = len(self.sent)
        outcome = publish_findings(report, run, session=self.session, **options)
        assert outcome.ok, outcome.detail
        return outcome, [fid for call in self.sent[before:] for fid in call]


@pytest.fixture
def hub() -> Iterator[CountingHub]:
    with mock_aws():
        boto3.client("securityhub", region_name=REGION).enable_security_hub()
        yield CountingHub()


def stored() -> dict[str, dict[str, Any]]:
    client = boto3.client("securityhub", region_name=REGION)
    return {
        item["Id"]: item
        for page in client.get_paginator("get_findings").paginate()
        for item in page["Findings"]
    }


def with_value(unit: ScanUnit, name: str, value: str) -> Finding:
    """An invalid-value finding for the same resource as ``finding(unit, ..., name)``, another value."""
    base = finding(unit, Verdict.INVALID_VALUE, name)
    return Finding.of(
        base.resource,
        Judgement(Verdict.INVALID_VALUE, f"value {value!r} is not a MAP value", "map-migrated", value,
                  "set value to 'mig12345'"),
    )  # fmt: skip


def fid(name: str) -> str:
    return finding_id(f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{name}")


ESTATE = [
    *many(UNIT, Verdict.MISSING, 4, "vol-m"),
    finding(UNIT, Verdict.NEAR_MISS_KEY, "vol-near"),
    finding(UNIT, Verdict.INVALID_VALUE, "vol-bad"),
]


def test_a_second_run_with_nothing_changed_imports_nothing(hub: CountingHub) -> None:
    # Given a first run that created six findings
    with built_report([UnitSpec(UNIT, ESTATE)]) as report:
        outcome, sent = hub.publish(report, run_on(0))
    assert len(sent) == 6
    assert "6 created, 0 updated, 0 resolved, 0 refreshed, 0 unchanged" in outcome.detail

    # When the next day's run finds exactly the same
    with built_report([UnitSpec(UNIT, ESTATE)]) as report:
        outcome, sent = hub.publish(report, run_on(1))

    # Then nothing is sent to Security Hub, and the summary says so
    assert sent == []
    assert "0 created, 0 updated, 0 resolved, 0 refreshed, 6 unchanged, 0 kept" in outcome.detail
    # and every finding keeps the first run's UpdatedAt and LastObservedAt (it was not sent again)
    assert {(f["UpdatedAt"], f["LastObservedAt"]) for f in stored().values()} == {
        ("2026-11-23T06:00:00Z", "2026-11-23T06:00:00Z")
    }


def test_a_changed_verdict_or_value_is_reimported_and_a_fixed_resource_resolved(hub: CountingHub) -> None:
    # Given a first run: two missing, one invalid value, one more missing
    first = [
        finding(UNIT, Verdict.MISSING, "vol-a"),
        finding(UNIT, Verdict.INVALID_VALUE, "vol-b"),
        finding(UNIT, Verdict.MISSING, "vol-c"),
        finding(UNIT, Verdict.MISSING, "vol-d"),
    ]
    with built_report([UnitSpec(UNIT, first)]) as report:
        hub.publish(report, run_on(0))

    # When the next day vol-a got a misspelt key, vol-b another wrong value, vol-d was fixed
    second = [
        finding(UNIT, Verdict.NEAR_MISS_KEY, "vol-a"),
        with_value(UNIT, "vol-b", "mig-12345"),
        finding(UNIT, Verdict.MISSING, "vol-c"),
        finding(UNIT, Verdict.COMPLIANT, "vol-d"),
    ]
    with built_report([UnitSpec(UNIT, second)]) as report:
        outcome, sent = hub.publish(report, run_on(1))

    # Then exactly the two changed findings and the resolution are sent
    assert sorted(sent) == sorted([fid("vol-a"), fid("vol-b"), fid("vol-d")])
    assert "0 created, 2 updated, 1 resolved, 0 refreshed, 1 unchanged" in outcome.detail
    now = stored()
    assert now[fid("vol-a")]["ProductFields"]["maptag/verdict"] == "near_miss_key"
    assert now[fid("vol-a")]["Severity"]["Label"] == "LOW"
    assert now[fid("vol-b")]["ProductFields"]["maptag/observed_value"] == "mig-12345"
    assert now[fid("vol-b")]["CreatedAt"] == "2026-11-23T06:00:00Z"
    assert now[fid("vol-b")]["UpdatedAt"] == now[fid("vol-b")]["LastObservedAt"] == "2026-11-24T06:00:00Z"
    assert now[fid("vol-d")]["RecordState"] == "ARCHIVED"
    assert now[fid("vol-c")]["UpdatedAt"] == "2026-11-23T06:00:00Z"


def test_a_changed_fix_or_resource_detail_is_reimported(hub: CountingHub) -> None:
    # Given one missing-tag finding
    volume = finding(UNIT, Verdict.MISSING, "vol-a")
    with built_report([UnitSpec(UNIT, [volume])]) as report:
        hub.publish(report, run_on(0))

    # When the same verdict comes with another fix, then with the resource's creation time
    other_fix = replace(volume, fix="add tag map-migrated=sap12345")
    with built_report([UnitSpec(UNIT, [other_fix])]) as report:
        _, sent_fix = hub.publish(report, run_on(1))
    created = replace(other_fix, resource=replace(other_fix.resource, created=DAY_0 - timedelta(days=30)))
    with built_report([UnitSpec(UNIT, [created])]) as report:
        _, sent_detail = hub.publish(report, run_on(2))

    # Then each change is imported, and what Security Hub shows says it
    assert sent_fix == sent_detail == [fid("vol-a")]
    item = stored()[fid("vol-a")]
    assert "sap12345" in item["Remediation"]["Recommendation"]["Text"]
    assert "Resource created 2026-10-24" in item["Description"]


def test_an_unchanged_finding_past_its_refresh_period_is_reimported(hub: CountingHub) -> None:
    # Given six findings imported on day 0
    with built_report([UnitSpec(UNIT, ESTATE)]) as report:
        hub.publish(report, run_on(0))

    # When a run eight days later finds them unchanged (the default period is 7 days)
    with built_report([UnitSpec(UNIT, ESTATE)]) as report:
        outcome, sent = hub.publish(report, run_on(8))

    # Then all six are re-imported, so Security Hub's 90-day expiry never reaches them
    assert sorted(sent) == sorted(fid(f.resource.resource_id) for f in ESTATE)
    assert "0 created, 0 updated, 0 resolved, 6 refreshed, 0 unchanged" in outcome.detail
    for item in stored().values():
        assert item["RecordState"] == "ACTIVE"
        assert item["CreatedAt"] == "2026-11-23T06:00:00Z"
        assert item["UpdatedAt"] == item["LastObservedAt"] == "2026-12-01T06:00:00Z"


def test_refresh_days_0_reimports_every_finding_on_every_run(hub: CountingHub) -> None:
    with built_report([UnitSpec(UNIT, ESTATE)]) as report:
        hub.publish(report, run_on(0), refresh_days=0)
    with built_report([UnitSpec(UNIT, ESTATE)]) as report:
        outcome, sent = hub.publish(report, run_on(1), refresh_days=0)
    assert len(sent) == 6
    assert "6 refreshed, 0 unchanged" in outcome.detail
    assert {f["UpdatedAt"] for f in stored().values()} == {"2026-11-24T06:00:00Z"}


def test_refreshes_are_spread_over_the_period_and_none_goes_stale(hub: CountingHub) -> None:
    # Given 70 findings all created on day 0, and a daily run for three weeks, nothing changing
    estate = many(UNIT, Verdict.MISSING, 70, "vol-s")
    last_import: dict[str, int] = {}
    per_day: dict[int, list[str]] = {}
    with built_report([UnitSpec(UNIT, estate)]) as report:
        _, sent = hub.publish(report, run_on(0), refresh_days=7)
        last_import.update(dict.fromkeys(sent, 0))
        for day in range(1, 22):
            _, sent = hub.publish(report, run_on(day), refresh_days=7)
            per_day[day] = sent
            for finding_sent in sent:
                # Then no finding ever waits longer than the period plus one day
                assert day - last_import[finding_sent] <= 8
                last_import[finding_sent] = day
    # nothing is refreshed in the first half period after an import, everything by day 7
    assert per_day[1] == per_day[2] == per_day[3] == []
    assert sorted(item for day in range(4, 8) for item in per_day[day]) == sorted(last_import)
    # and once settled each finding is refreshed exactly once a week, on its own day
    for week in (range(8, 15), range(15, 22)):
        sent_in_week = [item for day in week for item in per_day[day]]
        assert sorted(sent_in_week) == sorted(last_import)
        assert max(len(per_day[day]) for day in week) <= 70 // 3


def test_findings_imported_without_a_fingerprint_are_updated_once(hub: CountingHub) -> None:
    # Given a finding imported by an older maptag (no fingerprint in ProductFields)
    old = {
        "SchemaVersion": "2018-10-08",
        "Id": fid("vol-old"),
        "ProductArn": product_arn(REGION, ACCOUNT),
        "GeneratorId": "maptag/map-migrated-tag",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards/MAP 2.0 Tagging"],
        "CreatedAt": "2026-11-22T06:00:00Z",
        "UpdatedAt": "2026-11-22T06:00:00Z",
        "Severity": {"Label": "MEDIUM"},
        "Title": "'map-migrated' tag missing",
        "Description": "old text",
        "Resources": [{"Type": "AwsEc2Volume", "Id": f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/vol-old"}],
        "RecordState": "ACTIVE",
        "ProductFields": {"maptag/type": "ec2:volume", "maptag/account_id": ACCOUNT, "maptag/region": REGION},
    }
    boto3.client("securityhub", region_name=REGION).batch_import_findings(Findings=[old])

    # When this version sees it unchanged twice
    spec = [UnitSpec(UNIT, [finding(UNIT, Verdict.MISSING, "vol-old")])]
    with built_report(spec) as report:
        first, sent_first = hub.publish(report, run_on(0))
        _, sent_second = hub.publish(report, run_on(1))

    # Then it is updated once (gaining a fingerprint), then left alone
    assert sent_first == [fid("vol-old")]
    assert "0 created, 1 updated" in first.detail
    assert sent_second == []
    assert stored()[fid("vol-old")]["CreatedAt"] == "2026-11-22T06:00:00Z"


def test_a_refresh_period_out_of_range_is_refused_naming_it(hub: CountingHub) -> None:
    with built_report([UnitSpec(UNIT, ESTATE)]) as report:
        outcome = publish_findings(report, run_on(0), session=hub.session, refresh_days=90)
    assert not outcome.ok
    assert "refresh_days 90 is not a number of days from 0 to 30" in outcome.detail
    assert hub.sent == []
