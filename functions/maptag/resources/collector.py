"""Runs the declarations: lists each type page by page and reads tags the cheapest way.

Streaming: one page of items is held at a time; nothing here keeps the whole estate.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import jmespath
from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import Clients, describe_error, error_code, partition_of
from maptag.model import Resource
from maptag.resources.declarations import (
    BY_NAME,
    Batched,
    Inline,
    Item,
    PerResource,
    ResourceType,
    Tags,
    pairs,
)

# The resource went away between listing and reading its tags: it no longer exists, so it
# is not reported (neither as missing nor as unreadable).
_GONE = frozenset({"NoSuchBucket", "ResourceNotFoundException", "LoadBalancerNotFound", "FileSystemNotFound"})
_PAGE = 1000


class CollectionError(Exception):
    """A type could not be listed in a unit: the unit cannot be evaluated completely."""

    def __init__(self, type_name: str, cause: BaseException) -> None:
        super().__init__(f"{type_name}: {describe_error(cause)}")
        self.type_name = type_name
        self.code = error_code(cause)


class BucketDirectory:
    """S3 buckets of one account, listed once and attributed to their own region.

    ListBuckets is global: scanning several regions must not count a bucket twice
    (issue 3). AWS returns each bucket's BucketRegion; where an endpoint does not (moto),
    the region-filtered form of ListBuckets is asked once per scanned region instead.
    """

    def __init__(self, clients: Clients, regions: Sequence[str]) -> None:
        self._clients = clients
        self._regions = tuple(regions)
        self._lock = threading.Lock()
        self._by_region: dict[str, list[Item]] | None = None
        self._error: BaseException | None = None

    def in_region(self, region: str) -> list[Item]:
        with self._lock:
            if self._by_region is None and self._error is None:
                try:
                    self._by_region = self._list()
                except (ClientError, BotoCoreError) as error:
                    self._error = error
            if self._error is not None:
                raise self._error
            assert self._by_region is not None
            return self._by_region.get(region, [])

    def _list(self) -> dict[str, list[Item]]:
        s3 = self._clients("s3")
        buckets = [
            bucket
            for page in s3.get_paginator("list_buckets").paginate(PaginationConfig={"PageSize": _PAGE})
            for bucket in page.get("Buckets", [])
        ]
        by_region: dict[str, list[Item]] = {}
        if all("BucketRegion" in bucket for bucket in buckets):
            for bucket in buckets:
                by_region.setdefault(bucket["BucketRegion"], []).append(bucket)
            return by_region
        for region in self._regions:
            pages = s3.get_paginator("list_buckets").paginate(
                BucketRegion=region, PaginationConfig={"PageSize": _PAGE}
            )
            by_region[region] = [bucket for page in pages for bucket in page.get("Buckets", [])]
        return by_region


@dataclass
class UnitContext:
    """What a collector needs to know about the unit it runs in."""

    clients: Clients
    account_id: str
    region: str
    need_created: bool
    buckets: BucketDirectory | None = None

    @property
    def partition(self) -> str:
        return partition_of(self.region)


def collect(rtype: ResourceType, ctx: UnitContext) -> Iterator[Resource]:
    """Every live resource of ``rtype`` in the unit, tagged, untagged or never tagged."""
    try:
        for items in _pages(rtype, ctx):
            if rtype.detail is not None and ctx.need_created:
                items = [_with_detail(rtype, ctx, item) for item in items]
            arns = [rtype.arn_of(item, ctx.partition, ctx.region, ctx.account_id) for item in items]
            for item, arn, tags in zip(items, arns, _read_tags(rtype, ctx, items, arns), strict=True):
                if tags is None:
                    continue
                yield _resource(rtype, ctx, item, arn, tags)
    except (ClientError, BotoCoreError) as error:
        raise CollectionError(rtype.name, error) from error


def _pages(rtype: ResourceType, ctx: UnitContext) -> Iterator[list[Item]]:
    if rtype.account_wide:
        if ctx.buckets is None:
            raise ValueError(f"{rtype.name} needs the account's bucket directory")
        items = ctx.buckets.in_region(ctx.region)
        for start in range(0, len(items), _PAGE):
            yield items[start : start + _PAGE]
        return
    client = ctx.clients(rtype.service)
    paginator = client.get_paginator(rtype.listing.operation)
    expression = jmespath.compile(rtype.listing.items)
    for page in paginator.paginate(**rtype.listing.params):
        yield list(expression.search(page) or [])


def _with_detail(rtype: ResourceType, ctx: UnitContext, item: Item) -> Item:
    assert rtype.detail is not None
    client = ctx.clients(rtype.service)
    response = getattr(client, rtype.detail.operation)(**rtype.detail.request(item))
    return {**item, **response.get(rtype.detail.result, {})}


# (tags, error); None when the resource is gone. tags None means unreadable.
TagResult = tuple[Tags | None, str | None] | None


def _read_tags(
    rtype: ResourceType, ctx: UnitContext, items: Sequence[Item], arns: Sequence[str]
) -> Iterable[TagResult]:
    strategy = rtype.tags
    if isinstance(strategy, Inline):
        return [
            (pairs(jmespath.search(strategy.path, item), strategy.key, strategy.value), None)
            for item in items
        ]
    client = ctx.clients(rtype.service)
    if isinstance(strategy, PerResource):
        return [_per_resource(client, strategy, item, arn) for item, arn in zip(items, arns, strict=True)]
    return _batched(client, strategy, arns)


def _per_resource(client: Any, strategy: PerResource, item: Item, arn: str) -> TagResult:
    request = strategy.request(item, arn)
    try:
        if strategy.paginated:
            tags: Tags = {}
            while True:
                response = getattr(client, strategy.operation)(**request)
                tags.update(strategy.tags(response))
                if not response.get("NextToken"):
                    return tags, None
                request = {**request, "NextToken": response["NextToken"]}
        return strategy.tags(getattr(client, strategy.operation)(**request)), None
    except ClientError as error:
        code = error_code(error)
        if code in strategy.absent:
            return {}, None
        if code in _GONE:
            return None
        return None, describe_error(error)


def _batched(client: Any, strategy: Batched, arns: Sequence[str]) -> list[TagResult]:
    results: list[TagResult] = []
    for start in range(0, len(arns), strategy.size):
        batch = arns[start : start + strategy.size]
        try:
            found = dict(strategy.tags(getattr(client, strategy.operation)(**strategy.request(batch))))
        except ClientError as error:
            results.extend((None, describe_error(error)) for _ in batch)
            continue
        results.extend(
            (found[arn], None) if arn in found else (None, f"{strategy.operation} did not return it")
            for arn in batch
        )
    return results


def _resource(
    rtype: ResourceType,
    ctx: UnitContext,
    item: Item,
    arn: str,
    tags: tuple[Tags | None, str | None],
) -> Resource:
    parent = None
    if rtype.parent is not None:
        parent_id = jmespath.search(rtype.parent.id, item)
        if parent_id:
            parent_type = BY_NAME[rtype.parent.type]
            parent = parent_type.arn_of(
                {parent_type.id: parent_id}, ctx.partition, ctx.region, ctx.account_id
            )
    return Resource(
        arn=arn,
        type=rtype.name,
        account_id=ctx.account_id,
        region=ctx.region,
        resource_id=str(item[rtype.id]),
        created=rtype.created_of(item),
        tags=tags[0],
        tag_error=tags[1],
        parent=parent,
        attributes=rtype.attributes(item) if rtype.attributes else {},
    )
