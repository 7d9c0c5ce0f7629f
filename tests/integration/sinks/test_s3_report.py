"""S3 report sink against moto: JSON and HTML under a run key, SSE-KMS, links for the digest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from maptag.model import ScanUnit, Verdict
from maptag.sinks.outcome import RunInfo
from maptag.sinks.s3_report import put_reports
from maptag.sinks.sns_digest import build_digest
from tests.support.sink_fixtures import ACCOUNT, UnitSpec, built_report, many

REGION = "eu-west-1"
BUCKET = "maptag-reports-123456789012"
RUN = RunInfo("exec-2026-11-23:a1", datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
UNIT = ScanUnit(ACCOUNT, REGION)


@pytest.fixture
def bucket() -> Iterator[None]:
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield


def specs() -> list[UnitSpec]:
    return [UnitSpec(UNIT, many(UNIT, Verdict.MISSING, 150, "m") + many(UNIT, Verdict.COMPLIANT, 50, "c"))]


def test_reports_stored_under_the_run_key_with_kms(bucket: None) -> None:
    # Given a KMS key for the reports
    key_id = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]

    # When the run's reports are stored
    with built_report(specs()) as report:
        outcome = put_reports(report, RUN, bucket=BUCKET, region=REGION, kms_key_id=key_id)

    # Then both are under the run's own key, KMS-encrypted, typed, and complete
    assert outcome.ok, outcome.detail
    s3 = boto3.client("s3", region_name=REGION)
    prefix = "reports/2026/11/23/exec-2026-11-23-a1/"
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    latest = ["reports/latest/report.html", "reports/latest/report.json"]
    assert listed == [prefix + "report.html", prefix + "report.json", *latest]
    head = s3.head_object(Bucket=BUCKET, Key=prefix + "report.json")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == key_id
    assert head["ContentType"] == "application/json"
    assert head["Metadata"] == {"maptag-run-id": RUN.run_id}
    body = json.loads(s3.get_object(Bucket=BUCKET, Key=prefix + "report.json")["Body"].read())
    assert body["schema"] == "maptag/scan-report@1"
    assert len(body["resources"]) == 200
    assert body["totals"]["missing"] == 150
    html = s3.get_object(Bucket=BUCKET, Key=prefix + "report.html")
    assert html["ContentType"] == "text/html; charset=utf-8"
    assert b"<html" in html["Body"].read().lower()

    # And the newest run's report is also at the stable key, encrypted the same way
    stable = s3.get_object(Bucket=BUCKET, Key="reports/latest/report.json")
    assert (stable["ServerSideEncryption"], stable["SSEKMSKeyId"]) == ("aws:kms", key_id)
    assert json.loads(stable["Body"].read()) == body

    # And the links point at them: console pages for people, S3 URIs for tools
    assert outcome.links["json_uri"] == f"s3://{BUCKET}/{prefix}report.json"
    assert outcome.links["latest_json_uri"] == f"s3://{BUCKET}/reports/latest/report.json"
    assert outcome.links["html"] == (
        f"https://{REGION}.console.aws.amazon.com/s3/object/{BUCKET}?region={REGION}&bucketType=general"
        "&prefix=reports%2F2026%2F11%2F23%2Fexec-2026-11-23-a1%2Freport.html"
    )


def test_the_digest_links_the_stored_report(bucket: None) -> None:
    with built_report(specs()) as report:
        outcome = put_reports(report, RUN, bucket=BUCKET, region=REGION)
        digest = build_digest(report, RUN.with_report_url(outcome.links["html"]))
    assert f"Report: {outcome.links['html']}" in digest.message
    assert outcome.detail.endswith("with the bucket's default encryption")


def test_missing_bucket_is_a_reported_failure(bucket: None) -> None:
    with built_report(specs()) as report:
        outcome = put_reports(report, RUN, bucket="no-such-bucket", region=REGION)
    assert not outcome.ok
    assert "NoSuchBucket" in outcome.detail
    assert outcome.links == {}
