"""DMS replication instances in moto: their tags are read with DMS's own batched call
(ListTagsForResource with a list of ARNs), once per listed page, and an instance that never had
a tag (absent from that answer) is missing, not unreadable."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders.dms import replication_instance
from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT, COMPLIANT, NO_MAP_TAG, policy, scan
from tests.support.stubbed import StubbedAws
from tests.support.wire import Wire

REGION = "eu-west-1"


@pytest.fixture
def ctx() -> Iterator[SeedContext]:
    with mock_aws():
        yield SeedContext(boto3.Session(region_name=REGION), REGION, ACCOUNT)


def test_one_tag_call_reads_every_instance_of_a_page(ctx: SeedContext) -> None:
    arns = [
        replication_instance(ctx, f"rep-{n}", tags)
        for n, tags in enumerate([COMPLIANT, NO_MAP_TAG, None] * 3)
    ]
    wire = Wire(ctx.session)
    outcome = scan(ctx.session, policy(regions=[REGION], types=["dms:rep"]))
    verdicts = {f.resource.arn: f.verdict for f in outcome.findings}
    assert [verdicts[arn] for arn in arns] == [Verdict.COMPLIANT, Verdict.MISSING, Verdict.MISSING] * 3
    assert wire.count()["ListTagsForResource"] == 1
    assert sorted(wire.of("ListTagsForResource")[0].json()["ResourceArnList"]) == sorted(arns)


def test_a_failing_tag_call_makes_the_batch_unreadable_loudly() -> None:
    aws = StubbedAws()
    arn = f"arn:aws:dms:eu-west-1:{ACCOUNT}:rep:ABCDEFGHIJ"
    aws.answer(
        "dms",
        "describe_replication_instances",
        {
            "ReplicationInstances": [
                {
                    "ReplicationInstanceIdentifier": "rep-1",
                    "ReplicationInstanceArn": arn,
                    "ReplicationInstanceStatus": "available",
                },
                {
                    "ReplicationInstanceIdentifier": "rep-2",
                    "ReplicationInstanceArn": arn + "2",
                    "ReplicationInstanceStatus": "deleting",
                },
            ]
        },
        {"MaxRecords": 100},
    )
    aws.fail("dms", "list_tags_for_resource", "AccessDeniedFault", 400, "not authorized")
    outcome = aws.scan(["dms:rep"])
    [finding] = outcome.findings  # the deleting instance is not reported
    assert finding.verdict is Verdict.UNREADABLE
    assert "AccessDeniedFault" in finding.reason
