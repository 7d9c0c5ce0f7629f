"""MemoryDB clusters (a database & analytics destination)."""

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

CLUSTER = ResourceType(
    name="memorydb:cluster",
    service="memorydb",
    listing=Listing("describe_clusters", "Clusters[]", 100),
    id="Name",
    arn="arn:{partition}:memorydb:{region}:{account}:cluster/{id}",
    # The MemoryDB API reports no creation time: in scope whatever the agreement date.
    created=None,
    tags=TaggingApi(
        PerResource(
            "list_tags",
            request=lambda _item, arn: {"ResourceArn": arn},
            tags=lambda response: pairs(response.get("TagList")),
            result="TagList",
        )
    ),
    skip=skip("Status", "deleting"),
    actions=("memorydb:DescribeClusters", TAGGING_API_ACTION, "memorydb:ListTags"),
    dba=True,
)

TYPES = (CLUSTER,)
