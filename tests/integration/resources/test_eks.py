"""EKS clusters and node groups: a node group's parent, dead states, paging, a failing describe.

States moto cannot put a cluster or node group in (DELETING, CREATE_FAILED) and the paging of
ListNodegroups are driven through botocore's Stubber, with answers the EKS model validates. moto
runs the parent relation end to end. Least privilege is not checked here: moto's IAM
enforcement rejects every signed EKS request (SignatureDoesNotMatch whatever the policy, as for
Lambda and EFS); the declared actions are the operations' own (tests/unit/resources/test_declarations.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders import eks as seeders
from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT, COMPLIANT, policy, scan
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
NEW = datetime(2025, 6, 1, tzinfo=UTC)
OLD = datetime(2024, 6, 1, tzinfo=UTC)


def _cluster_arn(name: str) -> str:
    return f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{name}"


def _nodegroup(cluster: str, name: str, created: datetime, status: str = "ACTIVE") -> dict[str, object]:
    return {
        "nodegroupName": name,
        "nodegroupArn": f"arn:aws:eks:{REGION}:{ACCOUNT}:nodegroup/{cluster}/{name}/0a1b2c3d",
        "clusterName": cluster,
        "createdAt": created,
        "status": status,
        "tags": {},
    }


def test_clusters_and_node_groups_are_dated_skipped_when_dead_and_paged() -> None:
    # Given a new cluster, an old one and one being deleted, and their node groups
    aws = StubbedAws(region=REGION)
    clusters = {"prod": (NEW, "ACTIVE"), "legacy": (OLD, "ACTIVE"), "dying": (NEW, "DELETING")}
    aws.answer("eks", "list_clusters", {"clusters": list(clusters)}, {"maxResults": 100})
    for name, (created, status) in clusters.items():
        cluster = {"name": name, "arn": _cluster_arn(name), "createdAt": created, "status": status}
        tags = {"tags": dict(COMPLIANT)} if name == "prod" else {}
        aws.answer("eks", "describe_cluster", {"cluster": {**cluster, **tags}}, {"name": name})
    aws.answer("eks", "list_clusters", {"clusters": list(clusters)}, {"maxResults": 100})
    groups = {
        "prod": [[_nodegroup("prod", "web", NEW)], [_nodegroup("prod", "broken", NEW, "CREATE_FAILED")]],
        "legacy": [[_nodegroup("legacy", "batch", OLD)]],
        "dying": [[]],
    }
    for cluster_name, pages in groups.items():
        for number, page in enumerate(pages):
            asked = {"clusterName": cluster_name, "maxResults": 100}
            if number:
                asked["nextToken"] = f"{cluster_name}-{number}"
            more = {"nextToken": f"{cluster_name}-{number + 1}"} if number + 1 < len(pages) else {}
            names = [str(group["nodegroupName"]) for group in page]
            aws.answer("eks", "list_nodegroups", {"nodegroups": names, **more}, asked)
            for group in page:
                aws.answer(
                    "eks",
                    "describe_nodegroup",
                    {"nodegroup": group},
                    {"clusterName": cluster_name, "nodegroupName": group["nodegroupName"]},
                )
    # When both types are scanned with an agreement start
    outcome = aws.scan(["eks:cluster", "eks:nodegroup"], agreement_start="2025-01-01")
    # Then the live ones are reported, dated, and each node group names its cluster
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    found = outcome.by_arn()
    web, batch = str(groups["prod"][0][0]["nodegroupArn"]), str(groups["legacy"][0][0]["nodegroupArn"])
    assert set(found) == {_cluster_arn("prod"), _cluster_arn("legacy"), web, batch}
    assert found[_cluster_arn("prod")].verdict is Verdict.COMPLIANT
    assert found[_cluster_arn("legacy")].verdict is Verdict.EXCLUDED
    assert (found[web].resource.parent, found[web].verdict) == (_cluster_arn("prod"), Verdict.MISSING)
    assert "no tags at all" in found[web].reason
    assert (found[batch].resource.parent, found[batch].verdict) == (_cluster_arn("legacy"), Verdict.EXCLUDED)
    assert found[batch].resource.created == OLD


def test_a_describe_that_fails_fails_the_unit_loudly() -> None:
    aws = StubbedAws(region=REGION)
    aws.answer("eks", "list_clusters", {"clusters": ["prod"]}, {"maxResults": 100})
    aws.fail("eks", "describe_cluster", "AccessDeniedException", 403)
    outcome = aws.scan(["eks:cluster"])
    assert outcome.unit.status == "failed"
    assert outcome.unit.error is not None
    assert "eks:cluster" in outcome.unit.error
    assert "AccessDeniedException" in outcome.unit.error


def test_a_node_group_names_its_cluster_as_its_parent() -> None:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        context = SeedContext(session, REGION, ACCOUNT)
        cluster = seeders.cluster(context, "prod", COMPLIANT)
        group = seeders.nodegroup(context, "web", None, parent=cluster)
        outcome = scan(session, policy(regions=[REGION], types=["eks:cluster", "eks:nodegroup"]))
    found = outcome.by_arn()
    assert found[group].resource.parent == cluster
    assert found[group].resource.type == "eks:nodegroup"
    assert found[group].verdict is Verdict.MISSING
    assert found[cluster].verdict is Verdict.COMPLIANT
