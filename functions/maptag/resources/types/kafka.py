"""Amazon MSK clusters, provisioned and serverless (a database & analytics destination)."""

from __future__ import annotations

from maptag.resources.schema import Inline, Listing, ResourceType, skip

CLUSTER = ResourceType(
    name="kafka:cluster",
    service="kafka",
    # ListClustersV2 lists both kinds and carries each cluster's tags.
    listing=Listing("list_clusters_v2", "ClusterInfoList[]", 100),
    id="ClusterName",
    # arn:${Partition}:kafka:${Region}:${Account}:cluster/${ClusterName}/${Uuid}
    # (Service Authorization Reference): read from the listing.
    arn="ClusterArn",
    created="CreationTime",
    tags=Inline("Tags", mapping=True),
    skip=skip("State", "deleting", "failed"),
    actions=("kafka:ListClustersV2",),
    dba=True,
    securityhub="AwsMskCluster",
)

TYPES = (CLUSTER,)
