"""CloudFront distributions (global)."""

from __future__ import annotations

from typing import Any

from maptag.local.seeders import SeedContext, Seeder, Tags, pairs


def _config(name: str) -> dict[str, Any]:
    origin = {
        "Id": "origin",
        "DomainName": "origin.example.com",
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
    }
    return {
        "CallerReference": name,
        "Comment": name,
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": "redirect-to-https"},
    }


def distribution(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    cloudfront = ctx.client("cloudfront")
    if tags:
        made = cloudfront.create_distribution_with_tags(
            DistributionConfigWithTags={"DistributionConfig": _config(name), "Tags": {"Items": pairs(tags)}}
        )
    else:
        made = cloudfront.create_distribution(DistributionConfig=_config(name))
    return str(made["Distribution"]["ARN"])


SEEDERS: dict[str, Seeder] = {"cloudfront:distribution": distribution}
