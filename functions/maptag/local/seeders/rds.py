"""RDS in moto: DB instances and their snapshots, Aurora clusters and theirs, and DB proxies.

moto, like RDS, takes an automated snapshot of each new instance and cluster at once.
"""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, service_role, tag_list

PASSWORD = "seed-only-not-a-secret"  # moto's databases hold nothing


def db(
    ctx: SeedContext,
    name: str,
    tags: Tags,
    parent: str | None = None,
    *,
    engine: str = "postgres",
    instance_class: str = "db.t3.micro",
    storage_gb: int = 20,
    copy_tags: bool = False,
) -> str:
    """A DB instance; its automated snapshot carries its tags only with ``copy_tags``
    (CopyTagsToSnapshot, docs/map-tagging-rules.md "Which resources count")."""
    found = ctx.client("rds").create_db_instance(
        DBInstanceIdentifier=name,
        Engine=engine,
        DBInstanceClass=instance_class,
        AllocatedStorage=storage_gb,
        MasterUsername="dbadmin",
        MasterUserPassword=PASSWORD,
        CopyTagsToSnapshot=copy_tags,
        **tag_list(tags),
    )
    return str(found["DBInstance"]["DBInstanceArn"])


def snapshot(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    """A manual snapshot of the DB ``parent`` (its ARN), or of an untagged DB of its own."""
    instance = (parent or db(ctx, f"{name}-source", None)).rsplit(":", 1)[-1]
    found = ctx.client("rds").create_db_snapshot(
        DBSnapshotIdentifier=name, DBInstanceIdentifier=instance, **tag_list(tags)
    )
    return str(found["DBSnapshot"]["DBSnapshotArn"])


def cluster(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    """An Aurora cluster (its automated snapshot untagged: CopyTagsToSnapshot off)."""
    found = ctx.client("rds").create_db_cluster(
        DBClusterIdentifier=name,
        Engine="aurora-postgresql",
        MasterUsername="dbadmin",
        MasterUserPassword=PASSWORD,
        **tag_list(tags),
    )
    return str(found["DBCluster"]["DBClusterArn"])


def cluster_snapshot(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    source = parent or cluster(ctx, f"{name}-source", None)
    snapshot = ctx.client("rds").create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=name, DBClusterIdentifier=source.rsplit(":", 1)[-1], **tag_list(tags)
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


SEEDERS: dict[str, Seeder] = {
    "rds:db": db,
    "rds:snapshot": snapshot,
    "rds:cluster": cluster,
    "rds:cluster-snapshot": cluster_snapshot,
    "rds:db-proxy": db_proxy,
}
