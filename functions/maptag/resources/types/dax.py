"""DynamoDB Accelerator (DAX) clusters (a database & analytics destination)."""

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

CACHE = ResourceType(
    name="dax:cache",
    service="dax",
    # DAX API Reference, DescribeClusters: "MaxResults ... must be between 20 and 100".
    listing=Listing("describe_clusters", "Clusters[]", 100),
    id="ClusterName",
    arn="arn:{partition}:dax:{region}:{account}:cache/{id}",
    # The DAX API reports no creation time: in scope whatever the agreement date.
    created=None,
    tags=TaggingApi(
        PerResource(
            "list_tags",
            request=lambda _item, arn: {"ResourceName": arn},
            tags=lambda response: pairs(response.get("Tags")),
            paginated=True,
            result="Tags",
        )
    ),
    skip=skip("Status", "deleting"),
    actions=("dax:DescribeClusters", TAGGING_API_ACTION, "dax:ListTags"),
    dba=True,
)

TYPES = (CACHE,)
