"""Network Firewall firewalls."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, default_vpc, tag_list


def firewall(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("network-firewall").create_firewall(
        FirewallName=name,
        FirewallPolicyArn=ctx.arn("network-firewall", "firewall-policy/maptag-seed"),
        VpcId=default_vpc(ctx),
        SubnetMappings=[{"SubnetId": default_subnets(ctx)[0]}],
        **tag_list(tags),
    )
    return str(made["Firewall"]["FirewallArn"])


SEEDERS: dict[str, Seeder] = {"network-firewall:firewall": firewall}
