"""What a resource type's declaration can say: how to list it, name it, date it, read its tags.

Every type is listed with the service's own list/describe call (a boto3 paginator), never the
Resource Groups Tagging API alone, because that API cannot see resources that never had a tag
(docs/map-tagging-rules.md, "Enumeration"). The collector (collector.py) runs declarations; each
declaration lives in ``types/<service>.py`` and holds every fact about its type: listing, ARN,
creation time, tag read, states that earn nothing, parent, IAM actions, whether it is a database
& analytics destination, and its Security Hub resource type.

Tags arrive in one of four ways, cheapest first: inline in the describe result, in batched
follow-up calls of the service (ELBv2 DescribeTags), in batched reads through the Resource
Groups Tagging API (``TaggingApi``), or one follow-up call per resource.

``TaggingApi`` is for the services whose own tag read is one call per resource: GetResources
(ResourceARNList=[up to 100 ARNs]) answers 100 listed resources in one call instead of 100. The
type's own listing still decides what exists; the Tagging API only supplies tags, and a listed
ARN absent from its answer has no tags (it never had one). The trade-offs, accepted for 1/100 of
the calls:
- The Tagging API answers from an index that can lag a tag change by minutes: a tag added or
  fixed just before a scan may be reported as still missing (or still wrong) until the next
  scan; the services' own reads are immediate.
- A resource deleted between its listing and the batched read is absent from the answer and
  is reported with no tags, where the per-resource read would have skipped it as gone.
- It is regional: it answers only for resources located in the region it is asked in.
- It needs tag:GetResources. Without it (a member role made for an older maptag, an SCP),
  the unit reads the tags one resource at a time with the declared ``fallback``, so the
  verdicts stay exact and the scan is only slower; the fallback's actions stay declared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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


def iso(text: str | None) -> datetime | None:
    """An ISO 8601 text (EC2's CreationDate) as a datetime; None when absent or not ISO."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Over:
    """An outer listing whose every item scopes the inner one (ECS services, per cluster).

    Each value ``items`` gives (a cluster ARN, a vault name) is passed to the inner call as
    ``param``, and put in each inner item under ``key`` (default: ``param``).
    """

    operation: str
    items: str
    param: str
    page_size: int | None = None
    key: str | None = None

    @property
    def item_key(self) -> str:
        return self.key or self.param


@dataclass(frozen=True, slots=True)
class StartAfter:
    """Paging for a list call botocore has no paginator for: each page starts after the last item.

    Firehose ListDeliveryStreams: ``ExclusiveStartDeliveryStreamName`` (``param``) is the last
    item's name (``last``, a JMESPath over an item) while ``HasMoreDeliveryStreams`` (``more``)
    is true; the page size goes in ``limit``.
    """

    param: str
    last: str
    more: str
    limit: str


@dataclass(frozen=True, slots=True)
class Listing:
    """A paginated list/describe call and where the items sit in each page (JMESPath).

    ``page_size`` is the largest page the API returns (most services document a bigger
    number than they honour): fewer pages, fewer calls; None when the operation takes no page
    size. ``region_param`` names the request parameter that filters a global listing to the
    unit's region (S3's ListBuckets). ``result`` is the member every page must carry (default:
    the first name of ``items``): a page without it is not the service's answer (an empty or
    HTML body) and fails the type loudly instead of listing nothing. An operation botocore has
    no paginator for is paged by ``paging``, or, without it, answers everything in one call
    (OpenSearch ListDomainNames takes no page size or token).
    """

    operation: str
    items: str
    page_size: int | None
    params: Mapping[str, Any] = field(default_factory=dict)
    region_param: str | None = None
    result: str | None = None
    within: Over | None = None
    paging: StartAfter | None = None

    @property
    def result_member(self) -> str:
        return self.result or re.split(r"[.\[|]", self.items, maxsplit=1)[0]


@dataclass(frozen=True, slots=True)
class Inline:
    """Tags are part of each listed item."""

    path: str = "Tags"
    key: str = "Key"
    value: str = "Value"
    # Tags given as a {key: value} object instead of a list of {Key, Value} pairs.
    mapping: bool = False


@dataclass(frozen=True, slots=True)
class PerResource:
    """One call per resource (for services that offer nothing batched of their own).

    ``absent`` lists error codes that mean "this resource has no tags" (S3's NoSuchTagSet).
    ``result`` is the member the answer must carry (None: any answer counts).
    """

    operation: str
    request: Callable[[Item, str], dict[str, Any]]
    tags: Callable[[Mapping[str, Any]], Tags]
    absent: tuple[str, ...] = ()
    paginated: bool = False
    result: str | None = None


@dataclass(frozen=True, slots=True)
class Batched:
    """One call per batch of up to ``size`` resources (ELBv2 DescribeTags takes 20 ARNs).

    ``key`` is how the service names a resource in the request and the answer, from its ARN
    (default: the ARN itself; Classic ELB's DescribeTags takes and answers names).
    """

    operation: str
    size: int
    request: Callable[[Sequence[str]], dict[str, Any]]
    # (key, tags) for each resource in the response; the key is its ARN unless ``key`` says
    # how the answer names a resource (Route 53 names hosted zones by id, Classic ELB by name).
    tags: Callable[[Mapping[str, Any]], Iterator[tuple[str, Tags]]]
    # The answer names only resources that have tags (DMS ListTagsForResource): one it leaves
    # out has none. Otherwise a resource left out is unreadable.
    absent_untagged: bool = False
    key: Callable[[str], str] | None = None

    def key_of(self, arn: str) -> str:
        return arn if self.key is None else self.key(arn)


@dataclass(frozen=True, slots=True)
class TaggingApi:
    """Up to ``size`` resources a call through the Resource Groups Tagging API (GetResources).

    ``fallback`` reads the tags of a batch one resource at a time when GetResources fails
    for it (denied, throttled past retries, unavailable): see the module's docstring.
    """

    fallback: PerResource
    size: int = 100  # GetResources takes at most 100 ARNs (ResourceARNList)


TagRead = Inline | PerResource | Batched | TaggingApi

# The IAM action of the batched read (the Tagging API's IAM prefix is "tag").
TAGGING_API_ACTION = "tag:GetResources"


@dataclass(frozen=True, slots=True)
class Detail:
    """A per-resource describe call merged into the listed item.

    Made only when the creation time is needed for scope (``always=False``, DynamoDB), or for
    every item when the listing gives ids only (``always=True``, EKS).
    """

    operation: str
    request: Callable[[Item], dict[str, Any]]
    result: str
    always: bool = False
    # Further members of the answer kept in the item under their own names (Network
    # Firewall's state is in FirewallStatus, beside Firewall).
    also: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DetailBatch:
    """A describe call over up to ``size`` listed items at once, merged into each (ECS).

    ``items`` is where the described items sit in the answer; ``key`` the JMESPath of the value
    that matches a described item to its listed one (``listed_key`` over the listed item). A
    listed item absent from the answer went away since it was listed.
    """

    operation: str
    size: int
    request: Callable[[Sequence[Item]], dict[str, Any]]
    items: str
    key: str
    listed_key: str


@dataclass(frozen=True, slots=True)
class Parent:
    """The resource this one depends on: its type and where its id (or ARN) sits in the item.

    ``id`` is a JMESPath, or a function of the item, giving the parent's id (formatted into the
    parent type's ARN template) or its full ARN.
    """

    type: str
    id: str | Callable[[Item], str | None]


@dataclass(frozen=True, slots=True)
class Skip:
    """States that earn nothing (deleted, deleting, terminated, failed): not listed as live."""

    path: str
    states: frozenset[str]

    def __call__(self, item: Item) -> bool:
        state = getter(self.path)(item)
        if isinstance(state, bool):
            # A flag such as OpenSearch's Deleted: skip("Deleted", "true").
            state = str(state)
        return isinstance(state, str) and state.lower() in self.states


def skip(path: str, *states: str) -> Skip:
    return Skip(path, frozenset(s.lower() for s in states))


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """{key: value} as the [{Key, Value}, ...] list most services' tag calls take."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def last_part(arn: str) -> str:
    """The id at the end of an ARN (`vol-0abc` of `...:volume/vol-0abc`), for calls that take ids."""
    return arn.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class TagWriter:
    """The service's own calls that add (or overwrite) and remove tags on one resource.

    Declared only where the Resource Groups Tagging API's TagResources is not the call to
    use (``ResourceType.writer`` None means TagResources/UntagResources, docs/fix.md).
    ``actions`` are the IAM actions of ``tag`` and ``untag``; ``tag_keys`` says whether IAM
    honours the ``aws:TagKeys`` condition on them (the tagger role scopes them to map-migrated).
    """

    tag: str
    untag: str
    tag_request: Callable[[str, Tags], dict[str, Any]]  # (ARN, tags) -> the tag call's request
    untag_request: Callable[[str, Sequence[str]], dict[str, Any]]  # (ARN, keys) -> the untag request
    actions: tuple[str, str]
    tag_keys: bool = True


# The Tagging API's write actions, and the service actions TagResources needs besides them where
# they are not `<service>:TagResource`/`UntagResource` (each service's own tag calls; S3 has only
# PutBucketTagging, its GetBucketTagging being the type's read action).
TAGGING_API_WRITE_ACTIONS = ("tag:TagResources", "tag:UntagResources")
TAGGING_API_SERVICE_WRITE_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3": ("s3:PutBucketTagging",),
    "ec2": ("ec2:CreateTags", "ec2:DeleteTags"),
    "rds": ("rds:AddTagsToResource", "rds:RemoveTagsFromResource"),
    "elasticloadbalancing": ("elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"),
    "acm-pca": ("acm-pca:TagCertificateAuthority", "acm-pca:UntagCertificateAuthority"),
    "autoscaling": ("autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags"),
    "dms": ("dms:AddTagsToResource", "dms:RemoveTagsFromResource"),
    "elasticache": ("elasticache:AddTagsToResource", "elasticache:RemoveTagsFromResource"),
    # UpdateTagsForResource is authorised as AddTags and RemoveTags (Elastic Beanstalk API Reference).
    "elasticbeanstalk": ("elasticbeanstalk:AddTags", "elasticbeanstalk:RemoveTags"),
    "elasticmapreduce": ("elasticmapreduce:AddTags", "elasticmapreduce:RemoveTags"),
    "es": ("es:AddTags", "es:RemoveTags"),
    "firehose": ("firehose:TagDeliveryStream", "firehose:UntagDeliveryStream"),
    "glacier": ("glacier:AddTagsToVault", "glacier:RemoveTagsFromVault"),
    "mq": ("mq:CreateTags", "mq:DeleteTags"),
    "redshift": ("redshift:CreateTags", "redshift:DeleteTags"),
    "route53": ("route53:ChangeTagsForResource",),
    "sagemaker": ("sagemaker:AddTags", "sagemaker:DeleteTags"),
    "storagegateway": ("storagegateway:AddTagsToResource", "storagegateway:RemoveTagsFromResource"),
    "workspaces": ("workspaces:CreateTags", "workspaces:DeleteTags"),
}


@dataclass(frozen=True, slots=True)
class ResourceType:
    name: str
    service: str  # the boto3 client name
    listing: Listing
    # The key of the resource's id in the item, or a function of the item (Route 53's
    # "/hostedzone/Z1" is the id "Z1"); a parent type's id is a key.
    id: str | Callable[[Item], str]
    arn: str  # a template over {partition}, {region}, {account}, {id}, or a JMESPath to the ARN
    created: str | Callable[[Item], datetime | None] | None
    tags: TagRead
    parent: Parent | None = None
    detail: Detail | DetailBatch | None = None
    skip: Skip | None = None
    attributes: Callable[[Item], dict[str, object]] | None = None
    # The IAM actions the scanner needs for this type (the member role's least privilege);
    # the detail action only when an agreement start makes creation times matter.
    actions: tuple[str, ...] = ()
    detail_action: str | None = None
    # Those of the actions that accept this type's ARN as their resource (the Service
    # Authorization Reference's resource types column); the others are granted on "*".
    arn_actions: tuple[str, ...] = ()
    # The IAM resource pattern of arn_actions when ``arn`` is a JMESPath, not a template.
    iam_arn: str | None = None
    # A database & analytics destination (MAP Included Services list, DB&A section):
    # comm, comm_ec2_ and mig_ec2_ values belong only here (docs/map-tagging-rules.md).
    dba: bool = False
    # Security Hub's ASFF Resources[].Type; "Other" where ASFF names none.
    securityhub: str = "Other"
    # A global service (CloudFront, Route 53): listed once per account, in the partition's
    # global region, never in every unit.
    is_global: bool = False
    # How fixes write this type's tags; None: the Tagging API's TagResources (docs/fix.md).
    writer: TagWriter | None = None
    # Further listings reported under this same type name, each a declaration of its own with
    # this name (Classic load balancers beside ELBv2's): `--types` selects them all, and their
    # actions are this type's. Their arn_actions must stay empty (the member role reads this
    # declaration's).
    also: tuple[ResourceType, ...] = ()
    # Where the item names its owner's account, when the listing also shows resources other
    # accounts share with this one (RAM) and ``arn`` is a template: the ARN then names the
    # owner, and the collector leaves the resource to its owner's unit.
    owner: str | None = None

    def id_of(self, item: Item) -> str:
        return str(self.id(item) if callable(self.id) else item[self.id])

    def arn_of(self, item: Item, partition: str, region: str, account: str) -> str:
        if self.arn.startswith("arn:"):
            if self.owner is not None:
                account = str(getter(self.owner)(item) or account)
            return self.arn.format(partition=partition, region=region, account=account, id=self.id_of(item))
        return str(getter(self.arn)(item))

    def created_of(self, item: Item) -> datetime | None:
        if self.created is None:
            return None
        value = self.created(item) if callable(self.created) else getter(self.created)(item)
        if not isinstance(value, datetime):
            return None
        # AWS's times are UTC; one sent without an offset (MSK, DMS in moto) parses naive.
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    @property
    def iam_resource(self) -> str:
        """The IAM resource pattern of ``arn_actions``: {p} partition, {a} account."""
        template = self.iam_arn or self.arn
        return template.format(partition="{p}", region="*", account="{a}", id="*")

    @property
    def write_actions(self) -> tuple[str, ...]:
        """The IAM actions that write and remove this type's tags (the tagger role's grant)."""
        if self.writer is not None:
            return self.writer.actions
        namespace = self.name.split(":", 1)[0]
        own = TAGGING_API_SERVICE_WRITE_ACTIONS.get(
            namespace, (f"{namespace}:TagResource", f"{namespace}:UntagResource")
        )
        return (*TAGGING_API_WRITE_ACTIONS, *own)

    def all_actions(self, need_created: bool) -> tuple[str, ...]:
        needed = self.actions
        if need_created and self.detail_action is not None:
            needed = (*needed, self.detail_action)
        for extra in self.also:
            needed = (*needed, *(a for a in extra.all_actions(need_created) if a not in needed))
        return needed
