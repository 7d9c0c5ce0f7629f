"""EC2 networking in moto: NAT gateways, transit gateways and their attachments, Elastic IPs,
VPC endpoints, VPN connections and Dedicated Hosts (capacity reservations: moto lacks them)."""

from __future__ import annotations

from typing import Any

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, default_vpc, pairs


def _specs(kind: str, tags: Tags) -> dict[str, Any]:
    """TagSpecifications for a create call, or nothing when the resource has no tags."""
    return {"TagSpecifications": [{"ResourceType": kind, "Tags": pairs(tags)}]} if tags else {}


def _transit_gateway(ctx: SeedContext, parent: str | None) -> str:
    """The gateway ``parent`` (its ARN), or one untagged transit gateway per context."""
    if parent is not None:
        return parent.rsplit("/", 1)[-1]
    return ctx.once(
        "transit-gateway",
        lambda: str(ctx.client("ec2").create_transit_gateway()["TransitGateway"]["TransitGatewayId"]),
    )


def _customer_gateway(ctx: SeedContext) -> str:
    return ctx.once(
        "customer-gateway",
        lambda: str(
            ctx.client("ec2").create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.10", BgpAsn=65000)[
                "CustomerGateway"
            ]["CustomerGatewayId"]
        ),
    )


def nat_gateway(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    # A private NAT gateway needs no Elastic IP (which would be one more resource to report).
    found = ctx.client("ec2").create_nat_gateway(
        SubnetId=default_subnets(ctx)[0], ConnectivityType="private", **_specs("natgateway", tags)
    )
    return ctx.arn("ec2", f"natgateway/{found['NatGateway']['NatGatewayId']}")


def transit_gateway(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("ec2").create_transit_gateway(Description=name, **_specs("transit-gateway", tags))
    return str(found["TransitGateway"]["TransitGatewayArn"])


def transit_gateway_attachment(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    """An attachment to the gateway ``parent`` (its ARN), or to an untagged gateway of its own."""
    ec2 = ctx.client("ec2")
    # A gateway takes one attachment per VPC: each attachment gets a VPC of its own.
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    found = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=_transit_gateway(ctx, parent), VpcId=vpc, SubnetIds=[subnet]
    )
    attachment = found["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    if tags:
        # moto ignores the tags given to CreateTransitGatewayVpcAttachment (docs/toolchain.md)
        ec2.create_tags(Resources=[attachment], Tags=pairs(tags))
    return ctx.arn("ec2", f"transit-gateway-attachment/{attachment}")


def elastic_ip(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("ec2").allocate_address(Domain="vpc", **_specs("elastic-ip", tags))
    return ctx.arn("ec2", f"elastic-ip/{found['AllocationId']}")


def vpc_endpoint(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    # An interface endpoint (billed by the hour; gateway endpoints are free and not scanned)
    found = ctx.client("ec2").create_vpc_endpoint(
        VpcId=default_vpc(ctx),
        VpcEndpointType="Interface",
        ServiceName=f"com.amazonaws.{ctx.region}.sqs",
        SubnetIds=default_subnets(ctx)[:1],
        **_specs("vpc-endpoint", tags),
    )
    return ctx.arn("ec2", f"vpc-endpoint/{found['VpcEndpoint']['VpcEndpointId']}")


def vpn_connection(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    """A VPN connection on the gateway ``parent`` (its ARN), or on an untagged gateway of its own."""
    found = ctx.client("ec2").create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=_customer_gateway(ctx),
        TransitGatewayId=_transit_gateway(ctx, parent),
        **_specs("vpn-connection", tags),
    )
    return ctx.arn("ec2", f"vpn-connection/{found['VpnConnection']['VpnConnectionId']}")


def dedicated_host(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("ec2").allocate_hosts(
        AvailabilityZone=f"{ctx.region}a",
        InstanceType="m5.large",
        Quantity=1,
        **_specs("dedicated-host", tags),
    )
    return ctx.arn("ec2", f"dedicated-host/{found['HostIds'][0]}")


SEEDERS: dict[str, Seeder] = {
    "ec2:natgateway": nat_gateway,
    "ec2:transit-gateway": transit_gateway,
    "ec2:transit-gateway-attachment": transit_gateway_attachment,
    "ec2:elastic-ip": elastic_ip,
    "ec2:vpc-endpoint": vpc_endpoint,
    "ec2:vpn-connection": vpn_connection,
    "ec2:dedicated-host": dedicated_host,
}
