"""Security Hub sink against moto: findings created once, updated, never duplicated, resolved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from maptag.model import ScanUnit, Verdict
from maptag.policy import Policy
from maptag.sinks.outcome import RunInfo
from maptag.sinks.security_hub import GENERATOR_ID, finding_id, product_arn, publish_findings
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, finding, many, scanned_report

REGION = "us-east-1"
FIRST = RunInfo("run-1", datetime(2026, 11, 23, 10, 0, tzinfo=UTC), "https://example.test/run-1.html")
SECOND = RunInfo("run-2", datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        boto3.client("securityhub", region_name=REGION).enable_security_hub()
        yield


def all_findings() -> dict[str, dict[str, Any]]:
    client = boto3.client("securityhub", region_name=REGION)
    found: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("get_findings").paginate():
        for item in page["Findings"]:
            assert item["Id"] not in found, f"duplicate finding {item['Id']}"
            found[item["Id"]] = item
    return found


def make_volume(ec2: Any, tags: dict[str, str]) -> str:
    spec = [{"ResourceType": "volume", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1, TagSpecifications=spec if tags else [])
    return str(volume["VolumeId"])


def arn(volume_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{volume_id}"


def test_second_run_resolves_exactly_the_fixed_and_deleted_resources(aws: None) -> None:
    # Given an estate of volumes: two tagged right, four missing, one near-miss key, one invalid value
    ec2 = boto3.client("ec2", region_name=REGION)
    good = [make_volume(ec2, {"map-migrated": "mig12345"}) for _ in range(2)]
    missing = [make_volume(ec2, {"Name": "db-data", "owner": "secret-team"}) for _ in range(4)]
    near = make_volume(ec2, {"Map-Migrated": "mig12345"})
    invalid = make_volume(ec2, {"map-migrated": "MIG12345"})
    policy = Policy.build(mpe_ids=["mig12345"], regions=[REGION], types=["ec2:volume"])

    # When the first run publishes
    with scanned_report(policy) as report:
        outcome = publish_findings(report, FIRST)

    # Then one active, failed finding per non-compliant volume, none for compliant ones
    assert outcome.ok, outcome.detail
    first = all_findings()
    non_compliant = [*missing, near, invalid]
    assert set(first) == {finding_id(arn(v)) for v in non_compliant}
    assert all(f["RecordState"] == "ACTIVE" and f["Compliance"]["Status"] == "FAILED" for f in first.values())
    assert all(f["Workflow"]["Status"] == "NEW" for f in first.values())
    assert "6 created, 0 updated, 0 resolved, 0 refreshed, 0 unchanged" in outcome.detail

    # Given two missing tags fixed, the near-miss key renamed and one missing volume deleted
    for volume in missing[:2]:
        ec2.create_tags(Resources=[volume], Tags=[{"Key": "map-migrated", "Value": "mig12345"}])
    ec2.delete_tags(Resources=[near], Tags=[{"Key": "Map-Migrated"}])
    ec2.create_tags(Resources=[near], Tags=[{"Key": "map-migrated", "Value": "mig12345"}])
    ec2.delete_volume(VolumeId=missing[3])

    # When the second run publishes
    with scanned_report(policy) as report:
        outcome = publish_findings(report, SECOND)

    # Then exactly those four are resolved, the other two left as they were (nothing changed
    # about them), and nothing is duplicated
    assert outcome.ok, outcome.detail
    assert "0 created, 0 updated, 4 resolved, 0 refreshed, 2 unchanged" in outcome.detail
    second = all_findings()
    assert set(second) == set(first)
    resolved = {fid for fid, f in second.items() if f["RecordState"] == "ARCHIVED"}
    assert resolved == {finding_id(arn(v)) for v in [*missing[:2], near, missing[3]]}
    for fid in resolved:
        assert second[fid]["Compliance"]["Status"] == "PASSED"
        assert second[fid]["UpdatedAt"] == "2026-11-24T10:00:00Z"
    # (workflow RESOLVED is set by BatchUpdateFindings, which moto lacks: see ..._workflow.py)
    assert "no longer exists" in second[finding_id(arn(missing[3]))]["Description"]
    assert "now compliant" in second[finding_id(arn(near))]["Description"]
    for still in (missing[2], invalid):
        current = second[finding_id(arn(still))]
        assert current["RecordState"] == "ACTIVE"
        # Not re-imported: the first run's timestamps and run id stay
        assert current["CreatedAt"] == "2026-11-23T10:00:00Z"
        assert current["UpdatedAt"] == current["LastObservedAt"] == "2026-11-23T10:00:00Z"
        assert current["ProductFields"]["maptag/run_id"] == "run-1"
    assert not set(good) & {f["Resources"][0]["Id"].rsplit("/", 1)[1] for f in second.values()}


def test_finding_content_names_reason_fix_and_never_other_tags(aws: None) -> None:
    # Given a volume whose unrelated tags carry something sensitive
    ec2 = boto3.client("ec2", region_name=REGION)
    volume = make_volume(ec2, {"Map-Migrated": "mig12345", "db-password": "hunter2"})
    policy = Policy.build(mpe_ids=["mig12345"], regions=[REGION], types=["ec2:volume"])

    # When it is published
    with scanned_report(policy) as report:
        assert publish_findings(report, FIRST).ok

    # Then the finding is the documented ASFF shape, with the fix, and no unrelated tag value
    item = all_findings()[finding_id(arn(volume))]
    assert (
        item["ProductArn"]
        == product_arn(REGION, ACCOUNT)
        == (f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default")
    )
    assert item["GeneratorId"] == GENERATOR_ID
    assert item["AwsAccountId"] == ACCOUNT
    assert item["Severity"]["Label"] == "LOW"
    assert item["Resources"][0]["Type"] == "AwsEc2Volume"
    assert item["Resources"][0]["Id"] == arn(volume)
    assert "Map-Migrated" in item["Title"] or "misspelt" in item["Title"]
    assert "rename key 'Map-Migrated' to 'map-migrated'" in item["Remediation"]["Recommendation"]["Text"]
    assert item["SourceUrl"] == "https://example.test/run-1.html"
    assert item["ProductFields"]["maptag/observed_key"] == "Map-Migrated"
    flat = repr(item)
    assert "hunter2" not in flat
    assert "db-password" not in flat


def test_findings_of_a_failed_unit_are_not_resolved(aws: None) -> None:
    # Given a first run with findings in two regions
    east, west = ScanUnit(ACCOUNT, REGION), ScanUnit(ACCOUNT, "eu-west-1")
    specs = [
        UnitSpec(east, many(east, Verdict.MISSING, 3, "vol-e")),
        UnitSpec(west, many(west, Verdict.MISSING, 2, "vol-w")),
    ]
    with built_report(specs) as report:
        assert publish_findings(report, FIRST).ok

    # When the second run finds east clean and west failed (the role could not be assumed)
    specs = [
        UnitSpec(east, many(east, Verdict.COMPLIANT, 3, "vol-e")),
        UnitSpec(west, [], error="AccessDenied on AssumeRole: not authorized"),
    ]
    with built_report(specs) as report:
        outcome = publish_findings(report, SECOND)

    # Then east's findings are resolved and west's stay active, untouched
    assert outcome.ok, outcome.detail
    assert "3 resolved, 0 refreshed, 0 unchanged, 2 kept" in outcome.detail
    states = {f["Resources"][0]["Region"]: set() for f in all_findings().values()}
    for item in all_findings().values():
        states[item["Resources"][0]["Region"]].add((item["RecordState"], item["UpdatedAt"]))
    assert states[REGION] == {("ARCHIVED", "2026-11-24T10:00:00Z")}
    assert states["eu-west-1"] == {("ACTIVE", "2026-11-23T10:00:00Z")}


def test_more_than_one_batch_and_types_not_scanned_are_kept(aws: None) -> None:
    # Given 230 missing volumes and 5 missing buckets in one run (three import batches)
    east = ScanUnit(ACCOUNT, REGION)
    findings = many(east, Verdict.MISSING, 230, "vol") + many(east, Verdict.MISSING, 5, "bkt", "s3:bucket")
    with built_report([UnitSpec(east, findings)]) as report:
        outcome = publish_findings(report, FIRST)
    assert outcome.ok, outcome.detail
    assert len(all_findings()) == 235

    # When a second run scans volumes only and finds 30 of them still missing
    volumes_only = Policy.build(mpe_ids=["mig12345"], regions=[REGION], types=["ec2:volume"])
    spec = UnitSpec(east, many(east, Verdict.MISSING, 30, "vol"))
    with built_report([spec], policy=volumes_only) as report:
        outcome = publish_findings(report, SECOND)

    # Then the 200 vanished volumes are resolved and the unscanned buckets are left alone
    assert "200 resolved, 0 refreshed, 30 unchanged, 5 kept" in outcome.detail
    states = [(f["Resources"][0]["Type"], f["RecordState"]) for f in all_findings().values()]
    assert states.count(("AwsEc2Volume", "ARCHIVED")) == 200
    assert states.count(("AwsEc2Volume", "ACTIVE")) == 30
    assert states.count(("AwsS3Bucket", "ACTIVE")) == 5


def test_unreadable_is_informational_and_not_failed(aws: None) -> None:
    # Given a resource whose tags could not be read
    east = ScanUnit(ACCOUNT, REGION)
    with built_report([UnitSpec(east, [finding(east, Verdict.UNREADABLE, "vol-x")])]) as report:
        assert publish_findings(report, FIRST).ok
    # Then its finding says "not available", not "failed"
    (item,) = all_findings().values()
    assert item["Compliance"]["Status"] == "NOT_AVAILABLE"
    assert item["Severity"]["Label"] == "INFORMATIONAL"
