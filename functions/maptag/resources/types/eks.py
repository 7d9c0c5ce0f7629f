"""EKS clusters and their managed node groups.

EKS's list calls give names only: each cluster and node group is described (its ARN, creation
time, status and tags as a {key: value} object). A node group's parent is its cluster.
"""

from __future__ import annotations

from maptag.resources.schema import Detail, Inline, Listing, Over, Parent, ResourceType, skip

_TAGS = Inline("tags", mapping=True)

CLUSTER = ResourceType(
    name="eks:cluster",
    service="eks",
    listing=Listing("list_clusters", "clusters[].{name: @}", 100, result="clusters"),
    detail=Detail("describe_cluster", lambda item: {"name": item["name"]}, "cluster", always=True),
    id="name",
    arn="arn:{partition}:eks:{region}:{account}:cluster/{id}",
    created="createdAt",
    tags=_TAGS,
    skip=skip("status", "DELETING", "FAILED"),
    actions=("eks:ListClusters", "eks:DescribeCluster"),
    securityhub="AwsEksCluster",
)

NODEGROUP = ResourceType(
    name="eks:nodegroup",
    service="eks",
    listing=Listing(
        "list_nodegroups",
        "nodegroups[].{nodegroupName: @}",
        100,
        result="nodegroups",
        within=Over("list_clusters", "clusters[]", "clusterName", page_size=100),
    ),
    detail=Detail(
        "describe_nodegroup",
        lambda item: {"clusterName": item["clusterName"], "nodegroupName": item["nodegroupName"]},
        "nodegroup",
        always=True,
    ),
    id="nodegroupName",
    arn="nodegroupArn",
    created="createdAt",
    tags=_TAGS,
    parent=Parent("eks:cluster", "clusterName"),
    skip=skip("status", "DELETING", "CREATE_FAILED"),
    actions=("eks:ListClusters", "eks:ListNodegroups", "eks:DescribeNodegroup"),
)

TYPES = (CLUSTER, NODEGROUP)
