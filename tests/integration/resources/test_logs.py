"""CloudWatch Logs log groups: pages of 50, tags in batches, least privilege (moto)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from maptag.model import Verdict
from tests.support.moto_seed import COMPLIANT, SEEDERS, policy, scan
from tests.support.privileges import assert_least_privilege
from tests.support.wire import Wire

REGION = "eu-west-1"


def test_least_privilege() -> None:
    assert_least_privilege(["logs:log-group"])


def test_fifty_one_groups_take_two_pages_and_one_batched_tag_read() -> None:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        seeded = {
            SEEDERS["logs:log-group"](session, REGION, f"app-{n:02}", COMPLIANT if n % 2 else None): n % 2
            for n in range(51)
        }
        wire = Wire(session)
        outcome = scan(session, policy(regions=[REGION], types=["logs:log-group"]))
    # every group is judged by its tags, under the tagging ARN (no ":*")
    assert {f.resource.arn: f.verdict for f in outcome.findings} == {
        arn: Verdict.COMPLIANT if tagged else Verdict.MISSING for arn, tagged in seeded.items()
    }
    assert all(not arn.endswith(":*") for arn in seeded)
    # two pages of at most 50, and the tags of all 51 in one GetResources call
    assert wire.count()["DescribeLogGroups"] == 2
    assert wire.count()["GetResources"] == 1
    assert wire.count()["ListTagsForResource"] == 0
