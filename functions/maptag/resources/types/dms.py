"""AWS DMS replication instances (a database & analytics destination)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from maptag.resources.schema import Batched, Listing, ResourceType, Tags, skip


def _tags_by_arn(response: Mapping[str, Any]) -> Iterator[tuple[str, Tags]]:
    """ListTagsForResource(ResourceArnList=...): each tag names the resource it belongs to."""
    found: dict[str, Tags] = {}
    for tag in response.get("TagList", []):
        found.setdefault(tag["ResourceArn"], {})[tag["Key"]] = tag.get("Value", "")
    yield from found.items()


REP = ResourceType(
    name="dms:rep",
    service="dms",
    listing=Listing("describe_replication_instances", "ReplicationInstances[]", 100),
    id="ReplicationInstanceIdentifier",
    # The ARN names the instance's generated resource id (rep:ABC...), not its identifier.
    arn="ReplicationInstanceArn",
    created="InstanceCreateTime",
    # DMS's own batched read: ListTagsForResource takes a list of ARNs (one listed page's
    # worth); a resource without tags has no entry in its answer.
    tags=Batched(
        "list_tags_for_resource",
        size=100,
        request=lambda arns: {"ResourceArnList": list(arns)},
        tags=_tags_by_arn,
        absent_untagged=True,
    ),
    skip=skip("ReplicationInstanceStatus", "deleting", "failed"),
    actions=("dms:DescribeReplicationInstances", "dms:ListTagsForResource"),
    dba=True,
    securityhub="AwsDmsReplicationInstance",
)

TYPES = (REP,)
