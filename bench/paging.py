"""The paging minimum: the fewest API calls any tool needs to judge every resource's tags.

Σ over types and regions of ⌈N / the API's largest page⌉ list calls, plus the tag reads no
tool can avoid: ⌈N / batch⌉ per region where tags do not come inline with the listing —
ELBv2 DescribeTags (20 ARNs) and, for S3, DynamoDB and Lambda, whose own services read one
resource's tags per call, the Resource Groups Tagging API's GetResources (100 ARNs a call,
asked in the resources' region). A type listed once per account (S3's ListBuckets) costs its
list calls once, not per region. Largest pages are AWS's documented maxima (API references
and botocore's service models). AWS answers a list of ≤ 100 ARNs in one page (it accepts no
pagination parameter with one); the bench server answers it the same way
(``bench.server.answer_arn_lists_whole``), where plain moto would page it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Paging:
    list_page: int  # the largest page the list/describe call returns
    tags_per_call: int | None  # None: tags come inline with the list call
    account_wide: bool = False  # listed once per account, whatever the regions


PAGING: Mapping[str, Paging] = {
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
    "elasticloadbalancing:loadbalancer": Paging(400, 20),  # PageSize ≤ 400; DescribeTags 20 ARNs
    "elasticfilesystem:file-system": Paging(100, None),  # DescribeFileSystems pages at 100
}


def list_calls(count: int, page: int) -> int:
    """A list call returns one page; an empty listing still costs one call."""
    return max(1, math.ceil(count / page))


def paging_minimum(census: Mapping[tuple[str, str], int], regions: Sequence[str]) -> int:
    """The minimum calls to scan ``regions`` holding {(type, region): count}."""
    total = 0
    for rtype, paging in PAGING.items():
        counts = [census.get((rtype, region), 0) for region in regions]
        if paging.account_wide:
            total += list_calls(sum(counts), paging.list_page)
        else:
            # every scanned region is asked, even one where the type has nothing
            total += sum(list_calls(count, paging.list_page) for count in counts)
        if paging.tags_per_call is not None:
            total += sum(math.ceil(count / paging.tags_per_call) for count in counts)
    return total
