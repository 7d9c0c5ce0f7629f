"""Redshift seeders (moto models provisioned clusters, not Redshift Serverless)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def cluster(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    ctx.client("redshift").create_cluster(
        ClusterIdentifier=name,
        NodeType="ra3.xlplus",
        ClusterType="single-node",
        MasterUsername="admin",
        MasterUserPassword="Password-123",
        **tag_list(tags),
    )
    return ctx.arn("redshift", f"cluster:{name}")


SEEDERS: dict[str, Seeder] = {"redshift:cluster": cluster}
