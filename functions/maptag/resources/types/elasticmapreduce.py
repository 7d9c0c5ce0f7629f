"""EMR clusters (a database & analytics destination: EMR is on the MAP DB&A list)."""

from __future__ import annotations

from maptag.resources.schema import Listing, PerResource, ResourceType, pairs

# Terminating and terminated clusters earn nothing; EMR lists them for two months unless filtered.
_LIVE = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]

CLUSTER = ResourceType(
    name="elasticmapreduce:cluster",
    service="emr",
    # ListClusters has no page size: EMR answers 50 clusters a page.
    listing=Listing("list_clusters", "Clusters[]", None, {"ClusterStates": _LIVE}),
    id="Id",
    arn="ClusterArn",
    created="Status.Timeline.CreationDateTime",
    # ListClusters carries no tags; DescribeCluster does, one cluster a call (a region runs few).
    tags=PerResource(
        "describe_cluster",
        request=lambda item, _arn: {"ClusterId": item["Id"]},
        tags=lambda response: pairs(response["Cluster"].get("Tags")),
        result="Cluster",
    ),
    actions=("elasticmapreduce:ListClusters", "elasticmapreduce:DescribeCluster"),
    dba=True,
)

TYPES = (CLUSTER,)
