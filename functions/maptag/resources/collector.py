"""Runs the declarations: lists each type page by page and reads tags the cheapest way.

Streaming: one page of items is held at a time; nothing here keeps the whole estate.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from maptag.aws import Clients, describe_error, error_code, partition_of
from maptag.model import Resource
from maptag.resources.declarations import BY_NAME
from maptag.resources.schema import (
    Batched,
    Detail,
    DetailBatch,
    Inline,
    Item,
    PerResource,
    ResourceType,
    StartAfter,
    TaggingApi,
    Tags,
    getter,
    pairs,
)

logger = logging.getLogger(__name__)

# The resource went away between listing and reading its tags: it no longer exists, so it
# is not reported (neither as missing nor as unreadable).
_GONE = frozenset(
    {
        "NoSuchBucket",
        "ResourceNotFoundException",
        "LoadBalancerNotFound",
        "FileSystemNotFound",
        "NotFoundException",  # KMS DescribeKey, MQ ListTags
        "RepositoryNotFoundException",  # ECR
        "NoSuchHostedZone",  # Route 53
    }
)

# The caller may not call the Tagging API (no tag:GetResources, or an SCP denies it).
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


class MalformedAnswer(Exception):
    """A 200 answer that is not the service's document (an empty or HTML body): an error."""

    def __init__(self, operation: str, member: str, detail: str | None = None) -> None:
        super().__init__(detail or f"{operation} answered without its {member} (an empty or garbled body?)")


# Every way an AWS call can fail: the service said no, botocore gave up, or the answer could not
# be parsed (botocore's ResponseParserError is not a BotoCoreError).
AWS_ERRORS = (ClientError, BotoCoreError, ResponseParserError, MalformedAnswer)


class CollectionError(Exception):
    """A type could not be listed in a unit: the unit cannot be evaluated completely."""

    def __init__(self, type_name: str, cause: BaseException) -> None:
        super().__init__(f"{type_name}: {describe_error(cause)}")
        self.type_name = type_name
        self.code = error_code(cause)


@dataclass
class UnitContext:
    """What a collector needs to know about the unit it runs in."""

    clients: Clients
    account_id: str
    region: str
    need_created: bool
    # Set when the Tagging API denied this unit: its other batches go straight to the fallback.
    tagging_api_denied: bool = False
    # Held by the unit's first Tagging API call, so types listing concurrently ask it once
    # before they know whether it is denied.
    tagging_api_probe: threading.Lock = field(default_factory=threading.Lock)
    tagging_api_answered: bool = False

    @property
    def partition(self) -> str:
        return partition_of(self.region)


def collect(rtype: ResourceType, ctx: UnitContext) -> Iterator[Resource]:
    """Every live resource of ``rtype`` in the unit, tagged, untagged or never tagged."""
    for listing in (rtype, *rtype.also):
        yield from _collect(listing, ctx)


def _collect(rtype: ResourceType, ctx: UnitContext) -> Iterator[Resource]:
    pages = _pages(rtype, ctx)
    if isinstance(rtype.tags, TaggingApi):
        # Full batches across list pages: Lambda lists 50 a page, GetResources reads 100.
        pages = _regroup(pages, rtype.tags.size)
    try:
        for listed in pages:
            if rtype.skip is not None:
                # Dead ones the listing already shows are not described (docdb-elastic's status).
                listed = [item for item in listed if not rtype.skip(item)]
            items = _described(rtype, ctx, listed)
            if rtype.skip is not None:
                items = [item for item in items if not rtype.skip(item)]
            arns = [rtype.arn_of(item, ctx.partition, ctx.region, ctx.account_id) for item in items]
            # A resource whose ARN names another region is not this unit's (it is listed there),
            # nor one whose ARN names another account (shared with it: its owner's unit has it).
            ours = [(item, arn) for item, arn in zip(items, arns, strict=True) if _ours(arn, ctx)]
            items, arns = [item for item, _ in ours], [arn for _, arn in ours]
            for item, arn, tags in zip(items, arns, _read_tags(rtype, ctx, items, arns), strict=True):
                if tags is None:
                    continue
                yield _resource(rtype, ctx, item, arn, tags)
    except AWS_ERRORS as error:
        raise CollectionError(rtype.name, error) from error


def _ours(arn: str, ctx: UnitContext) -> bool:
    parts = arn.split(":", 5)
    region, account = (parts[3], parts[4]) if len(parts) > 5 else ("", "")
    return region in ("", ctx.region) and account in ("", ctx.account_id)


def _pages(rtype: ResourceType, ctx: UnitContext) -> Iterator[list[Item]]:
    listing = rtype.listing
    params = dict(listing.params)
    if listing.region_param is not None:
        params[listing.region_param] = ctx.region
    client = ctx.clients(rtype.service)
    over = listing.within
    if over is None:
        yield from _paginate(
            client,
            listing.operation,
            listing.items,
            listing.result_member,
            listing.page_size,
            params,
            listing.paging,
        )
        return
    outer_member = re.split(r"[.\[|]", over.items, maxsplit=1)[0]
    for outer in _paginate(client, over.operation, over.items, outer_member, over.page_size, {}):
        for value in outer:
            inner = {**params, over.param: value}
            for page in _paginate(
                client,
                listing.operation,
                listing.items,
                listing.result_member,
                listing.page_size,
                inner,
                listing.paging,
            ):
                yield [{**item, over.item_key: value} for item in page]


def _paginate(
    client: Any,
    operation: str,
    items: str,
    member: str,
    page_size: int | None,
    params: dict[str, Any],
    paging: StartAfter | None = None,
) -> Iterator[list[Item]]:
    """Each page's items; a page without its result member is not the service's answer."""
    expression = getter(items)
    for page in _raw_pages(client, operation, page_size, params, paging, expression):
        if member not in page:
            raise MalformedAnswer(operation, member)
        yield list(expression(page) or [])


def _raw_pages(
    client: Any,
    operation: str,
    page_size: int | None,
    params: dict[str, Any],
    paging: StartAfter | None,
    expression: Any,
) -> Iterator[Any]:
    """The answers of a list call: botocore's paginator, else schema.StartAfter, else one call."""
    if client.can_paginate(operation):
        config = {} if page_size is None else {"PaginationConfig": {"PageSize": page_size}}
        yield from client.get_paginator(operation).paginate(**params, **config)
        return
    call = getattr(client, operation)
    if paging is None:
        yield call(**params)
        return
    request = {**params, **({} if page_size is None else {paging.limit: page_size})}
    while True:
        page = call(**request)
        yield page
        found = expression(page) or []
        if not page.get(paging.more) or not found:
            return
        after = getter(paging.last)(found[-1])
        if after == request.get(paging.param):
            # The same page again: a service that keeps saying "more" would loop forever.
            raise MalformedAnswer(
                operation,
                paging.more,
                f"{operation} after {paging.param}={after!r} answered the same page again",
            )
        request[paging.param] = after


def _regroup(pages: Iterator[list[Item]], size: int) -> Iterator[list[Item]]:
    """The same items in lists of ``size`` (the last may be shorter), whatever the pages."""
    held: list[Item] = []
    for page in pages:
        held.extend(page)
        while len(held) >= size:
            yield held[:size]
            held = held[size:]
    if held:
        yield held


def _described(rtype: ResourceType, ctx: UnitContext, items: list[Item]) -> list[Item]:
    """The listed items with their detail merged in, those gone since they were listed left out."""
    detail = rtype.detail
    if detail is None or not items:
        return items
    client = ctx.clients(rtype.service)
    if isinstance(detail, DetailBatch):
        described: list[Item] = []
        for start in range(0, len(items), detail.size):
            batch = items[start : start + detail.size]
            response = getattr(client, detail.operation)(**detail.request(batch))
            found = {getter(detail.key)(d): d for d in getter(detail.items)(response) or []}
            for item in batch:
                match = found.get(getter(detail.listed_key)(item))
                if match is not None:
                    described.append({**item, **match})
        return described
    if not (detail.always or ctx.need_created):
        return items
    return [d for d in (_with_detail(client, detail, item) for item in items) if d is not None]


def _with_detail(client: Any, detail: Detail, item: Item) -> Item | None:
    """The item with its detail merged in; None when it went away since it was listed."""
    try:
        response = getattr(client, detail.operation)(**detail.request(item))
    except ClientError as error:
        if error_code(error) in _GONE:
            return None
        raise
    if detail.result not in response:
        raise MalformedAnswer(detail.operation, detail.result)
    return {**item, **response[detail.result], **{m: response[m] for m in detail.also if m in response}}


# (tags, error); None when the resource is gone. tags None means unreadable.
TagResult = tuple[Tags | None, str | None] | None


def _read_tags(
    rtype: ResourceType, ctx: UnitContext, items: Sequence[Item], arns: Sequence[str]
) -> Iterable[TagResult]:
    strategy = rtype.tags
    if isinstance(strategy, Inline):
        read = getter(strategy.path)
        if strategy.mapping:
            return [({str(k): str(v) for k, v in (read(item) or {}).items()}, None) for item in items]
        return [(pairs(read(item), strategy.key, strategy.value), None) for item in items]
    if isinstance(strategy, TaggingApi):
        return _via_tagging_api(rtype, ctx, strategy, items, arns)
    client = ctx.clients(rtype.service)
    if isinstance(strategy, PerResource):
        return [_per_resource(client, strategy, item, arn) for item, arn in zip(items, arns, strict=True)]
    return _batched(client, strategy, arns)


def _via_tagging_api(
    rtype: ResourceType, ctx: UnitContext, strategy: TaggingApi, items: Sequence[Item], arns: Sequence[str]
) -> list[TagResult]:
    """Tags of up to ``strategy.size`` resources a call; a batch it cannot answer, one by one."""
    results: list[TagResult] = []
    for start in range(0, len(arns), strategy.size):
        batch_items, batch_arns = items[start : start + strategy.size], arns[start : start + strategy.size]
        found = _get_resources(ctx, batch_arns)
        if found is None:
            client = ctx.clients(rtype.service)
            results.extend(
                _per_resource(client, strategy.fallback, item, arn)
                for item, arn in zip(batch_items, batch_arns, strict=True)
            )
        else:
            # A listed resource absent from the answer has no tags (declarations.py).
            results.extend((found.get(arn, {}), None) for arn in batch_arns)
    return results


def _get_resources(ctx: UnitContext, arns: Sequence[str]) -> dict[str, Tags] | None:
    """{ARN: tags} for those of ``arns`` the Tagging API knows; None when it did not answer."""
    if ctx.tagging_api_answered:
        return None if ctx.tagging_api_denied else _ask_tagging_api(ctx, arns)
    with ctx.tagging_api_probe:
        if ctx.tagging_api_denied:
            return None
        found = _ask_tagging_api(ctx, arns)
        ctx.tagging_api_answered = ctx.tagging_api_denied or found is not None
        return found


def _ask_tagging_api(ctx: UnitContext, arns: Sequence[str]) -> dict[str, Tags] | None:
    client = ctx.clients("resourcegroupstaggingapi")
    request: dict[str, Any] = {"ResourceARNList": list(arns)}
    found: dict[str, Tags] = {}
    try:
        # Each page holds a resource or makes way for one: more pages than that is a loop.
        for _ in range(2 * len(arns) + 1):
            response = client.get_resources(**request)
            if "ResourceTagMappingList" not in response:
                raise MalformedAnswer("GetResources", "ResourceTagMappingList")
            for mapping in response.get("ResourceTagMappingList", []):
                found[mapping["ResourceARN"]] = pairs(mapping.get("Tags"))
            token = response.get("PaginationToken")
            if not token:
                return found
            # The next page is asked with its token alone: AWS rejects a token with an ARN list.
            request = {"PaginationToken": token}
        logger.warning("GetResources in %s kept paging: reading those tags one by one", ctx.region)
    except ClientError as error:
        if (
            error_code(error) in _DENIED
            or error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 403
        ):
            ctx.tagging_api_denied = True
            logger.warning(
                "%s in account %s, %s: reading tags one resource at a time (slower, same verdicts)",
                describe_error(error),
                ctx.account_id,
                ctx.region,
            )
        else:
            logger.warning("%s: reading those tags one by one", describe_error(error))
    except (BotoCoreError, ResponseParserError, MalformedAnswer) as error:
        logger.warning("%s: reading those tags one by one", describe_error(error))
    return None


def _per_resource(client: Any, strategy: PerResource, item: Item, arn: str) -> TagResult:
    request = strategy.request(item, arn)
    try:
        if strategy.paginated:
            tags: Tags = {}
            while True:
                response = _answer(client, strategy, request)
                tags.update(strategy.tags(response))
                if not response.get("NextToken"):
                    return tags, None
                request = {**request, "NextToken": response["NextToken"]}
        return strategy.tags(_answer(client, strategy, request)), None
    except ClientError as error:
        code = error_code(error)
        if code in strategy.absent:
            return {}, None
        if code in _GONE:
            return None
        return None, describe_error(error)
    except (BotoCoreError, ResponseParserError, MalformedAnswer) as error:
        # e.g. a read timeout past the retries: this resource's tags are unknown, not absent
        return None, describe_error(error)


def _answer(client: Any, strategy: PerResource, request: dict[str, Any]) -> Any:
    response = getattr(client, strategy.operation)(**request)
    if strategy.result is not None and strategy.result not in response:
        raise MalformedAnswer(strategy.operation, strategy.result)
    return response


def _batched(client: Any, strategy: Batched, arns: Sequence[str]) -> list[TagResult]:
    results: list[TagResult] = []
    for start in range(0, len(arns), strategy.size):
        results.extend(_batch(client, strategy, arns[start : start + strategy.size]))
    return results


def _batch(client: Any, strategy: Batched, batch: Sequence[str]) -> list[TagResult]:
    keys = [strategy.key_of(arn) for arn in batch]
    try:
        found = dict(strategy.tags(getattr(client, strategy.operation)(**strategy.request(keys))))
    except ClientError as error:
        if error_code(error) in _GONE:
            # One resource of the batch went away and the call names none: ask one by one.
            return (
                [None] if len(batch) == 1 else [r for arn in batch for r in _batch(client, strategy, [arn])]
            )
        return [(None, describe_error(error)) for _ in batch]
    except (BotoCoreError, ResponseParserError) as error:
        return [(None, describe_error(error)) for _ in batch]
    if strategy.absent_untagged:
        return [(found.get(key, {}), None) for key in keys]
    return [
        (found[key], None) if key in found else (None, f"{strategy.operation} did not return it")
        for key in keys
    ]


def _resource(
    rtype: ResourceType,
    ctx: UnitContext,
    item: Item,
    arn: str,
    tags: tuple[Tags | None, str | None],
) -> Resource:
    parent = None
    if rtype.parent is not None:
        of = rtype.parent.id
        parent_id = of(item) if callable(of) else getter(of)(item)
        if parent_id and str(parent_id).startswith("arn:"):
            parent = str(parent_id)
        elif parent_id:
            parent_type = BY_NAME[rtype.parent.type]
            assert isinstance(parent_type.id, str), f"{parent_type.name}: a parent's id is a key"
            parent = parent_type.arn_of(
                {parent_type.id: parent_id}, ctx.partition, ctx.region, ctx.account_id
            )
    return Resource(
        arn=arn,
        type=rtype.name,
        account_id=ctx.account_id,
        region=ctx.region,
        resource_id=rtype.id_of(item),
        created=rtype.created_of(item),
        tags=tags[0],
        tag_error=tags[1],
        parent=parent,
        attributes=rtype.attributes(item) if rtype.attributes else {},
    )
