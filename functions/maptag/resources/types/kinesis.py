"""Kinesis Data Streams (a database & analytics destination)."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Listing,
    PerResource,
    ResourceType,
    TaggingApi,
    pairs,
    skip,
)

STREAM = ResourceType(
    name="kinesis:stream",
    service="kinesis",
    # ListStreams' StreamSummaries carry the ARN, status and creation time (no describe call).
    listing=Listing("list_streams", "StreamSummaries[]", 10000, result="StreamNames"),
    id="StreamName",
    arn="arn:{partition}:kinesis:{region}:{account}:stream/{id}",
    created="StreamCreationTimestamp",
    # ListTagsForStream is limited to 5 calls a second per account: batches of 100 matter here.
    tags=TaggingApi(
        PerResource(
            "list_tags_for_stream",
            # A stream has at most 50 tags: one call of 50 reads them all.
            request=lambda item, _arn: {"StreamName": item["StreamName"], "Limit": 50},
            tags=lambda response: pairs(response.get("Tags")),
            result="Tags",
        )
    ),
    skip=skip("StreamStatus", "deleting"),
    actions=("kinesis:ListStreams", TAGGING_API_ACTION, "kinesis:ListTagsForStream"),
    dba=True,
    securityhub="AwsKinesisStream",
)

TYPES = (STREAM,)
