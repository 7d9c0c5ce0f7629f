"""MSK clusters: ListClustersV2 lists provisioned and serverless clusters with their tags (no
tag call), and clusters being deleted or failed are not reported."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders.kafka import cluster
from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT, COMPLIANT, NO_MAP_TAG, policy, scan
from tests.support.stubbed import StubbedAws
from tests.support.wire import Wire

REGION = "eu-west-1"


@pytest.fixture
def ctx() -> Iterator[SeedContext]:
    with mock_aws():
        yield SeedContext(boto3.Session(region_name=REGION), REGION, ACCOUNT)


def test_provisioned_and_serverless_clusters_are_judged_from_the_listing_alone(ctx: SeedContext) -> None:
    # The seeder alternates the kinds by the name's length: one of each
    serverless = cluster(ctx, "odd", COMPLIANT)
    provisioned = cluster(ctx, "even", NO_MAP_TAG)
    kinds = {
        c["ClusterArn"]: c["ClusterType"] for c in ctx.client("kafka").list_clusters_v2()["ClusterInfoList"]
    }
    assert kinds == {serverless: "SERVERLESS", provisioned: "PROVISIONED"}
    wire = Wire(ctx.session)
    outcome = scan(ctx.session, policy(regions=[REGION], types=["kafka:cluster"]))
    verdicts = {f.resource.arn: f.verdict for f in outcome.findings}
    assert verdicts == {serverless: Verdict.COMPLIANT, provisioned: Verdict.MISSING}
    assert set(wire.count()) <= {"ListClustersV2", "GetCallerIdentity"}


def test_deleting_and_failed_clusters_are_not_reported() -> None:
    aws = StubbedAws()
    arn = f"arn:aws:kafka:eu-west-1:{ACCOUNT}:cluster/{{}}/uuid"
    aws.answer(
        "kafka",
        "list_clusters_v2",
        {
            "ClusterInfoList": [
                {
                    "ClusterName": name,
                    "ClusterArn": arn.format(name),
                    "State": state,
                    "ClusterType": "PROVISIONED",
                }
                for name, state in (("live", "ACTIVE"), ("going", "DELETING"), ("broken", "FAILED"))
            ]
        },
        {"MaxResults": 100},
    )
    outcome = aws.scan(["kafka:cluster"])
    assert [f.resource.arn for f in outcome.findings] == [arn.format("live")]
    assert "no tags at all" in outcome.findings[0].reason
