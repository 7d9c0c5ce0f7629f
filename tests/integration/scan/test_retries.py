"""Throttling is retried (aws.py's retry configuration), proven with injected AWS errors.

The errors are injected at the transport (faults.py): a botocore before-send handler or WSGI
middleware in front of a moto server answers with the service's own throttling response;
maptag's code runs unchanged and botocore's retry logic sees what AWS would send.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from maptag.model import Verdict
from tests.support.faults import Faults
from tests.support.moto_seed import (
    ACCOUNT,
    COMPLIANT,
    NO_MAP_TAG,
    policy,
    scan,
    seed_bucket,
    seed_table,
    seed_volume,
)

REGION = "us-east-1"


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def test_throttled_list_and_tag_reads_are_retried_and_the_scan_is_complete(session: boto3.Session) -> None:
    # Given an estate whose list call and batched tag reads are throttled at first
    volumes = {
        seed_volume(session, REGION, f"v{n}", tags) for n, tags in enumerate((COMPLIANT, None, NO_MAP_TAG))
    }
    bucket = seed_bucket(session, REGION, "throttled-bucket", COMPLIANT)
    table = seed_table(session, REGION, "throttled-table", NO_MAP_TAG)
    faults = Faults()
    volumes_rule = faults.throttle("DescribeVolumes", times=2)
    # the Tagging API's throttling error (docs/map-tagging-rules.md, "Enumeration")
    tagging_rule = faults.throttle("GetResources", times=1, code="ThrottledException")
    faults.attach(session)

    # When the scan runs
    outcome = scan(session, policy(regions=[REGION], types=["ec2:volume", "s3:bucket", "dynamodb:table"]))

    # Then every throttled call was retried until it went through: one batched read for the
    # buckets (throttled once), one for the tables
    assert (volumes_rule.injected, volumes_rule.seen) == (2, 3)
    assert (tagging_rule.injected, tagging_rule.seen) == (1, 3)
    # and the unit is complete and correct: nothing unreadable, nothing lost
    (unit,) = outcome.units
    assert (unit.status, unit.error) == ("ok", None)
    verdicts = {f.resource.arn: f.verdict for f in outcome.findings}
    assert sorted(verdicts[arn] for arn in volumes) == sorted(
        [Verdict.COMPLIANT, Verdict.MISSING, Verdict.MISSING]
    )
    assert verdicts[bucket] is Verdict.COMPLIANT
    assert verdicts[table] is Verdict.MISSING
    assert unit.totals.unreadable == 0
    assert {f.resource.account_id for f in outcome.findings} == {ACCOUNT}


def test_throttled_per_resource_reads_are_retried_when_the_batched_read_falls_back(
    session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a Tagging API throttled past every retry, and per-resource reads throttled at first
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    bucket = seed_bucket(session, REGION, "throttled-bucket", COMPLIANT)
    table = seed_table(session, REGION, "throttled-table", NO_MAP_TAG)
    faults = Faults()
    tagging_rule = faults.throttle("GetResources", times=None, code="ThrottledException")
    bucket_rule = faults.add(
        lambda r: r.operation == "GetBucketTagging",
        "SlowDown",
        "Please reduce your request rate.",
        503,
        times=1,
    )
    table_rule = faults.throttle("ListTagsOfResource", times=1, code="ThrottlingException")
    faults.attach(session)

    # When the scan runs
    outcome = scan(session, policy(regions=[REGION], types=["s3:bucket", "dynamodb:table"]))

    # Then each batch tried the Tagging API (a throttle is not a denial: it is asked again)
    assert tagging_rule.seen == 2 * 2
    # and read its tags one by one instead, retried until they went through
    assert (bucket_rule.injected, bucket_rule.seen) == (1, 2)
    assert (table_rule.injected, table_rule.seen) == (1, 2)
    (unit,) = outcome.units
    assert (unit.status, unit.error, unit.totals.unreadable) == ("ok", None, 0)
    verdicts = {f.resource.arn: f.verdict for f in outcome.findings}
    assert verdicts == {bucket: Verdict.COMPLIANT, table: Verdict.MISSING}


def test_a_tag_read_throttled_past_retries_is_unreadable_not_missing(
    session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a bucket whose tag reads (batched and its own) are always throttled, and few
    # attempts (standard chain)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    bucket = seed_bucket(session, REGION, "always-throttled", COMPLIANT)
    faults = Faults()
    batched = faults.throttle("GetResources", times=None, code="ThrottledException")
    rule = faults.add(
        lambda r: r.operation == "GetBucketTagging", "SlowDown", "Please reduce your request rate.", 503
    )
    faults.attach(session)

    outcome = scan(session, policy(regions=[REGION], types=["s3:bucket"]))

    (finding,) = outcome.findings
    assert finding.resource.arn == bucket
    assert finding.verdict is Verdict.UNREADABLE
    assert (
        finding.reason
        == "tags could not be read: SlowDown on GetBucketTagging: Please reduce your request rate."
    )
    assert (batched.seen, rule.seen) == (2, 2)  # AWS_MAX_ATTEMPTS was honoured by both
    assert outcome.units[0].status == "ok"


def test_a_tag_read_that_keeps_timing_out_is_unreadable_and_a_timed_out_listing_fails_the_unit(
    session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    bucket = seed_bucket(session, REGION, "slow-bucket", COMPLIANT)
    seed_table(session, REGION, "slow-table", None)
    faults = Faults()
    faults.time_out("GetResources")
    faults.time_out("GetBucketTagging")
    faults.time_out("ListTables")
    faults.attach(session)

    outcome = scan(session, policy(regions=[REGION], types=["s3:bucket", "dynamodb:table"]))

    (finding,) = outcome.findings
    assert (finding.resource.arn, finding.verdict) == (bucket, Verdict.UNREADABLE)
    assert finding.reason.startswith("tags could not be read: ReadTimeoutError: Read timeout on endpoint URL")
    (unit,) = outcome.units
    assert unit.status == "failed"
    assert unit.error is not None
    assert unit.error.startswith("dynamodb:table: ReadTimeoutError: Read timeout on endpoint URL")
