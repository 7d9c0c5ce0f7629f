"""Scope over a table of tricky cases: pure functions, no AWS.

Rules from docs/map-tagging-rules.md ("Which resources are migrated", "Which resources count")
and docs/contracts.md ("Resource types": dependents).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from maptag.model import Resource, Verdict
from maptag.policy import Policy
from maptag.resources.types.ec2 import INSTANCE as EC2_INSTANCE
from maptag.scan import evaluate
from maptag.scope import ParentScopes, scope, utc_date

START = "2025-01-01"
POLICY = Policy.build(
    mpe_ids=["12345"],
    regions=["us-east-1"],
    agreement_start=START,
    exclusions=["tag:env=sandbox", "tag:maptag-ignore", "arn:aws:s3:::cdk-*"],
)
NO_START = Policy.build(mpe_ids=["12345"], regions=["us-east-1"])

AFTER = datetime(2025, 3, 1, tzinfo=UTC)
BEFORE = datetime(2024, 6, 1, tzinfo=UTC)
INSTANCE = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
TOOLING_SERVER = "arn:aws:ec2:us-east-1:123456789012:instance/i-0replication00000"
OLD_INSTANCE = "arn:aws:ec2:us-east-1:123456789012:instance/i-0old000000000000"
VOLUME = "arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0"
BUCKET = "arn:aws:s3:::team-data"

# docs/map-tagging-rules.md: MGN's managed tag is on launched instances and on its own servers;
# the Name tells the replication/conversion servers (tooling) apart.
MGN = {"AWSApplicationMigrationServiceManaged": "mgn.amazonaws.com"}
REPLICATION = {**MGN, "Name": "AWS Application Migration Service Replication Server"}
CONVERSION = {**MGN, "Name": "AWS Application Migration Service Conversion Server"}
TOOLING_REASON = "Application Migration Service replication/conversion server (tooling)"

# What the unit knew when the dependent was judged: the parent in scope (None), or excluded
# with a reason that carries over. A parent excluded by its own date is absent.
PARENTS: ParentScopes = {INSTANCE: None, TOOLING_SERVER: TOOLING_REASON}


def resource(
    arn: str = BUCKET,
    created: datetime | None = AFTER,
    tags: dict[str, str] | None = None,
    parent: str | None = None,
) -> Resource:
    return Resource(
        arn=arn,
        type="ec2:volume" if parent else "s3:bucket",
        account_id="123456789012",
        region="us-east-1",
        resource_id=arn.rsplit("/", 1)[-1],
        created=created,
        tags={} if tags is None else tags,
        parent=parent,
    )


CASES = [
    # (case, resource, policy, expected reason or None for in scope, carries over)
    ("created after the start", resource(), POLICY, None, True),
    (
        "created on the start day, first second",
        resource(created=datetime(2025, 1, 1, tzinfo=UTC)),
        POLICY,
        None,
        True,
    ),
    (
        "created the last second before the start day",
        resource(created=datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)),
        POLICY,
        "created 2024-12-31, before the agreement start 2025-01-01",
        False,
    ),
    (
        # 01:00 in UTC+2 on the start day is still the day before in UTC
        "creation day is taken in UTC",
        resource(created=datetime(2025, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=2)))),
        POLICY,
        "created 2024-12-31, before the agreement start 2025-01-01",
        False,
    ),
    ("naive timestamps are UTC", resource(created=datetime(2025, 1, 1, 0, 0)), POLICY, None, True),
    ("unknown creation time stays in scope", resource(created=None), POLICY, None, True),
    ("no agreement start: old is in scope", resource(created=BEFORE), NO_START, None, True),
    # facts "Which resources count": volumes, snapshots, AMIs need their own tag
    ("old dependent of an in-scope parent", resource(VOLUME, BEFORE, parent=INSTANCE), POLICY, None, True),
    (
        "dependent of MGN tooling",
        resource(VOLUME, AFTER, parent=TOOLING_SERVER),
        POLICY,
        f"belongs to i-0replication00000, excluded: {TOOLING_REASON}",
        True,
    ),
    (
        "new dependent of a pre-agreement parent: own date",
        resource(VOLUME, AFTER, parent=OLD_INSTANCE),
        POLICY,
        None,
        True,
    ),
    (
        "old dependent of a pre-agreement parent: own date",
        resource(VOLUME, BEFORE, parent=OLD_INSTANCE),
        POLICY,
        "created 2024-06-01, before the agreement start 2025-01-01",
        False,
    ),
    ("replication server", resource(INSTANCE, tags=REPLICATION), POLICY, TOOLING_REASON, True),
    ("conversion server", resource(INSTANCE, tags=CONVERSION), POLICY, TOOLING_REASON, True),
    (
        "tooling even before the start",
        resource(INSTANCE, BEFORE, tags=REPLICATION),
        POLICY,
        TOOLING_REASON,
        True,
    ),
    (
        "instance MGN launched is a workload",
        resource(INSTANCE, tags={**MGN, "Name": "erp-app-01"}),
        POLICY,
        None,
        True,
    ),
    (
        "tooling name without MGN's managed tag is not tooling",
        resource(INSTANCE, tags={"Name": REPLICATION["Name"]}),
        POLICY,
        None,
        True,
    ),
    (
        "managed tag with another value is not tooling",
        resource(
            INSTANCE, tags={"AWSApplicationMigrationServiceManaged": "mgn", "Name": REPLICATION["Name"]}
        ),
        POLICY,
        None,
        True,
    ),
    ("unreadable tags cannot make tooling", resource(INSTANCE, tags=None), POLICY, None, True),
    (
        "tag key=value rule",
        resource(tags={"env": "sandbox"}),
        POLICY,
        "matches exclusion rule 'tag:env=sandbox'",
        True,
    ),
    ("tag key=value rule, other value", resource(tags={"env": "Sandbox"}), POLICY, None, True),
    (
        "tag key rule, any value",
        resource(tags={"maptag-ignore": ""}),
        POLICY,
        "matches exclusion rule 'tag:maptag-ignore'",
        True,
    ),
    ("tag key rule is case-sensitive", resource(tags={"Maptag-Ignore": "yes"}), POLICY, None, True),
    (
        "ARN glob",
        resource("arn:aws:s3:::cdk-hnb659fds-assets"),
        POLICY,
        "matches exclusion rule 'arn:aws:s3:::cdk-*'",
        True,
    ),
    ("ARN glob is case-sensitive", resource("arn:aws:s3:::CDK-assets"), POLICY, None, True),
    (
        "a rule wins over an in-scope parent",
        resource(VOLUME, tags={"env": "sandbox"}, parent=INSTANCE),
        POLICY,
        "matches exclusion rule 'tag:env=sandbox'",
        True,
    ),
    (
        "a rule is reported before tooling",
        resource(INSTANCE, tags={**REPLICATION, "env": "sandbox"}),
        POLICY,
        "matches exclusion rule 'tag:env=sandbox'",
        True,
    ),
    (
        "tooling wins over an old date",
        resource(VOLUME, BEFORE, tags=REPLICATION, parent=OLD_INSTANCE),
        POLICY,
        TOOLING_REASON,
        True,
    ),
]


@pytest.mark.parametrize(
    ("subject", "policy", "reason", "carries_over"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_scope(subject: Resource, policy: Policy, reason: str | None, carries_over: bool) -> None:
    exclusion = scope(subject, policy, PARENTS)
    if reason is None:
        assert exclusion is None
    else:
        assert exclusion is not None
        assert exclusion.reason == reason
        assert exclusion.carries_over is carries_over


def test_unreadable_tags_never_match_a_tag_rule() -> None:
    subject = Resource(BUCKET, "s3:bucket", "123456789012", "us-east-1", "team-data", AFTER, None, "denied")
    assert scope(subject, POLICY, PARENTS) is None


# --- what evaluate() makes of scope and judge together ---


def test_unknown_creation_time_is_said_when_a_start_date_could_have_excluded_it() -> None:
    finding, _ = evaluate(resource(created=None), POLICY, PARENTS)
    assert finding.verdict is Verdict.MISSING
    assert finding.reason.endswith("(creation time unknown: in scope whatever the agreement date)")


@pytest.mark.parametrize(
    ("subject", "policy"),
    [
        (resource(created=None), NO_START),  # no start date: the date does not matter
        (resource(VOLUME, None, parent=INSTANCE), POLICY),  # in scope through its parent
    ],
    ids=["no start date", "in scope through parent"],
)
def test_unknown_creation_time_is_not_mentioned_when_irrelevant(subject: Resource, policy: Policy) -> None:
    finding, _ = evaluate(subject, policy, PARENTS)
    assert finding.verdict is Verdict.MISSING
    assert "creation time" not in finding.reason


def test_excluded_finding_carries_its_reason_and_date_exclusions_do_not_carry_over() -> None:
    finding, carries = evaluate(resource(created=BEFORE), POLICY, PARENTS)
    assert (finding.verdict, carries) == (Verdict.EXCLUDED, False)
    assert finding.reason == "created 2024-06-01, before the agreement start 2025-01-01"
    finding, carries = evaluate(resource(INSTANCE, tags=REPLICATION), POLICY, PARENTS)
    assert (finding.verdict, carries) == (Verdict.EXCLUDED, True)


# --- the creation time scope uses for an instance ---


def _instance(launch: datetime, root_attach: datetime | None, other_attach: datetime | None = None) -> dict:
    mappings = []
    if root_attach is not None:
        mappings.append({"DeviceName": "/dev/xvda", "Ebs": {"AttachTime": root_attach, "VolumeId": "vol-1"}})
    if other_attach is not None:
        mappings.append({"DeviceName": "/dev/sdf", "Ebs": {"AttachTime": other_attach, "VolumeId": "vol-2"}})
    return {
        "InstanceId": "i-1",
        "LaunchTime": launch,
        "RootDeviceName": "/dev/xvda",
        "BlockDeviceMappings": mappings,
    }


@pytest.mark.parametrize(
    ("item", "created"),
    [
        # LaunchTime is the last start: an instance restarted after the start date is not new
        (_instance(launch=AFTER, root_attach=BEFORE), BEFORE),
        # a volume attached later says nothing about the instance's age
        (_instance(launch=AFTER, root_attach=BEFORE, other_attach=AFTER + timedelta(days=1)), BEFORE),
        (_instance(launch=BEFORE, root_attach=BEFORE, other_attach=BEFORE - timedelta(days=9)), BEFORE),
        # instance-store root: it cannot be stopped, so its launch is its creation
        (_instance(launch=AFTER, root_attach=None), AFTER),
    ],
    ids=["restarted", "later data volume", "older data volume", "instance store"],
)
def test_instance_creation_time_is_its_root_volume_attach_time(item: dict, created: datetime) -> None:
    assert EC2_INSTANCE.created_of(item) == created


def test_utc_date() -> None:
    assert (
        utc_date(datetime(2025, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))).isoformat()
        == "2025-01-02"
    )
