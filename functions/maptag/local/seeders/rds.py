"""RDS seeders for the types beyond instances, clusters and DB snapshots (issue 9)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, service_role, tag_list


def _cluster(ctx: SeedContext, name: str) -> str:
    """An untagged Aurora cluster (moto also makes its automated snapshot at once)."""
    ctx.client("rds").create_db_cluster(
        DBClusterIdentifier=name,
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="password-123",
    )
    return name


def cluster_snapshot(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    cluster = parent.rsplit(":", 1)[-1] if parent else _cluster(ctx, f"{name}-source")
    snapshot = ctx.client("rds").create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=name, DBClusterIdentifier=cluster, **tag_list(tags)
    )
    return str(snapshot["DBClusterSnapshot"]["DBClusterSnapshotArn"])


def db_proxy(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    proxy = ctx.client("rds").create_db_proxy(
        DBProxyName=name,
        EngineFamily="POSTGRESQL",
        Auth=[{"SecretArn": ctx.arn("secretsmanager", f"secret:{name}-credentials")}],
        RoleArn=service_role(ctx, "seed-rds-proxy", "rds.amazonaws.com"),
        VpcSubnetIds=default_subnets(ctx),
        **tag_list(tags),
    )
    return str(proxy["DBProxy"]["DBProxyArn"])


SEEDERS: dict[str, Seeder] = {"rds:cluster-snapshot": cluster_snapshot, "rds:db-proxy": db_proxy}
