"""CloudWatch Logs log groups."""

from __future__ import annotations

from datetime import UTC, datetime

from maptag.resources.schema import TAGGING_API_ACTION, Item, Listing, PerResource, ResourceType, TaggingApi


def _created(item: Item) -> datetime | None:
    # creationTime is milliseconds since the epoch (API reference, LogGroup).
    millis = item.get("creationTime")
    return datetime.fromtimestamp(millis / 1000, UTC) if isinstance(millis, int) else None


LOG_GROUP = ResourceType(
    name="logs:log-group",
    service="logs",
    listing=Listing("describe_log_groups", "logGroups[]", 50),
    id="logGroupName",
    # The tagging ARN has no ":*" suffix (the listing's "arn" member has one).
    arn="arn:{partition}:logs:{region}:{account}:log-group:{id}",
    created=_created,
    tags=TaggingApi(
        PerResource(
            "list_tags_for_resource",
            request=lambda _item, arn: {"resourceArn": arn},
            tags=lambda response: dict(response.get("tags") or {}),
            result="tags",
        )
    ),
    actions=("logs:DescribeLogGroups", TAGGING_API_ACTION, "logs:ListTagsForResource"),
    arn_actions=("logs:ListTagsForResource",),
)

TYPES = (LOG_GROUP,)
