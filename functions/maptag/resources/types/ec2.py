"""EC2: instances and what depends on them (volumes, snapshots, AMIs), and EC2 networking."""

from __future__ import annotations

from datetime import datetime

from maptag.resources.schema import (
    Inline,
    Item,
    Listing,
    Parent,
    ResourceType,
    TagWriter,
    iso,
    last_part,
    pairs,
    skip,
    tag_list,
)

# Terminated instances earn nothing and vanish within the hour.
_LIVE = {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}


def _instance_created(item: Item) -> datetime | None:
    # LaunchTime is the last start, not the creation: an instance stopped and started after
    # the agreement date would look new. The root volume's attach time is the creation time.
    attach_times = [
        m["Ebs"]["AttachTime"]
        for m in item.get("BlockDeviceMappings", [])
        if m.get("DeviceName") == item.get("RootDeviceName") and "AttachTime" in m.get("Ebs", {})
    ]
    return min(attach_times) if attach_times else item.get("LaunchTime")


def _instance_attributes(item: Item) -> dict[str, object]:
    """What Migration Hub needs to map an instance to its discovered server (docs/contracts.md)."""
    interfaces = item.get("NetworkInterfaces", [])
    tags = pairs(item.get("Tags"))
    return {
        "private_ips": [
            address["PrivateIpAddress"]
            for interface in interfaces
            for address in interface.get("PrivateIpAddresses", [])
            if "PrivateIpAddress" in address
        ]
        or ([item["PrivateIpAddress"]] if item.get("PrivateIpAddress") else []),
        "macs": [i["MacAddress"] for i in interfaces if i.get("MacAddress")],
        "private_dns": item.get("PrivateDnsName") or None,
        "migration_hub_source_id": tags.get("aws:migrationhub:source-id"),
        "mgn_source_server": tags.get("AWSApplicationMigrationServiceSourceServerID")
        or tags.get("mgn.amazonaws.com-source-server"),
    }


# EC2's own CreateTags/DeleteTags take ids, and snapshot and AMI ARNs name no account: fixes use
# them, not the Tagging API (EC2 API Reference, CreateTags; both honour aws:TagKeys).
TAGS = TagWriter(
    tag="create_tags",
    untag="delete_tags",
    tag_request=lambda arn, tags: {"Resources": [last_part(arn)], "Tags": tag_list(tags)},
    untag_request=lambda arn, keys: {"Resources": [last_part(arn)], "Tags": [{"Key": k} for k in keys]},
    actions=("ec2:CreateTags", "ec2:DeleteTags"),
)

INSTANCE = ResourceType(
    name="ec2:instance",
    service="ec2",
    listing=Listing("describe_instances", "Reservations[].Instances[]", 1000, {"Filters": [_LIVE]}),
    id="InstanceId",
    arn="arn:{partition}:ec2:{region}:{account}:instance/{id}",
    created=_instance_created,
    tags=Inline(),
    attributes=_instance_attributes,
    actions=("ec2:DescribeInstances",),
    securityhub="AwsEc2Instance",
    writer=TAGS,
)

VOLUME = ResourceType(
    name="ec2:volume",
    service="ec2",
    listing=Listing("describe_volumes", "Volumes[]", 500),
    id="VolumeId",
    arn="arn:{partition}:ec2:{region}:{account}:volume/{id}",
    created="CreateTime",
    tags=Inline(),
    parent=Parent("ec2:instance", "Attachments[0].InstanceId"),
    actions=("ec2:DescribeVolumes",),
    securityhub="AwsEc2Volume",
    writer=TAGS,
)

SNAPSHOT = ResourceType(
    name="ec2:snapshot",
    service="ec2",
    listing=Listing("describe_snapshots", "Snapshots[]", 1000, {"OwnerIds": ["self"]}),
    id="SnapshotId",
    arn="arn:{partition}:ec2:{region}::snapshot/{id}",
    created="StartTime",
    tags=Inline(),
    parent=Parent("ec2:volume", "VolumeId"),
    actions=("ec2:DescribeSnapshots",),
    securityhub="AwsEc2Snapshot",
    writer=TAGS,
)

IMAGE = ResourceType(
    name="ec2:image",
    service="ec2",
    listing=Listing("describe_images", "Images[]", 1000, {"Owners": ["self"]}),
    id="ImageId",
    arn="arn:{partition}:ec2:{region}::image/{id}",
    created=lambda item: iso(item.get("CreationDate")),
    tags=Inline(),
    # DescribeImages names the instance an AMI was made from (SourceInstanceId).
    parent=Parent("ec2:instance", "SourceInstanceId"),
    actions=("ec2:DescribeImages",),
    securityhub="AwsEc2Image",
    writer=TAGS,
)

# Networking. ARNs as the Service Authorization Reference spells them (Amazon EC2, "Resource
# types defined by Amazon EC2"); Security Hub types from ASFF's AwsEc2 resources page, "Other"
# where ASFF has none (NAT gateways, transit gateway attachments, Dedicated Hosts, Capacity
# Reservations, VPC endpoints).

NAT_GATEWAY = ResourceType(
    name="ec2:natgateway",
    service="ec2",
    listing=Listing("describe_nat_gateways", "NatGateways[]", 1000),
    id="NatGatewayId",
    arn="arn:{partition}:ec2:{region}:{account}:natgateway/{id}",
    created="CreateTime",
    tags=Inline(),
    skip=skip("State", "failed", "deleting", "deleted"),
    actions=("ec2:DescribeNatGateways",),
)

TRANSIT_GATEWAY = ResourceType(
    name="ec2:transit-gateway",
    service="ec2",
    listing=Listing("describe_transit_gateways", "TransitGateways[]", 1000),
    id="TransitGatewayId",
    # The listed ARN names the owner: a gateway shared with this account is its owner's.
    arn="TransitGatewayArn",
    created="CreationTime",
    tags=Inline(),
    skip=skip("State", "deleting", "deleted"),
    actions=("ec2:DescribeTransitGateways",),
    securityhub="AwsEc2TransitGateway",
)

TRANSIT_GATEWAY_ATTACHMENT = ResourceType(
    name="ec2:transit-gateway-attachment",
    service="ec2",
    listing=Listing("describe_transit_gateway_attachments", "TransitGatewayAttachments[]", 1000),
    id="TransitGatewayAttachmentId",
    arn="arn:{partition}:ec2:{region}:{account}:transit-gateway-attachment/{id}",
    created="CreationTime",
    tags=Inline(),
    skip=skip("State", "deleting", "deleted", "failing", "failed", "rejecting", "rejected"),
    actions=("ec2:DescribeTransitGatewayAttachments",),
)

# EC2-Classic addresses (no allocation id) are gone; VPC addresses are the ones that cost.
_VPC_ADDRESSES = {"Name": "domain", "Values": ["vpc"]}

ELASTIC_IP = ResourceType(
    name="ec2:elastic-ip",
    service="ec2",
    # DescribeAddresses has no pages: one call answers every address of the region.
    listing=Listing("describe_addresses", "Addresses[]", None, {"Filters": [_VPC_ADDRESSES]}),
    id="AllocationId",
    arn="arn:{partition}:ec2:{region}:{account}:elastic-ip/{id}",
    # DescribeAddresses gives no allocation time: in scope whatever the agreement date.
    created=None,
    tags=Inline(),
    actions=("ec2:DescribeAddresses",),
    securityhub="AwsEc2Eip",
)

# Gateway endpoints (S3, DynamoDB) cost nothing, so they earn nothing; every other endpoint type
# of the EC2 model is billed by the hour (AWS PrivateLink pricing).
_CHARGED_ENDPOINTS = {
    "Name": "vpc-endpoint-type",
    "Values": ["Interface", "GatewayLoadBalancer", "Resource", "ServiceNetwork", "Tunnel"],
}

VPC_ENDPOINT = ResourceType(
    name="ec2:vpc-endpoint",
    service="ec2",
    listing=Listing("describe_vpc_endpoints", "VpcEndpoints[]", 1000, {"Filters": [_CHARGED_ENDPOINTS]}),
    id="VpcEndpointId",
    arn="arn:{partition}:ec2:{region}:{account}:vpc-endpoint/{id}",
    created="CreationTimestamp",
    tags=Inline(),
    skip=skip("State", "deleting", "deleted", "rejected", "failed", "expired"),
    actions=("ec2:DescribeVpcEndpoints",),
)

VPN_CONNECTION = ResourceType(
    name="ec2:vpn-connection",
    service="ec2",
    # DescribeVpnConnections has no pages: one call answers every connection of the region.
    listing=Listing("describe_vpn_connections", "VpnConnections[]", None),
    id="VpnConnectionId",
    arn="arn:{partition}:ec2:{region}:{account}:vpn-connection/{id}",
    # A VPN connection carries no creation time: in scope whatever the agreement date.
    created=None,
    tags=Inline(),
    skip=skip("State", "deleting", "deleted"),
    actions=("ec2:DescribeVpnConnections",),
    securityhub="AwsEc2VpnConnection",
)

DEDICATED_HOST = ResourceType(
    name="ec2:dedicated-host",
    service="ec2",
    listing=Listing("describe_hosts", "Hosts[]", 500),
    id="HostId",
    arn="arn:{partition}:ec2:{region}:{account}:dedicated-host/{id}",
    # DescribeHosts lists the hosts shared with the account too: those are their owner's.
    owner="OwnerId",
    created="AllocationTime",
    tags=Inline(),
    skip=skip("State", "released", "released-permanent-failure"),
    actions=("ec2:DescribeHosts",),
)

CAPACITY_RESERVATION = ResourceType(
    name="ec2:capacity-reservation",
    service="ec2",
    listing=Listing("describe_capacity_reservations", "CapacityReservations[]", 1000),
    id="CapacityReservationId",
    # The listed ARN names the owner: a reservation shared with this account is its owner's.
    arn="CapacityReservationArn",
    created="CreateDate",
    tags=Inline(),
    skip=skip("State", "expired", "cancelled", "failed", "payment-failed", "unsupported"),
    actions=("ec2:DescribeCapacityReservations",),
)

TYPES = (
    INSTANCE,
    VOLUME,
    SNAPSHOT,
    IMAGE,
    NAT_GATEWAY,
    TRANSIT_GATEWAY,
    TRANSIT_GATEWAY_ATTACHMENT,
    ELASTIC_IP,
    VPC_ENDPOINT,
    VPN_CONNECTION,
    DEDICATED_HOST,
    CAPACITY_RESERVATION,
)
