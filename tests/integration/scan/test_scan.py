"""The scan engine on one account under moto: dependents, S3 per region, scope, unreadable tags.

Each test seeds an estate through boto3, runs the scan as the CLI does (plan → run_scan) and
checks what a user would see in the report: verdicts, reasons, parents, regions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from freezegun import freeze_time
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from maptag.model import Finding, Verdict
from tests.support.moto_seed import (
    COMPLIANT,
    ScanOutcome,
    base_image,
    instance_arn,
    keyed_session,
    launch,
    policy,
    root_volume,
    scan,
    seed_bucket,
    seed_load_balancer,
    seed_table,
    volume_arn,
)

REGION = "eu-west-1"
AGREEMENT_START = "2025-01-01"
NEW = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)
LATER = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
OLD = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
OLDER = datetime(2023, 11, 5, 9, 0, tzinfo=UTC)
# docs/map-tagging-rules.md, "Which resources are migrated": MGN's markers on its own servers.
MGN_MANAGED = {"AWSApplicationMigrationServiceManaged": "mgn.amazonaws.com"}
REPLICATION = {**MGN_MANAGED, "Name": "AWS Application Migration Service Replication Server"}
CONVERSION = {**MGN_MANAGED, "Name": "AWS Application Migration Service Conversion Server"}
# MGN also tags the instances it launches: those are migrated workloads, not tooling.
LAUNCHED_BY_MGN = {
    **MGN_MANAGED,
    "AWSApplicationMigrationServiceSourceServerID": "s-1234567890abcdef0",
    "Name": "erp-app-01",
}


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def _ec2(session: boto3.Session) -> Any:
    return session.client("ec2", region_name=REGION)


def _volume(session: boto3.Session, tags: dict[str, str] | None = None) -> str:
    specs = {"TagSpecifications": [{"ResourceType": "volume", "Tags": _pairs(tags)}]} if tags else {}
    return str(_ec2(session).create_volume(Size=4, AvailabilityZone=f"{REGION}a", **specs)["VolumeId"])


def _pairs(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


def _attach(session: boto3.Session, volume: str, instance: str, device: str = "/dev/sdf") -> None:
    _ec2(session).attach_volume(VolumeId=volume, InstanceId=instance, Device=device)


def _snapshot(session: boto3.Session, volume: str) -> str:
    return str(_ec2(session).create_snapshot(VolumeId=volume)["SnapshotId"])


def _image(session: boto3.Session, instance: str, name: str) -> str:
    return str(_ec2(session).create_image(InstanceId=instance, Name=name)["ImageId"])


def _snapshot_arn(snapshot: str) -> str:
    return f"arn:aws:ec2:{REGION}::snapshot/{snapshot}"


def _image_arn(image: str) -> str:
    return f"arn:aws:ec2:{REGION}::image/{image}"


def _finding(outcome: ScanOutcome, arn: str) -> Finding:
    matches = [f for f in outcome.findings if f.resource.arn == arn]
    assert len(matches) == 1, f"{arn} reported {len(matches)} times"
    return matches[0]


EC2_TYPES = ["ec2:instance", "ec2:volume", "ec2:snapshot", "ec2:image"]


# --- dependents (docs/contracts.md, "Resource types"; docs/map-tagging-rules.md, "Which resources count") ---


def test_dependents_of_an_in_scope_instance_are_in_scope_with_their_parent(session: boto3.Session) -> None:
    # Given an instance launched by MGN after the agreement start...
    with freeze_time(OLD):
        image = base_image(session, REGION)
        old_volume = _volume(session)  # created before the agreement start
    with freeze_time(OLD + (NEW - OLD) / 1000):
        old_snapshot = _snapshot(session, old_volume)  # still before the agreement start
    with freeze_time(NEW):
        instance = launch(session, REGION, LAUNCHED_BY_MGN, image)
        root = root_volume(session, REGION, instance)
        _attach(session, old_volume, instance)
    with freeze_time(OLDER):
        # an AMI whose own date is before the agreement start (dates can lie: copied, restored)
        old_image = _image(session, instance, "from-migrated")
    with freeze_time(LATER):
        root_snapshot = _snapshot(session, root)

    # When the scan runs with that agreement start
    outcome = scan(session, policy(regions=[REGION], agreement_start=AGREEMENT_START, types=EC2_TYPES))

    # Then the instance is in scope, and so is everything made from it, each naming its parent
    parent = instance_arn(REGION, instance)
    assert _finding(outcome, parent).verdict is Verdict.MISSING
    expected_parents = {
        volume_arn(REGION, root): parent,
        volume_arn(REGION, old_volume): parent,  # created 2024, attached to a migrated instance
        _snapshot_arn(root_snapshot): volume_arn(REGION, root),
        _snapshot_arn(old_snapshot): volume_arn(REGION, old_volume),  # through the volume
        _image_arn(old_image): parent,
    }
    for arn, parent_arn in expected_parents.items():
        finding = _finding(outcome, arn)
        assert finding.resource.parent == parent_arn, arn
        assert finding.verdict is Verdict.MISSING, f"{arn}: {finding.reason}"
        assert finding.reason.startswith("no tags at all")
    assert _finding(outcome, volume_arn(REGION, old_volume)).resource.created == OLD


def test_dependents_of_mgn_tooling_are_excluded_as_tooling(session: boto3.Session) -> None:
    # Given MGN's replication and conversion servers, a staging disk, its snapshot and an AMI
    with freeze_time(NEW):
        image = base_image(session, REGION)
        replication = launch(session, REGION, REPLICATION, image)
        conversion = launch(session, REGION, CONVERSION, image)
        staging = _volume(session, MGN_MANAGED)
        _attach(session, staging, replication)
        staging_snapshot = _snapshot(session, staging)
        conversion_image = _image(session, conversion, "conversion")
        # and an instance MGN launched (same managed tag, but a migrated workload)
        migrated = launch(session, REGION, LAUNCHED_BY_MGN, image)

    outcome = scan(session, policy(regions=[REGION], agreement_start=AGREEMENT_START, types=EC2_TYPES))

    # Then the servers are excluded as tooling, and all that hangs off them too
    for server in (replication, conversion):
        finding = _finding(outcome, instance_arn(REGION, server))
        assert finding.verdict is Verdict.EXCLUDED
        assert finding.reason == "Application Migration Service replication/conversion server (tooling)"
    for arn in (
        volume_arn(REGION, root_volume(session, REGION, replication)),
        volume_arn(REGION, staging),
        _snapshot_arn(staging_snapshot),
        volume_arn(REGION, root_volume(session, REGION, conversion)),
        _image_arn(conversion_image),
    ):
        finding = _finding(outcome, arn)
        assert finding.verdict is Verdict.EXCLUDED, arn
        assert finding.resource.parent is not None
        assert "excluded: Application Migration Service replication/conversion server (tooling)" in (
            finding.reason
        )
    assert _finding(outcome, instance_arn(REGION, migrated)).verdict is Verdict.MISSING


def test_dependents_of_a_pre_agreement_instance_are_judged_by_their_own_date(
    session: boto3.Session,
) -> None:
    # Given an instance launched before the agreement start
    with freeze_time(OLD):
        instance = launch(session, REGION, {"Name": "legacy"})
        root = root_volume(session, REGION, instance)
        old_image = _image(session, instance, "old-image")
    with freeze_time(NEW):
        new_volume = _volume(session)
        _attach(session, new_volume, instance)
        new_snapshot = _snapshot(session, root)
        new_image = _image(session, instance, "new-image")

    outcome = scan(session, policy(regions=[REGION], agreement_start=AGREEMENT_START, types=EC2_TYPES))

    parent = instance_arn(REGION, instance)
    old_reason = "created 2024-03-01, before the agreement start 2025-01-01"
    assert _finding(outcome, parent).verdict is Verdict.EXCLUDED
    assert _finding(outcome, parent).reason == old_reason
    for arn in (volume_arn(REGION, root), _image_arn(old_image)):
        finding = _finding(outcome, arn)
        assert (finding.verdict, finding.reason, finding.resource.parent) == (
            Verdict.EXCLUDED,
            old_reason,
            parent,
        )
    for arn in (volume_arn(REGION, new_volume), _snapshot_arn(new_snapshot), _image_arn(new_image)):
        finding = _finding(outcome, arn)
        assert finding.verdict is Verdict.MISSING, f"{arn}: {finding.reason}"
        assert finding.resource.parent is not None


def test_exclusions_carry_over_to_dependents(session: boto3.Session) -> None:
    with freeze_time(NEW):
        sandbox = launch(session, REGION, {"env": "sandbox"})
        root = root_volume(session, REGION, sandbox)
        snapshot = _snapshot(session, root)

    outcome = scan(
        session,
        policy(
            regions=[REGION], agreement_start=AGREEMENT_START, types=EC2_TYPES, exclusions=["tag:env=sandbox"]
        ),
    )

    assert (
        _finding(outcome, instance_arn(REGION, sandbox)).reason == "matches exclusion rule 'tag:env=sandbox'"
    )
    for arn in (volume_arn(REGION, root), _snapshot_arn(snapshot)):
        finding = _finding(outcome, arn)
        assert finding.verdict is Verdict.EXCLUDED
        assert finding.reason.endswith("excluded: matches exclusion rule 'tag:env=sandbox'"), finding.reason


# --- scope: exclusion rules, tooling, dates ---


def test_exclusion_rules_by_tag_key_tag_value_and_arn_glob_each_say_why(session: boto3.Session) -> None:
    # Given buckets matching each kind of rule, and some matching none
    seed_bucket(session, REGION, "cdk-assets-1", None)
    seed_bucket(session, REGION, "team-scratch", {"lifecycle": "scratch"})
    seed_bucket(session, REGION, "team-dev", {"env": "dev"})
    seed_bucket(session, REGION, "team-prod", {"env": "prod"})  # env=prod is no rule
    seed_bucket(session, REGION, "team-data", COMPLIANT)

    outcome = scan(
        session,
        policy(
            regions=[REGION],
            types=["s3:bucket"],
            exclusions=["tag:lifecycle", "tag:env=dev", "arn:aws:s3:::cdk-*"],
        ),
    )

    verdicts = {f.resource.arn.rsplit(":", 1)[-1]: (f.verdict, f.reason) for f in outcome.findings}
    assert verdicts == {
        "cdk-assets-1": (Verdict.EXCLUDED, "matches exclusion rule 'arn:aws:s3:::cdk-*'"),
        "team-scratch": (Verdict.EXCLUDED, "matches exclusion rule 'tag:lifecycle'"),
        "team-dev": (Verdict.EXCLUDED, "matches exclusion rule 'tag:env=dev'"),
        "team-prod": (Verdict.MISSING, "no 'map-migrated' tag"),
        "team-data": (Verdict.COMPLIANT, "tagged map-migrated=mig12345"),
    }
    assert outcome.units[0].totals.excluded == 3


def test_every_exclusion_has_a_reason(session: boto3.Session) -> None:
    # Given a mix of everything that can be excluded
    with freeze_time(OLD):
        image = base_image(session, REGION)
        old = launch(session, REGION, None, image)
    with freeze_time(NEW):
        launch(session, REGION, REPLICATION, image)
        launch(session, REGION, {"env": "sandbox"}, image)
        seed_bucket(session, REGION, "cdk-assets-2", None)

    outcome = scan(
        session,
        policy(
            regions=[REGION],
            agreement_start=AGREEMENT_START,
            exclusions=["tag:env=sandbox", "arn:aws:s3:::cdk-*"],
        ),
    )

    excluded = [f for f in outcome.findings if f.verdict is Verdict.EXCLUDED]
    assert instance_arn(REGION, old) in {f.resource.arn for f in excluded}
    assert len(excluded) >= 7  # 3 instances, their 3 root volumes, the bucket (+ AMI snapshot)
    for finding in excluded:
        assert finding.reason.strip(), finding.resource.arn
    reasons = " | ".join(f.reason for f in excluded)
    for fragment in ("before the agreement start", "(tooling)", "tag:env=sandbox", "arn:aws:s3:::cdk-*"):
        assert fragment in reasons


def test_agreement_start_is_inclusive(session: boto3.Session) -> None:
    # docs/map-tagging-rules.md: "created on or after the MAP agreement start date" is in scope
    with freeze_time(datetime(2025, 1, 1, 0, 0, 1, tzinfo=UTC)):
        seed_bucket(session, REGION, "on-the-day", None)
    with freeze_time(datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)):
        seed_bucket(session, REGION, "the-day-before", None)

    outcome = scan(session, policy(regions=[REGION], agreement_start=AGREEMENT_START, types=["s3:bucket"]))

    verdicts = {f.resource.resource_id: f.verdict for f in outcome.findings}
    assert verdicts == {"on-the-day": Verdict.MISSING, "the-day-before": Verdict.EXCLUDED}


# --- S3: listed once per region it lives in, attributed to that region ---


def test_buckets_are_reported_once_each_in_their_own_region(session: boto3.Session) -> None:
    # Given buckets in two scanned regions and one region that is not scanned
    placed = {
        "use1-a": "us-east-1",
        "use1-b": "us-east-1",
        "euw1-a": "eu-west-1",
        "apse2-a": "ap-southeast-2",
    }
    for name, region in placed.items():
        seed_bucket(session, region, name, None)
    list_calls: list[str] = []

    def count_list_buckets(request: Any, **_: Any) -> None:
        list_calls.append(request.url)  # counting only: moto still answers

    session.events.register_first("before-send.s3.ListBuckets", count_list_buckets)

    # When two regions are scanned
    outcome = scan(session, policy(regions=["us-east-1", "eu-west-1"], types=["s3:bucket"]))

    # Then each bucket of a scanned region appears exactly once, in its own region
    found = sorted((f.resource.resource_id, f.resource.region) for f in outcome.findings)
    assert found == [("euw1-a", "eu-west-1"), ("use1-a", "us-east-1"), ("use1-b", "us-east-1")]
    # And ListBuckets ran once per scanned region, each time filtered to that region
    assert len(list_calls) == 2
    assert sorted(url.split("bucket-region=")[1].split("&")[0] for url in list_calls) == [
        "eu-west-1",
        "us-east-1",
    ]


def test_a_bucket_with_no_tag_set_is_no_tags_not_unreadable(session: boto3.Session) -> None:
    seed_bucket(session, REGION, "never-tagged", None)
    outcome = scan(session, policy(regions=[REGION], types=["s3:bucket"]))
    (finding,) = outcome.findings
    assert finding.verdict is Verdict.MISSING
    assert finding.reason.startswith("no tags at all")
    assert finding.resource.tags == {}


# --- unreadable tags: moto's IAM enforcement with a user that may list but not read tags ---

LIST_BUT_NOT_READ_TAGS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "sts:GetCallerIdentity",
                "ec2:Describe*",
                "s3:ListAllMyBuckets",
                "dynamodb:ListTables",
                "dynamodb:DescribeTable",
                "elasticloadbalancing:DescribeLoadBalancers",
            ],
            "Resource": "*",
        }
    ],
}


def restricted_session(session: boto3.Session, user: str, document: dict[str, Any]) -> boto3.Session:
    """A session for a new IAM user with only ``document`` as its permissions."""
    iam = session.client("iam", region_name="us-east-1")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="scan", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return keyed_session(key["AccessKeyId"], key["SecretAccessKey"], region=REGION)


def test_denied_tag_reads_are_unreadable_never_missing(session: boto3.Session) -> None:
    # Given resources whose tags need a separate read, by a user who may only list them
    bucket = seed_bucket(session, REGION, "tagged-bucket", COMPLIANT)
    untagged_bucket = seed_bucket(session, REGION, "untagged-bucket", None)
    table = seed_table(session, REGION, "orders", None)
    balancer = seed_load_balancer(session, REGION, "web", COMPLIANT)
    with freeze_time(NEW):
        instance = instance_arn(REGION, launch(session, REGION, COMPLIANT))
    auditor = restricted_session(session, "auditor", LIST_BUT_NOT_READ_TAGS)
    types = ["ec2:instance", "s3:bucket", "dynamodb:table", "elasticloadbalancing:loadbalancer"]

    # When the scan runs with moto enforcing IAM
    outcome = set_initial_no_auth_action_count(0)(scan)(auditor, policy(regions=[REGION], types=types))

    # Then every resource is still reported, those with unreadable tags as unreadable
    assert outcome.units[0].status == "ok", outcome.units[0].error
    for arn in (bucket, untagged_bucket, table, balancer):
        finding = _finding(outcome, arn)
        assert finding.verdict is Verdict.UNREADABLE, f"{arn}: {finding.verdict} {finding.reason}"
        assert finding.reason.startswith("tags could not be read: ")
        assert finding.resource.tags is None
    assert "AccessDenied on GetBucketTagging" in _finding(outcome, bucket).reason
    assert "DescribeTags" in _finding(outcome, balancer).reason
    # tags that come with the listing are read as usual
    assert _finding(outcome, instance).verdict is Verdict.COMPLIANT
    assert outcome.units[0].totals.unreadable == 4
    assert outcome.units[0].totals.missing == 0


def test_a_denied_list_call_fails_the_unit_but_keeps_the_other_types(session: boto3.Session) -> None:
    # Given a user who may list S3 and read its tags, but not describe RDS
    seed_bucket(session, REGION, "data-lake", COMPLIANT)
    seed_bucket(session, REGION, "app-logs", None)
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sts:GetCallerIdentity", "s3:ListAllMyBuckets", "s3:GetBucketTagging"],
                "Resource": "*",
            }
        ],
    }
    auditor = restricted_session(session, "s3-only", document)

    outcome = set_initial_no_auth_action_count(0)(scan)(
        auditor, policy(regions=[REGION], types=["rds:db", "s3:bucket"])
    )

    (unit,) = outcome.units
    assert unit.status == "failed"
    assert unit.error is not None
    assert unit.error.startswith("rds:db: AccessDenied on DescribeDBInstances")
    # the S3 part of the unit is complete and correct
    assert {(f.resource.resource_id, f.verdict) for f in outcome.findings} == {
        ("data-lake", Verdict.COMPLIANT),
        ("app-logs", Verdict.MISSING),
    }
    assert unit.totals.compliant == 1
    assert unit.totals.missing == 1
