"""ElastiCache: cache clusters, replication groups and serverless caches (DB&A destinations).

A replication group's member nodes are cache clusters too (DescribeCacheClusters lists them),
but they are reported once, through their replication group: ElastiCache replicates a group's
tags to all its nodes (AddTagsToResource, ElastiCache API Reference), so the group is where a
migrated cache is tagged, and listing its members as well would count each node twice
(docs/resource-types.md, "Database & analytics types: notes"). ``elasticache:cluster`` is a
cache cluster outside any replication group: a Memcached cluster or a standalone Valkey/Redis
OSS node.
"""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Listing,
    PerResource,
    ResourceType,
    TaggingApi,
    pairs,
    skip,
)

# One tag read for the three types: the service has no batched read of its own.
_TAGS = TaggingApi(
    PerResource(
        "list_tags_for_resource",
        request=lambda _item, arn: {"ResourceName": arn},
        tags=lambda response: pairs(response.get("TagList")),
        result="TagList",
    )
)
_TAG_ACTIONS = (TAGGING_API_ACTION, "elasticache:ListTagsForResource")

CLUSTER = ResourceType(
    name="elasticache:cluster",
    service="elasticache",
    listing=Listing(
        "describe_cache_clusters",
        "CacheClusters[]",
        100,
        {"ShowCacheClustersNotInReplicationGroups": True},
    ),
    id="CacheClusterId",
    arn="arn:{partition}:elasticache:{region}:{account}:cluster:{id}",
    created="CacheClusterCreateTime",
    tags=_TAGS,
    skip=skip("CacheClusterStatus", "deleting", "deleted", "create-failed"),
    actions=("elasticache:DescribeCacheClusters", *_TAG_ACTIONS),
    dba=True,
)

REPLICATION_GROUP = ResourceType(
    name="elasticache:replicationgroup",
    service="elasticache",
    listing=Listing("describe_replication_groups", "ReplicationGroups[]", 100),
    id="ReplicationGroupId",
    arn="arn:{partition}:elasticache:{region}:{account}:replicationgroup:{id}",
    created="ReplicationGroupCreateTime",
    tags=_TAGS,
    skip=skip("Status", "deleting", "create-failed"),
    actions=("elasticache:DescribeReplicationGroups", *_TAG_ACTIONS),
    dba=True,
)

SERVERLESS_CACHE = ResourceType(
    name="elasticache:serverlesscache",
    service="elasticache",
    # No documented maximum (ElastiCache API Reference: "The default is 50"): ask for that.
    listing=Listing("describe_serverless_caches", "ServerlessCaches[]", 50),
    id="ServerlessCacheName",
    arn="arn:{partition}:elasticache:{region}:{account}:serverlesscache:{id}",
    created="CreateTime",
    tags=_TAGS,
    skip=skip("Status", "deleting", "create-failed"),
    actions=("elasticache:DescribeServerlessCaches", *_TAG_ACTIONS),
    dba=True,
)

TYPES = (CLUSTER, REPLICATION_GROUP, SERVERLESS_CACHE)
