"""Auto Scaling groups: paging, a group being deleted, and least privilege.

moto deletes a group at once, so the "Delete in progress" state and the paging of
DescribeAutoScalingGroups are driven through botocore's Stubber (answers the Auto Scaling model
validates); least privilege runs under moto's IAM enforcement.
"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders.autoscaling import auto_scaling_group
from maptag.model import Verdict
from maptag.resources.declarations import required_actions
from maptag.scan import CALLER_ACTIONS
from tests.support.moto_seed import ACCOUNT, COMPLIANT, enforced_scan, policy, scanner_session
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
TYPE = "autoscaling:autoScalingGroup"
NEW = datetime(2025, 6, 1, tzinfo=UTC)


def _group(name: str, status: str | None = None, tagged: bool = False) -> dict[str, object]:
    arn = (
        f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:0f0e0d0c-{name}:autoScalingGroupName/{name}"
    )
    group: dict[str, object] = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": arn,
        "MinSize": 0,
        "MaxSize": 2,
        "DesiredCapacity": 0,
        "DefaultCooldown": 300,
        "AvailabilityZones": [f"{REGION}a"],
        "HealthCheckType": "EC2",
        "CreatedTime": NEW,
        "Tags": [
            {"Key": k, "Value": v, "ResourceId": name} for k, v in (COMPLIANT if tagged else {}).items()
        ],
    }
    if status is not None:
        group["Status"] = status
    return group


def test_groups_are_listed_page_by_page_and_a_group_being_deleted_is_not_reported() -> None:
    aws = StubbedAws(region=REGION)
    first, second = [_group("web", tagged=True)], [_group("batch"), _group("old", "Delete in progress")]
    aws.answer(
        "autoscaling",
        "describe_auto_scaling_groups",
        {"AutoScalingGroups": first, "NextToken": "page-2"},
        {"MaxRecords": 100},
    )
    aws.answer(
        "autoscaling",
        "describe_auto_scaling_groups",
        {"AutoScalingGroups": second},
        {"MaxRecords": 100, "NextToken": "page-2"},
    )
    outcome = aws.scan([TYPE], agreement_start="2025-01-01")
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    found = {f.resource.resource_id: f for f in outcome.findings}
    assert set(found) == {"web", "batch"}
    assert found["web"].verdict is Verdict.COMPLIANT
    assert (found["batch"].verdict, found["batch"].resource.created) == (Verdict.MISSING, NEW)
    assert found["web"].resource.arn == first[0]["AutoScalingGroupARN"]


ACTIONS = required_actions([TYPE], need_created=True)


@pytest.mark.parametrize("missing", [None, *ACTIONS])
def test_the_declared_action_is_enough_and_needed(missing: str | None) -> None:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        made = auto_scaling_group(SeedContext(session, REGION, ACCOUNT), "web", COMPLIANT)
        actions = tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a != missing)
        outcome = enforced_scan(
            scanner_session(session, actions, REGION), policy(regions=[REGION], types=[TYPE])
        )
    (unit,) = outcome.units
    if missing is None:
        assert (unit.status, unit.error) == ("ok", None)
        assert outcome.by_arn()[made].verdict is Verdict.COMPLIANT
        return
    assert unit.status == "failed"
    assert unit.error is not None
    assert missing.split(":", 1)[1] in unit.error
