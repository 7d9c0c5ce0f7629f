"""Application Load Balancers (ELBv2) in two default subnets."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, tag_list


def load_balancer(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("elbv2").create_load_balancer(
        Name=name, Subnets=default_subnets(ctx), **tag_list(tags)
    )
    return str(found["LoadBalancers"][0]["LoadBalancerArn"])


SEEDERS: dict[str, Seeder] = {"elasticloadbalancing:loadbalancer": load_balancer}
