"""`--inventory`: what the Tagging API sees in a unit that maptag does not scan.

The Resource Groups Tagging API lists every resource that has (or once had) a tag, whatever its
service; it cannot see a resource that never had a tag (docs/map-tagging-rules.md,
"Enumeration"). So this is a lower bound of what a scan leaves out: a count per resource type,
named as its ARN names it (`sqs:queue`, `apigateway:restapis`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from maptag.aws import Clients

# Services whose ARNs name no resource type (arn:aws:sqs:region:account:name).
_BARE = {"sqs": "queue", "sns": "topic", "s3": "bucket"}
_WORD = re.compile(r"[^/:]+")
# GetResources returns at most 100 resources a page (ResourcesPerPage).
PAGE = 100
NOTE = "seen by the Tagging API, which cannot see resources that never had a tag"


def type_of_arn(arn: str) -> str:
    """`service:resource-type` as the ARN spells it (arn:aws:ec2:…:natgateway/nat-1 → ec2:natgateway)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return arn
    service, resource = parts[2], parts[5].lstrip("/")
    word = _WORD.match(resource)
    if word is None or (":" not in resource and "/" not in resource):
        return f"{service}:{_BARE.get(service, 'resource')}"
    return f"{service}:{word.group(0)}"


def _key(name: str) -> str:
    """Type names compared loosely: ARNs spell them `recovery-point`, `vaults`, `applications`."""
    service, _, resource = name.partition(":")
    return f"{service}:{resource.lower().replace('-', '').removesuffix('s')}"


def unscanned(clients: Clients, scanned: Iterable[str]) -> dict[str, int]:
    """Per resource type the scan did not cover, how many tagged resources the unit holds."""
    covered = {_key(name) for name in scanned}
    counts: Counter[str] = Counter()
    pages = clients("resourcegroupstaggingapi").get_paginator("get_resources")
    for page in pages.paginate(ResourcesPerPage=PAGE):
        for mapping in page["ResourceTagMappingList"]:
            name = type_of_arn(mapping["ResourceARN"])
            if _key(name) not in covered:
                counts[name] += 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
