"""EC2 in moto: instances with their volumes, snapshots and AMIs (with bulk variants for large
estates: ``launch_instances``, ``snapshot_instance``), and networking: NAT gateways, transit
gateways and their attachments, Elastic IPs, VPC endpoints, VPN connections and Dedicated Hosts
(capacity reservations: moto lacks them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, default_vpc, pairs


def _specs(kind: str, tags: Tags) -> dict[str, Any]:
    """TagSpecifications for a create call, or nothing when the resource has no tags."""
    return {"TagSpecifications": [{"ResourceType": kind, "Tags": pairs(tags)}]} if tags else {}


def base_image(ctx: SeedContext) -> str:
    """The AMI instances launch from, registered once per context: the suites and the demo run
    moto without its public AMIs (MOTO_EC2_LOAD_DEFAULT_AMIS=false, docs/toolchain.md)."""
    return ctx.once(
        "base-image",
        lambda: str(
            ctx.client("ec2").register_image(
                Name="seed-base-image",
                RootDeviceName="/dev/sda1",
                BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}],
            )["ImageId"]
        ),
    )


@dataclass(frozen=True)
class Launched:
    """An instance and its volumes (root first), as RunInstances made them."""

    instance_id: str
    volume_ids: tuple[str, ...]


def launch_instances(
    ctx: SeedContext,
    count: int,
    tags: Tags = None,
    *,
    volume_tags: Tags = None,
    root_gb: int | None = None,
    data_disks: Sequence[Mapping[str, Any]] = (),
    instance_type: str | None = None,
    image: str | None = None,
) -> list[Launched]:
    """``count`` instances in one RunInstances call (the bulk variant of ``instance``), from
    ``image`` or the context's base image; ``data_disks``: one Ebs mapping a data volume. The
    volumes get ``volume_tags`` (untagged by default, like a real launch's)."""
    disks: list[dict[str, Any]] = []
    if root_gb is not None:
        disks.append({"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": root_gb, "DeleteOnTermination": True}})
    disks += [
        {"DeviceName": f"/dev/sd{chr(ord('f') + i)}", "Ebs": dict(ebs)} for i, ebs in enumerate(data_disks)
    ]
    specs = [
        {"ResourceType": kind, "Tags": pairs(kind_tags)}
        for kind, kind_tags in (("instance", tags), ("volume", volume_tags))
        if kind_tags
    ]
    response = ctx.client("ec2").run_instances(
        ImageId=image or base_image(ctx),
        MinCount=count,
        MaxCount=count,
        **({"InstanceType": instance_type} if instance_type else {}),
        **({"BlockDeviceMappings": disks} if disks else {}),
        **({"TagSpecifications": specs} if specs else {}),
    )
    return [
        Launched(item["InstanceId"], tuple(m["Ebs"]["VolumeId"] for m in item.get("BlockDeviceMappings", [])))
        for item in response["Instances"]
    ]


def instance(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    """An instance (its root volume is created and attached untagged, like a real launch)."""
    (launched,) = launch_instances(ctx, 1, tags)
    return ctx.arn("ec2", f"instance/{launched.instance_id}")


def volume(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None, *, size_gb: int = 1) -> str:
    """An unattached volume."""
    found = ctx.client("ec2").create_volume(
        Size=size_gb, AvailabilityZone=f"{ctx.region}a", **_specs("volume", tags)
    )
    return ctx.arn("ec2", f"volume/{found['VolumeId']}")


def snapshot(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    """A snapshot of the volume ``parent`` (its ARN), or of an untagged volume of its own."""
    volume_id = (parent or volume(ctx, f"{name}-source", None)).rsplit("/", 1)[-1]
    found = ctx.client("ec2").create_snapshot(VolumeId=volume_id, **_specs("snapshot", tags))
    return ctx.arn("ec2", f"snapshot/{found['SnapshotId']}", account=False)


def snapshot_instance(
    ctx: SeedContext, instance_id: str, tags: Tags, description: str = ""
) -> dict[str, str]:
    """Snapshots of every volume of an instance in one CreateSnapshots call: volume id -> snapshot id."""
    found = ctx.client("ec2").create_snapshots(
        InstanceSpecification={"InstanceId": instance_id},
        Description=description or f"backup of {instance_id}",
        **_specs("snapshot", tags),
    )
    return {s["VolumeId"]: s["SnapshotId"] for s in found["Snapshots"]}


def image(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    """An AMI (named ``name``) of the instance ``parent`` (its ARN), or of an untagged one of its
    own; like AWS, moto backs it with a snapshot of the instance's root volume."""
    instance_id = (parent or instance(ctx, f"{name}-source", None)).rsplit("/", 1)[-1]
    found = ctx.client("ec2").create_image(InstanceId=instance_id, Name=name, **_specs("image", tags))
    return ctx.arn("ec2", f"image/{found['ImageId']}", account=False)


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
    "ec2:instance": instance,
    "ec2:volume": volume,
    "ec2:snapshot": snapshot,
    "ec2:image": image,
    "ec2:natgateway": nat_gateway,
    "ec2:transit-gateway": transit_gateway,
    "ec2:transit-gateway-attachment": transit_gateway_attachment,
    "ec2:elastic-ip": elastic_ip,
    "ec2:vpc-endpoint": vpc_endpoint,
    "ec2:vpn-connection": vpn_connection,
    "ec2:dedicated-host": dedicated_host,
}
