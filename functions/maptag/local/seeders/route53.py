"""Route 53 hosted zones (global)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, pairs


def hosted_zone(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    route53 = ctx.client("route53")
    zone = route53.create_hosted_zone(Name=f"{name}.example.com", CallerReference=name)["HostedZone"]
    zone_id = str(zone["Id"]).rsplit("/", 1)[-1]
    if tags:
        route53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, AddTags=pairs(tags))
    return ctx.arn("route53", f"hostedzone/{zone_id}", region=False, account=False)


SEEDERS: dict[str, Seeder] = {"route53:hostedzone": hosted_zone}
