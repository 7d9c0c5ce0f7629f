"""RDS cluster snapshots and proxies in moto: each snapshot's parent is its cluster, manual and
automated snapshots alike (moto makes the automated one when the cluster is created, as AWS
does), and a cluster's exclusion carries to its snapshots while its creation date does not."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from freezegun import freeze_time
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders.rds import cluster_snapshot
from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT, COMPLIANT, policy, scan
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
CLUSTER_ARN = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{{}}"


@pytest.fixture
def ctx() -> Iterator[SeedContext]:
    with mock_aws():
        yield SeedContext(boto3.Session(region_name=REGION), REGION, ACCOUNT)


def _cluster(ctx: SeedContext, name: str, tags: dict[str, str]) -> str:
    ctx.client("rds").create_db_cluster(
        DBClusterIdentifier=name,
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="password-123",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )
    return CLUSTER_ARN.format(name)


def test_snapshots_name_their_cluster_and_inherit_its_exclusion_not_its_date(ctx: SeedContext) -> None:
    # Given a cluster made before the agreement start, one excluded by a rule, each with a
    # manual snapshot made after it (and the automated snapshot each got at creation)
    with freeze_time("2024-03-01"):
        old = _cluster(ctx, "legacy", COMPLIANT)
        sandbox = _cluster(ctx, "sandbox", {"env": "sandbox"})
    with freeze_time("2025-06-15"):
        old_snapshot = cluster_snapshot(ctx, "legacy-manual", None, parent=old)
        sandbox_snapshot = cluster_snapshot(ctx, "sandbox-manual", COMPLIANT, parent=sandbox)
    # When the clusters and their snapshots are scanned
    outcome = scan(
        ctx.session,
        policy(
            regions=[REGION],
            agreement_start="2025-01-01",
            types=["rds:cluster", "rds:cluster-snapshot"],
            exclusions=["tag:env=sandbox"],
        ),
    )
    snapshots = outcome.of_type("rds:cluster-snapshot")
    # Then every snapshot, manual or automated, names its cluster as parent
    assert sorted(f.resource.parent or "" for f in snapshots) == sorted([old, old, sandbox, sandbox])
    by_arn = outcome.by_arn()
    # The old cluster is excluded by its own date, which does not carry over: its new manual
    # snapshot is judged on its own (never tagged: missing)
    assert by_arn[old].verdict is Verdict.EXCLUDED
    assert by_arn[old_snapshot].verdict is Verdict.MISSING, by_arn[old_snapshot].reason
    # The excluded cluster's snapshot is excluded with it, even though it is tagged
    assert by_arn[sandbox_snapshot].verdict is Verdict.EXCLUDED
    assert "belongs to sandbox, excluded" in by_arn[sandbox_snapshot].reason


def test_a_deleting_cluster_snapshot_is_not_reported() -> None:
    # moto deletes at once, so the dead state is answered through Stubber (validated answers)
    aws = StubbedAws()
    live, going = (
        {
            "DBClusterSnapshotIdentifier": name,
            "DBClusterIdentifier": "orders",
            "DBClusterSnapshotArn": f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster-snapshot:{name}",
            "Status": status,
            "TagList": [],
        }
        for name, status in (("kept", "available"), ("going", "deleting"))
    )
    aws.answer(
        "rds", "describe_db_cluster_snapshots", {"DBClusterSnapshots": [live, going]}, {"MaxRecords": 100}
    )
    outcome = aws.scan(["rds:cluster-snapshot"])
    assert [f.resource.arn for f in outcome.findings] == [live["DBClusterSnapshotArn"]]
