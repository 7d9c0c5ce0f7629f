"""The paging minimum: the fewest API calls any tool needs to judge every resource's tags.

Σ over types and regions of ⌈N / the API's largest page⌉ list calls, plus the calls no tool
can avoid to learn a resource's tags: ⌈N / batch⌉ per region where tags do not come inline with
the listing (ELBv2 DescribeTags takes 20 ARNs; for S3, DynamoDB, Lambda and the other services
whose own tag read is one resource a call, the Resource Groups Tagging API's GetResources takes
100 ARNs, asked in the resources' region), one call per resource where the service offers
nothing batched (EKS's DescribeCluster), ⌈N / batch⌉ where a batched describe carries them
(ECS DescribeServices, 10 a call). A type listed inside its parent (ECS services per cluster,
EKS node groups per cluster) costs at least one call per parent, and nothing where there is no
parent. A type listed once per account (S3's ListBuckets, CloudFront, Route 53) costs its list
calls once, not per region. AWS answers a list of ≤ 100 ARNs in one page (it accepts no
pagination parameter with one); the bench server answers it the same way
(``bench.server.answer_arn_lists_whole``), where plain moto would page it.

The original twelve types' largest pages are written out below from AWS's API references.
The others are derived from their declarations (maptag.resources.types), whose page sizes,
batch sizes and operations tests/unit/resources/test_declarations.py checks against botocore's service
models; ``PAGE_WITHOUT_SIZE`` holds the service's own page where the call takes no page size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from maptag.resources.declarations import BY_NAME, TYPE_NAMES
from maptag.resources.schema import Batched, Detail, DetailBatch, PerResource, ResourceType, TaggingApi

WHOLE = 10**9  # a call that answers everything in one page


@dataclass(frozen=True)
class Paging:
    list_page: int  # the largest page the list/describe call returns
    tags_per_call: int | None  # None: tags come inline with the list call
    account_wide: bool = False  # listed once per account, whatever the regions
    within: str | None = None  # listed per resource of this parent type (at least a call each)
    extra_listings: int = 0  # further list calls per region under the same type (Classic ELB)
    # listed per container of a kind maptag does not scan (AWS Backup's vaults): the containers'
    # listing, then at least ⌈N / page⌉ calls
    in_containers: bool = False


MANUAL: Mapping[str, Paging] = {
    "ec2:instance": Paging(1000, None),  # DescribeInstances MaxResults ≤ 1000
    "ec2:volume": Paging(1000, None),  # DescribeVolumes MaxResults ≤ 1000
    "ec2:snapshot": Paging(1000, None),  # DescribeSnapshots MaxResults ≤ 1000
    "ec2:image": Paging(1000, None),  # DescribeImages MaxResults ≤ 1000
    "rds:db": Paging(100, None),  # MaxRecords 20..100, TagList inline
    "rds:cluster": Paging(100, None),
    "rds:snapshot": Paging(100, None),
    # ListBuckets MaxBuckets ≤ 10,000; tags: GetResources, 100 ARNs (not GetBucketTagging per bucket)
    "s3:bucket": Paging(10000, 100, account_wide=True),
    "dynamodb:table": Paging(100, 100),  # ListTables Limit ≤ 100; GetResources, 100 ARNs
    "lambda:function": Paging(50, 100),  # ListFunctions returns ≤ 50; GetResources, 100 ARNs
    # ELBv2 DescribeLoadBalancers PageSize ≤ 400, DescribeTags 20 ARNs; + Classic's own listing
    "elasticloadbalancing:loadbalancer": Paging(400, 20, extra_listings=1),
    "elasticfilesystem:file-system": Paging(100, None),  # DescribeFileSystems pages at 100
}

# Calls that take no page size but page on their own: the service's page.
PAGE_WITHOUT_SIZE: Mapping[str, int] = {
    "elasticmapreduce:cluster": 50,  # EMR ListClusters: "returns ... 50 at a time" (API reference)
}


def derived(rtype: ResourceType) -> Paging:
    """What a declaration says about its type's cheapest exact read."""
    page = rtype.listing.page_size or PAGE_WITHOUT_SIZE.get(rtype.name, WHOLE)
    tags: int | None = None
    if isinstance(rtype.tags, (Batched, TaggingApi)):
        tags = rtype.tags.size
    elif isinstance(rtype.tags, PerResource):
        tags = 1
    if isinstance(rtype.detail, Detail) and rtype.detail.always:
        tags = 1  # listed by id only: one describe per resource brings its tags
    elif isinstance(rtype.detail, DetailBatch):
        tags = min(tags or rtype.detail.size, rtype.detail.size)
    within = _lister_of(rtype)
    return Paging(
        page,
        tags,
        account_wide=rtype.is_global,
        within=within,
        extra_listings=len(rtype.also),
        in_containers=rtype.listing.within is not None and within is None,
    )


def _lister_of(rtype: ResourceType) -> str | None:
    """The type whose listing a nested listing walks (ECS tasks are listed per cluster)."""
    if rtype.listing.within is None:
        return None
    for other in BY_NAME.values():
        if other.service == rtype.service and other.listing.operation == rtype.listing.within.operation:
            return other.name
    return None


PAGING: Mapping[str, Paging] = {name: MANUAL.get(name) or derived(BY_NAME[name]) for name in TYPE_NAMES}


def list_calls(count: int, page: int) -> int:
    """A list call returns one page; an empty listing still costs one call."""
    return max(1, math.ceil(count / page))


def paging_minimum(
    census: Mapping[tuple[str, str], int], regions: Sequence[str], types: Sequence[str] | None = None
) -> int:
    """The minimum calls to scan ``regions`` holding {(type, region): count} (every type by default)."""
    total = 0
    for rtype in types or TYPE_NAMES:
        paging = PAGING[rtype]
        counts = [census.get((rtype, region), 0) for region in regions]
        if paging.account_wide:
            total += list_calls(sum(counts), paging.list_page)
        elif paging.within is not None:
            # one listing per parent at least; no parent, nothing to ask
            parents = [census.get((paging.within, region), 0) for region in regions]
            pairs = zip(parents, counts, strict=True)
            total += sum(max(p, math.ceil(c / paging.list_page)) for p, c in pairs)
        elif paging.in_containers:
            total += sum(1 + math.ceil(count / paging.list_page) for count in counts)
        else:
            # every scanned region is asked, even one where the type has nothing
            total += sum(list_calls(count, paging.list_page) + paging.extra_listings for count in counts)
        if paging.tags_per_call is not None:
            total += sum(math.ceil(count / paging.tags_per_call) for count in counts)
    return total
