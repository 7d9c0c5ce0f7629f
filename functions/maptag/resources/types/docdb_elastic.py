"""Amazon DocumentDB elastic clusters (a database & analytics destination)."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Detail,
    Listing,
    PerResource,
    ResourceType,
    TaggingApi,
    iso,
    skip,
)

CLUSTER = ResourceType(
    name="docdb-elastic:cluster",
    service="docdb-elastic",
    listing=Listing("list_clusters", "clusters[]", 100),
    id="clusterName",
    # The ARN names the cluster's id (cluster/<uuid>), not its name.
    arn="clusterArn",
    # ListClusters has no creation time; GetCluster's createTime (a text) costs a call per
    # cluster, made only when an agreement start makes it matter.
    created=lambda item: iso(item.get("createTime")),
    detail=Detail("get_cluster", lambda item: {"clusterArn": item["clusterArn"]}, "cluster"),
    tags=TaggingApi(
        PerResource(
            "list_tags_for_resource",
            request=lambda _item, arn: {"resourceArn": arn},
            tags=lambda response: {str(k): str(v) for k, v in (response.get("tags") or {}).items()},
            result="tags",
        )
    ),
    skip=skip("status", "deleting"),
    actions=("docdb-elastic:ListClusters", TAGGING_API_ACTION, "docdb-elastic:ListTagsForResource"),
    detail_action="docdb-elastic:GetCluster",
    dba=True,
)

TYPES = (CLUSTER,)
