"""MemoryDB seeders."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def cluster(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    created = ctx.client("memorydb").create_cluster(
        ClusterName=name, NodeType="db.t4g.small", ACLName="open-access", **tag_list(tags)
    )
    return str(created["Cluster"]["ARN"])


SEEDERS: dict[str, Seeder] = {"memorydb:cluster": cluster}
