"""Network Firewall firewalls."""

from __future__ import annotations

from maptag.resources.schema import Detail, Inline, Listing, ResourceType, skip

FIREWALL = ResourceType(
    name="network-firewall:firewall",
    service="network-firewall",
    listing=Listing("list_firewalls", "Firewalls[]", 100),
    id="FirewallName",
    arn="FirewallArn",
    iam_arn="arn:{partition}:network-firewall:{region}:{account}:firewall/{id}",
    # Neither ListFirewalls nor DescribeFirewall gives a creation time.
    created=None,
    # ListFirewalls gives names only; DescribeFirewall carries the tags and, in
    # FirewallStatus, whether the firewall is being deleted: one call per firewall either way.
    detail=Detail(
        "describe_firewall",
        lambda item: {"FirewallArn": item["FirewallArn"]},
        "Firewall",
        always=True,
        also=("FirewallStatus",),
    ),
    tags=Inline(),
    skip=skip("FirewallStatus.Status", "DELETING", "FAILED"),
    actions=("network-firewall:ListFirewalls", "network-firewall:DescribeFirewall"),
    arn_actions=("network-firewall:DescribeFirewall",),
    securityhub="AwsNetworkFirewallFirewall",
)

TYPES = (FIREWALL,)
