"""One declaration per resource type: how to list it, name it, date it and read its tags.

Every type is listed with the service's own list/describe call (a boto3 paginator), never the
Resource Groups Tagging API, because that API cannot see resources that never had a tag
(docs/map-tagging-rules.md, "Enumeration"). The collector (collector.py) runs these; adding a type
is adding one declaration here and its name to TYPES.

Tags arrive in one of four ways, cheapest first: inline in the describe result, in batched
follow-up calls of the service (ELBv2 DescribeTags), in batched reads through the Resource
Groups Tagging API (``TaggingApi``), or one follow-up call per resource.

``TaggingApi`` is for the services whose own tag read is one call per resource (S3, DynamoDB,
Lambda): GetResources(ResourceARNList=[up to 100 ARNs]) answers 100 listed resources in one
call instead of 100. The type's own listing still decides what exists; the Tagging API only
supplies tags, and a listed ARN absent from its answer has no tags (it never had one). The
trade-offs, accepted for 1/100 of the calls:
- The Tagging API answers from an index that can lag a tag change by minutes: a tag added or
  fixed just before a scan may be reported as still missing (or still wrong) until the next
  scan; the services' own reads are immediate.
- A resource deleted between its listing and the batched read is absent from the answer and
  is reported with no tags, where the per-resource read would have skipped it as gone.
- It is regional: it answers only for resources located in the region it is asked in. Every
  unit asks in its own region, and S3 buckets are listed per unit with ListBuckets'
  BucketRegion filter, so each bucket is asked about in its own region.
- It needs tag:GetResources. Without it (a member role made for an older maptag, an SCP),
  the unit reads the tags one resource at a time with the declared ``fallback``, so the
  verdicts stay exact and the scan is only slower; the fallback's actions stay declared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import jmespath

Item = Mapping[str, Any]
Tags = dict[str, str]

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@cache
def getter(path: str) -> Callable[[Item], Any]:
    """A JMESPath over one item, compiled once; a plain key is a dict lookup (read per item)."""
    if _KEY.fullmatch(path):
        return lambda item: item.get(path)
    search: Callable[[Item], Any] = jmespath.compile(path).search
    return search


def pairs(entries: Iterable[Mapping[str, str]] | None, key: str = "Key", value: str = "Value") -> Tags:
    """[{Key, Value}, ...] as a dict; None (the service omitted the list) means no tags."""
    return {entry[key]: entry.get(value, "") for entry in entries or ()}


@dataclass(frozen=True, slots=True)
class Listing:
    """A paginated list/describe call and where the items sit in each page (JMESPath).

    ``page_size`` is the largest page the API returns (most services document a bigger
    number than they honour): fewer pages, fewer calls. ``region_param`` names the request
    parameter that filters a global listing to the unit's region (S3's ListBuckets).
    """

    operation: str
    items: str
    page_size: int
    params: Mapping[str, Any] = field(default_factory=dict)
    region_param: str | None = None


@dataclass(frozen=True, slots=True)
class Inline:
    """Tags are part of each listed item."""

    path: str = "Tags"
    key: str = "Key"
    value: str = "Value"


@dataclass(frozen=True, slots=True)
class PerResource:
    """One call per resource (S3, DynamoDB, Lambda offer nothing batched of their own).

    ``absent`` lists error codes that mean "this resource has no tags" (S3's NoSuchTagSet).
    """

    operation: str
    request: Callable[[Item, str], dict[str, Any]]
    tags: Callable[[Mapping[str, Any]], Tags]
    absent: tuple[str, ...] = ()
    paginated: bool = False


@dataclass(frozen=True, slots=True)
class Batched:
    """One call per batch of up to ``size`` resources (ELBv2 DescribeTags takes 20 ARNs)."""

    operation: str
    size: int
    request: Callable[[Sequence[str]], dict[str, Any]]
    # (arn, tags) for each resource in the response
    tags: Callable[[Mapping[str, Any]], Iterator[tuple[str, Tags]]]


@dataclass(frozen=True, slots=True)
class TaggingApi:
    """Up to ``size`` resources a call through the Resource Groups Tagging API (GetResources).

    ``fallback`` reads the tags of a batch one resource at a time when GetResources fails
    for it (denied, throttled past retries, unavailable): see the module's docstring.
    """

    fallback: PerResource
    size: int = 100  # GetResources takes at most 100 ARNs (ResourceARNList)


# The IAM action of the batched read (the Tagging API's IAM prefix is "tag").
TAGGING_API_ACTION = "tag:GetResources"


@dataclass(frozen=True, slots=True)
class Detail:
    """A per-resource describe call, made only when the creation time is needed for scope."""

    operation: str
    request: Callable[[Item], dict[str, Any]]
    result: str


@dataclass(frozen=True, slots=True)
class Parent:
    """The resource this one depends on: its type and where its id sits in the item."""

    type: str
    id: str


@dataclass(frozen=True, slots=True)
class ResourceType:
    name: str
    service: str
    listing: Listing
    id: str
    arn: str  # a template over {partition}, {region}, {account}, {id}, or a JMESPath to the ARN
    created: str | Callable[[Item], datetime | None] | None
    tags: Inline | PerResource | Batched | TaggingApi
    parent: Parent | None = None
    detail: Detail | None = None
    attributes: Callable[[Item], dict[str, object]] | None = None
    # The IAM actions the scanner needs for this type (the member role's least privilege);
    # the detail action only when an agreement start makes creation times matter.
    actions: tuple[str, ...] = ()
    detail_action: str | None = None

    def arn_of(self, item: Item, partition: str, region: str, account: str) -> str:
        if self.arn.startswith("arn:"):
            return self.arn.format(partition=partition, region=region, account=account, id=item[self.id])
        return str(getter(self.arn)(item))

    def created_of(self, item: Item) -> datetime | None:
        if self.created is None:
            return None
        if callable(self.created):
            return self.created(item)
        value = getter(self.created)(item)
        return value if isinstance(value, datetime) else None


# ec2:instance — terminated instances earn nothing and vanish within the hour.
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


EC2_INSTANCE = ResourceType(
    name="ec2:instance",
    service="ec2",
    listing=Listing("describe_instances", "Reservations[].Instances[]", 1000, {"Filters": [_LIVE]}),
    id="InstanceId",
    arn="arn:{partition}:ec2:{region}:{account}:instance/{id}",
    created=_instance_created,
    tags=Inline(),
    attributes=_instance_attributes,
    actions=("ec2:DescribeInstances",),
)

EC2_VOLUME = ResourceType(
    name="ec2:volume",
    service="ec2",
    listing=Listing("describe_volumes", "Volumes[]", 500),
    id="VolumeId",
    arn="arn:{partition}:ec2:{region}:{account}:volume/{id}",
    created="CreateTime",
    tags=Inline(),
    parent=Parent("ec2:instance", "Attachments[0].InstanceId"),
    actions=("ec2:DescribeVolumes",),
)

EC2_SNAPSHOT = ResourceType(
    name="ec2:snapshot",
    service="ec2",
    listing=Listing("describe_snapshots", "Snapshots[]", 1000, {"OwnerIds": ["self"]}),
    id="SnapshotId",
    arn="arn:{partition}:ec2:{region}::snapshot/{id}",
    created="StartTime",
    tags=Inline(),
    parent=Parent("ec2:volume", "VolumeId"),
    actions=("ec2:DescribeSnapshots",),
)

EC2_IMAGE = ResourceType(
    name="ec2:image",
    service="ec2",
    listing=Listing("describe_images", "Images[]", 1000, {"Owners": ["self"]}),
    id="ImageId",
    arn="arn:{partition}:ec2:{region}::image/{id}",
    created=lambda item: _iso(item.get("CreationDate")),
    tags=Inline(),
    # DescribeImages names the instance an AMI was made from (SourceInstanceId).
    parent=Parent("ec2:instance", "SourceInstanceId"),
    actions=("ec2:DescribeImages",),
)

RDS_DB = ResourceType(
    name="rds:db",
    service="rds",
    listing=Listing("describe_db_instances", "DBInstances[]", 100),
    id="DBInstanceIdentifier",
    arn="arn:{partition}:rds:{region}:{account}:db:{id}",
    created="InstanceCreateTime",
    tags=Inline("TagList"),
    actions=("rds:DescribeDBInstances",),
)

RDS_CLUSTER = ResourceType(
    name="rds:cluster",
    service="rds",
    listing=Listing("describe_db_clusters", "DBClusters[]", 100),
    id="DBClusterIdentifier",
    arn="arn:{partition}:rds:{region}:{account}:cluster:{id}",
    created="ClusterCreateTime",
    tags=Inline("TagList"),
    actions=("rds:DescribeDBClusters",),
)

RDS_SNAPSHOT = ResourceType(
    name="rds:snapshot",
    service="rds",
    listing=Listing("describe_db_snapshots", "DBSnapshots[]", 100),
    id="DBSnapshotIdentifier",
    arn="arn:{partition}:rds:{region}:{account}:snapshot:{id}",
    created="SnapshotCreateTime",
    tags=Inline("TagList"),
    parent=Parent("rds:db", "DBInstanceIdentifier"),
    actions=("rds:DescribeDBSnapshots",),
)

S3_BUCKET = ResourceType(
    name="s3:bucket",
    service="s3",
    # ListBuckets is global; filtered by BucketRegion it returns only the unit's own buckets,
    # so a bucket is listed once, in its region, however many regions are scanned.
    listing=Listing("list_buckets", "Buckets[]", 10000, region_param="BucketRegion"),
    id="Name",
    arn="arn:{partition}:s3:::{id}",
    created="CreationDate",
    # A bucket that never had tags answers NoSuchTagSet: that is "no tags", not an error.
    tags=TaggingApi(
        PerResource(
            "get_bucket_tagging",
            request=lambda item, _arn: {"Bucket": item["Name"]},
            tags=lambda response: pairs(response.get("TagSet")),
            absent=("NoSuchTagSet", "NoSuchTagSetError"),
        )
    ),
    actions=("s3:ListAllMyBuckets", TAGGING_API_ACTION, "s3:GetBucketTagging"),
)

DYNAMODB_TABLE = ResourceType(
    name="dynamodb:table",
    service="dynamodb",
    listing=Listing("list_tables", "TableNames[].{TableName: @}", 100),
    id="TableName",
    arn="arn:{partition}:dynamodb:{region}:{account}:table/{id}",
    created="CreationDateTime",
    tags=TaggingApi(
        PerResource(
            "list_tags_of_resource",
            request=lambda _item, arn: {"ResourceArn": arn},
            tags=lambda response: pairs(response.get("Tags")),
            paginated=True,
        )
    ),
    # ListTables gives names only; the creation time costs a DescribeTable per table,
    # so it is fetched only when an agreement start date makes it matter.
    detail=Detail("describe_table", lambda item: {"TableName": item["TableName"]}, "Table"),
    actions=("dynamodb:ListTables", TAGGING_API_ACTION, "dynamodb:ListTagsOfResource"),
    detail_action="dynamodb:DescribeTable",
)

LAMBDA_FUNCTION = ResourceType(
    name="lambda:function",
    service="lambda",
    listing=Listing("list_functions", "Functions[]", 50),
    id="FunctionName",
    arn="FunctionArn",
    # The Lambda API has no creation time (LastModified changes on every deploy): a
    # function is never scoped out by date; its verdict says so.
    created=None,
    tags=TaggingApi(
        PerResource(
            "list_tags",
            request=lambda _item, arn: {"Resource": arn},
            tags=lambda response: dict(response.get("Tags") or {}),
        )
    ),
    actions=("lambda:ListFunctions", TAGGING_API_ACTION, "lambda:ListTags"),
)


def _elb_tags(response: Mapping[str, Any]) -> Iterator[tuple[str, Tags]]:
    for description in response.get("TagDescriptions", []):
        yield description["ResourceArn"], pairs(description.get("Tags"))


ELB_LOAD_BALANCER = ResourceType(
    name="elasticloadbalancing:loadbalancer",
    service="elbv2",
    listing=Listing("describe_load_balancers", "LoadBalancers[]", 400),
    id="LoadBalancerName",
    arn="LoadBalancerArn",
    created="CreatedTime",
    tags=Batched(
        "describe_tags",
        size=20,
        request=lambda arns: {"ResourceArns": list(arns)},
        tags=_elb_tags,
    ),
    actions=("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags"),
)

EFS_FILE_SYSTEM = ResourceType(
    name="elasticfilesystem:file-system",
    service="efs",
    listing=Listing("describe_file_systems", "FileSystems[]", 100),
    id="FileSystemId",
    arn="arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{id}",
    created="CreationTime",
    tags=Inline(),
    actions=("elasticfilesystem:DescribeFileSystems",),
)


def _iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


# Order matters: a parent type comes before its dependents, so the scope of every
# instance is known when its volumes, snapshots and images are judged.
TYPES: tuple[ResourceType, ...] = (
    EC2_INSTANCE,
    EC2_VOLUME,
    EC2_SNAPSHOT,
    EC2_IMAGE,
    RDS_DB,
    RDS_CLUSTER,
    RDS_SNAPSHOT,
    S3_BUCKET,
    DYNAMODB_TABLE,
    LAMBDA_FUNCTION,
    ELB_LOAD_BALANCER,
    EFS_FILE_SYSTEM,
)
TYPE_NAMES: tuple[str, ...] = tuple(t.name for t in TYPES)
BY_NAME: dict[str, ResourceType] = {t.name: t for t in TYPES}


def required_actions(type_names: Iterable[str], need_created: bool) -> tuple[str, ...]:
    """The read-only IAM actions a scan of these types needs in each scanned account."""
    actions: set[str] = set()
    for name in type_names:
        rtype = BY_NAME[name]
        actions.update(rtype.actions)
        if need_created and rtype.detail_action is not None:
            actions.add(rtype.detail_action)
    return tuple(sorted(actions))
