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

TYPES = (INSTANCE, VOLUME, SNAPSHOT, IMAGE)
