"""RDS and Aurora: instances, clusters, their snapshots and proxies (database & analytics destinations)."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Inline,
    Listing,
    Parent,
    PerResource,
    ResourceType,
    TaggingApi,
    TagWriter,
    pairs,
    skip,
    tag_list,
)

# RDS tags with its own AddTagsToResource/RemoveTagsFromResource (ARN in ResourceName): it has
# no rds:TagResource action for TagResources to need (docs/fix.md).
TAGS = TagWriter(
    tag="add_tags_to_resource",
    untag="remove_tags_from_resource",
    tag_request=lambda arn, tags: {"ResourceName": arn, "Tags": tag_list(tags)},
    untag_request=lambda arn, keys: {"ResourceName": arn, "TagKeys": list(keys)},
    actions=("rds:AddTagsToResource", "rds:RemoveTagsFromResource"),
)

DB = ResourceType(
    name="rds:db",
    service="rds",
    listing=Listing("describe_db_instances", "DBInstances[]", 100),
    id="DBInstanceIdentifier",
    arn="arn:{partition}:rds:{region}:{account}:db:{id}",
    created="InstanceCreateTime",
    tags=Inline("TagList"),
    actions=("rds:DescribeDBInstances",),
    arn_actions=("rds:DescribeDBInstances",),
    dba=True,
    securityhub="AwsRdsDbInstance",
    writer=TAGS,
)

CLUSTER = ResourceType(
    name="rds:cluster",
    service="rds",
    listing=Listing("describe_db_clusters", "DBClusters[]", 100),
    id="DBClusterIdentifier",
    arn="arn:{partition}:rds:{region}:{account}:cluster:{id}",
    created="ClusterCreateTime",
    tags=Inline("TagList"),
    actions=("rds:DescribeDBClusters",),
    arn_actions=("rds:DescribeDBClusters",),
    dba=True,
    securityhub="AwsRdsDbCluster",
    writer=TAGS,
)

SNAPSHOT = ResourceType(
    name="rds:snapshot",
    service="rds",
    listing=Listing("describe_db_snapshots", "DBSnapshots[]", 100),
    id="DBSnapshotIdentifier",
    arn="arn:{partition}:rds:{region}:{account}:snapshot:{id}",
    created="SnapshotCreateTime",
    tags=Inline("TagList"),
    parent=Parent("rds:db", "DBInstanceIdentifier"),
    actions=("rds:DescribeDBSnapshots",),
    arn_actions=("rds:DescribeDBSnapshots",),
    dba=True,
    securityhub="AwsRdsDbSnapshot",
    writer=TAGS,
)

CLUSTER_SNAPSHOT = ResourceType(
    name="rds:cluster-snapshot",
    service="rds",
    # Manual and automated snapshots alike: both are billed backup storage of the cluster.
    listing=Listing("describe_db_cluster_snapshots", "DBClusterSnapshots[]", 100),
    id="DBClusterSnapshotIdentifier",
    arn="DBClusterSnapshotArn",
    created="SnapshotCreateTime",
    tags=Inline("TagList"),
    parent=Parent("rds:cluster", "DBClusterIdentifier"),
    skip=skip("Status", "deleting", "failed"),
    actions=("rds:DescribeDBClusterSnapshots",),
    dba=True,
    securityhub="AwsRdsDbClusterSnapshot",
)

DB_PROXY = ResourceType(
    name="rds:db-proxy",
    service="rds",
    # DescribeDBProxies takes 20-100 records a page (botocore's model) and carries no tags.
    listing=Listing("describe_db_proxies", "DBProxies[]", 100),
    id="DBProxyName",
    # The ARN names the proxy's resource id (db-proxy:prx-...), not its name.
    arn="DBProxyArn",
    created="CreatedDate",
    tags=TaggingApi(
        PerResource(
            "list_tags_for_resource",
            request=lambda _item, arn: {"ResourceName": arn},
            tags=lambda response: pairs(response.get("TagList")),
            result="TagList",
        )
    ),
    skip=skip("Status", "deleting"),
    actions=("rds:DescribeDBProxies", TAGGING_API_ACTION, "rds:ListTagsForResource"),
    dba=True,
)

TYPES = (DB, CLUSTER, SNAPSHOT, CLUSTER_SNAPSHOT, DB_PROXY)
