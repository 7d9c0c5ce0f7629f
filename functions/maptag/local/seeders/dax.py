"""DAX seeders."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, service_role, tag_list


def cache(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    created = ctx.client("dax").create_cluster(
        ClusterName=name,
        NodeType="dax.t3.small",
        ReplicationFactor=1,
        IamRoleArn=service_role(ctx, "seed-dax", "dax.amazonaws.com"),
        **tag_list(tags),
    )
    return str(created["Cluster"]["ClusterArn"])


SEEDERS: dict[str, Seeder] = {"dax:cache": cache}
