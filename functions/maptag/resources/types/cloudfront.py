"""CloudFront distributions (global: listed once per account, attributed to us-east-1)."""

from __future__ import annotations

from maptag.resources.schema import TAGGING_API_ACTION, Listing, PerResource, ResourceType, TaggingApi, pairs

DISTRIBUTION = ResourceType(
    name="cloudfront:distribution",
    service="cloudfront",
    # At most 100 distributions a page (API reference, ListDistributions MaxItems).
    listing=Listing("list_distributions", "DistributionList.Items[]", 100, result="DistributionList"),
    id="Id",
    arn="arn:{partition}:cloudfront::{account}:distribution/{id}",
    # LastModifiedTime changes with every update: the API has no creation time.
    created=None,
    # The Tagging API answers for CloudFront in us-east-1, the unit global types are scanned in.
    tags=TaggingApi(
        PerResource(
            "list_tags_for_resource",
            request=lambda _item, arn: {"Resource": arn},
            tags=lambda response: pairs((response.get("Tags") or {}).get("Items")),
            result="Tags",
        )
    ),
    actions=("cloudfront:ListDistributions", TAGGING_API_ACTION, "cloudfront:ListTagsForResource"),
    arn_actions=("cloudfront:ListTagsForResource",),
    securityhub="AwsCloudFrontDistribution",
    is_global=True,
)

TYPES = (DISTRIBUTION,)
