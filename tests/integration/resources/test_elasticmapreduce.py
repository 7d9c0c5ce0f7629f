"""EMR clusters: only live states are listed, a cluster whose ARN names another region is not the
unit's, a cluster whose tags cannot be read is unreadable (loudly), and least privilege.

The paging and the answers moto cannot give (a cluster of another region in the answer, which is
what moto's server mode does, docs/toolchain.md; a DescribeCluster that fails for one cluster) are
driven through botocore's Stubber, with answers the EMR model validates; the rest runs in moto.
"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders.elasticmapreduce import cluster
from maptag.model import Verdict
from maptag.resources.declarations import required_actions
from maptag.scan import CALLER_ACTIONS
from tests.support.moto_seed import ACCOUNT, COMPLIANT, enforced_scan, policy, scan, scanner_session
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
TYPE = "elasticmapreduce:cluster"
NEW = datetime(2025, 6, 1, tzinfo=UTC)
LIVE = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]


def _summary(cluster_id: str, region: str = REGION) -> dict[str, object]:
    return {
        "Id": cluster_id,
        "Name": cluster_id.lower(),
        "Status": {"State": "WAITING", "Timeline": {"CreationDateTime": NEW}},
        "ClusterArn": f"arn:aws:elasticmapreduce:{region}:{ACCOUNT}:cluster/{cluster_id}",
    }


def test_live_clusters_are_listed_page_by_page_and_read_one_by_one() -> None:
    # Given two pages of live clusters, one of them of another region, one whose tags fail
    aws = StubbedAws(region=REGION)
    first = [_summary("J-TAGGED"), _summary("J-ELSEWHERE", "us-east-1")]
    second = [_summary("J-DENIED")]
    aws.answer("emr", "list_clusters", {"Clusters": first, "Marker": "page-2"}, {"ClusterStates": LIVE})
    cluster_tags = [{"Key": k, "Value": v} for k, v in COMPLIANT.items()]
    aws.answer(
        "emr",
        "describe_cluster",
        {
            "Cluster": {
                "Id": "J-TAGGED",
                "Name": "j-tagged",
                "Status": {"State": "WAITING"},
                "Tags": cluster_tags,
            }
        },
        {"ClusterId": "J-TAGGED"},
    )
    aws.answer("emr", "list_clusters", {"Clusters": second}, {"ClusterStates": LIVE, "Marker": "page-2"})
    aws.fail("emr", "describe_cluster", "ThrottlingException", 400, "Rate exceeded")
    # When the unit is scanned
    outcome = aws.scan([TYPE], agreement_start="2025-01-01")
    # Then only this region's clusters are reported, each with its own tags or loudly unreadable
    found = {f.resource.resource_id: f for f in outcome.findings}
    assert set(found) == {"J-TAGGED", "J-DENIED"}
    assert (found["J-TAGGED"].verdict, found["J-TAGGED"].resource.created) == (Verdict.COMPLIANT, NEW)
    assert found["J-DENIED"].verdict is Verdict.UNREADABLE
    assert "ThrottlingException" in found["J-DENIED"].reason
    assert all(f.resource.type == TYPE and f.resource.region == REGION for f in outcome.findings)


def test_a_terminated_cluster_is_not_reported() -> None:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        context = SeedContext(session, REGION, ACCOUNT)
        live, ended = cluster(context, "live", COMPLIANT), cluster(context, "ended", COMPLIANT)
        session.client("emr").terminate_job_flows(JobFlowIds=[ended.rsplit("/", 1)[1]])
        outcome = scan(session, policy(regions=[REGION], types=[TYPE]))
    assert [(arn, f.verdict) for arn, f in outcome.by_arn().items()] == [(live, Verdict.COMPLIANT)]


ACTIONS = required_actions([TYPE], need_created=True)


@pytest.mark.parametrize("missing", [None, *ACTIONS])
def test_the_declared_actions_are_enough_and_each_is_needed(missing: str | None) -> None:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        made = cluster(SeedContext(session, REGION, ACCOUNT), "live", COMPLIANT)
        actions = tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a != missing)
        outcome = enforced_scan(
            scanner_session(session, actions, REGION), policy(regions=[REGION], types=[TYPE])
        )
    (unit,) = outcome.units
    call = (missing or ":").split(":", 1)[1]
    if missing is None:
        assert (unit.status, unit.error) == ("ok", None)
        assert outcome.by_arn()[made].verdict is Verdict.COMPLIANT
    elif unit.status == "failed":
        assert unit.error is not None
        assert call in unit.error
    else:
        assert outcome.by_arn()[made].verdict is Verdict.UNREADABLE
        assert call in outcome.by_arn()[made].reason
