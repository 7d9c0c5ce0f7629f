"""Amazon Data Firehose delivery streams (a database & analytics destination)."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Detail,
    Listing,
    PerResource,
    ResourceType,
    StartAfter,
    TaggingApi,
    pairs,
    skip,
)

DELIVERY_STREAM = ResourceType(
    name="firehose:deliverystream",
    service="firehose",
    # botocore has no paginator for ListDeliveryStreams: each page starts after the last name.
    listing=Listing(
        "list_delivery_streams",
        "DeliveryStreamNames[].{DeliveryStreamName: @}",
        10000,
        result="DeliveryStreamNames",
        paging=StartAfter(
            param="ExclusiveStartDeliveryStreamName",
            last="DeliveryStreamName",
            more="HasMoreDeliveryStreams",
            limit="Limit",
        ),
    ),
    id="DeliveryStreamName",
    arn="arn:{partition}:firehose:{region}:{account}:deliverystream/{id}",
    created="CreateTimestamp",
    tags=TaggingApi(
        PerResource(
            "list_tags_for_delivery_stream",
            # A delivery stream has at most 50 tags: one call of 50 reads them all.
            request=lambda item, _arn: {"DeliveryStreamName": item["DeliveryStreamName"], "Limit": 50},
            tags=lambda response: pairs(response.get("Tags")),
            result="Tags",
        )
    ),
    # The listing gives names only; the status (to skip dead streams) and the creation time
    # are in DescribeDeliveryStream.
    detail=Detail(
        "describe_delivery_stream",
        lambda item: {"DeliveryStreamName": item["DeliveryStreamName"]},
        "DeliveryStreamDescription",
        always=True,
    ),
    skip=skip("DeliveryStreamStatus", "deleting", "deleting_failed", "creating_failed"),
    actions=(
        "firehose:ListDeliveryStreams",
        "firehose:DescribeDeliveryStream",
        TAGGING_API_ACTION,
        "firehose:ListTagsForDeliveryStream",
    ),
    dba=True,
)

TYPES = (DELIVERY_STREAM,)
