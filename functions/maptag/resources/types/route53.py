"""Route 53 hosted zones (global: listed once per account, attributed to us-east-1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from maptag.resources.schema import Batched, Listing, ResourceType, Tags, pairs


def _zone_tags(response: Mapping[str, Any]) -> Iterator[tuple[str, Tags]]:
    for tag_set in response.get("ResourceTagSets", []):
        yield tag_set["ResourceId"], pairs(tag_set.get("Tags"))


HOSTED_ZONE = ResourceType(
    name="route53:hostedzone",
    service="route53",
    # At most 100 hosted zones a page (API reference, ListHostedZones).
    listing=Listing("list_hosted_zones", "HostedZones[]", 100),
    # ListHostedZones names a zone "/hostedzone/Z123"; its ARN and id use "Z123".
    id=lambda item: str(item["Id"]).rsplit("/", 1)[-1],
    arn="arn:{partition}:route53:::hostedzone/{id}",
    # The API has no creation time.
    created=None,
    # ListTagsForResources reads 10 zones a call and names them by id.
    tags=Batched(
        "list_tags_for_resources",
        size=10,
        request=lambda arns: {
            "ResourceType": "hostedzone",
            "ResourceIds": [arn.rsplit("/", 1)[-1] for arn in arns],
        },
        tags=_zone_tags,
        key=lambda arn: arn.rsplit("/", 1)[-1],
    ),
    actions=("route53:ListHostedZones", "route53:ListTagsForResources"),
    arn_actions=("route53:ListTagsForResources",),
    securityhub="AwsRoute53HostedZone",
    is_global=True,
)

TYPES = (HOSTED_ZONE,)
