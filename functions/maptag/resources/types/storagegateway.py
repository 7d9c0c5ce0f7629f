"""Storage Gateway gateways."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Listing,
    PerResource,
    ResourceType,
    TaggingApi,
    pairs,
)

GATEWAY = ResourceType(
    name="storagegateway:gateway",
    service="storagegateway",
    # ListGateways returns at most 100 gateways a call (API reference).
    listing=Listing("list_gateways", "Gateways[]", 100),
    id="GatewayId",
    arn="GatewayARN",
    iam_arn="arn:{partition}:storagegateway:{region}:{account}:gateway/{id}",
    # Neither ListGateways nor DescribeGatewayInformation gives a creation time.
    created=None,
    tags=TaggingApi(
        PerResource(
            "list_tags_for_resource",
            # A resource holds at most 50 tags: one page of 50 holds them all.
            request=lambda _item, arn: {"ResourceARN": arn, "Limit": 50},
            tags=lambda response: pairs(response.get("Tags")),
            result="Tags",
        )
    ),
    actions=("storagegateway:ListGateways", TAGGING_API_ACTION, "storagegateway:ListTagsForResource"),
    arn_actions=("storagegateway:ListTagsForResource",),
)

TYPES = (GATEWAY,)
