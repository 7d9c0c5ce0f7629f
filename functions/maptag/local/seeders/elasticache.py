"""ElastiCache seeders (moto models cache clusters and replication groups, not serverless caches)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def cluster(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    created = ctx.client("elasticache").create_cache_cluster(
        CacheClusterId=name,
        Engine="memcached",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
        **tag_list(tags),
    )
    return str(created["CacheCluster"]["ARN"])


def replication_group(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    created = ctx.client("elasticache").create_replication_group(
        ReplicationGroupId=name,
        ReplicationGroupDescription="seeded",
        Engine="redis",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=2,
        **tag_list(tags),
    )
    return str(created["ReplicationGroup"]["ARN"])


SEEDERS: dict[str, Seeder] = {
    "elasticache:cluster": cluster,
    "elasticache:replicationgroup": replication_group,
}
