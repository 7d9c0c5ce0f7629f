"""Amazon MQ brokers."""

from __future__ import annotations

from maptag.resources.schema import Listing, PerResource, ResourceType, skip

BROKER = ResourceType(
    name="mq:broker",
    service="mq",
    listing=Listing("list_brokers", "BrokerSummaries[]", 100),
    id="BrokerId",
    arn="BrokerArn",
    # arn:${Partition}:mq:${Region}:${Account}:broker:${BrokerId} (Service Authorization Reference)
    iam_arn="arn:{partition}:mq:{region}:{account}:broker:{id}",
    created="Created",
    # One ListTags per broker: exact and immediate (moto's GetResources does not index MQ).
    tags=PerResource(
        "list_tags",
        request=lambda _item, arn: {"ResourceArn": arn},
        tags=lambda response: dict(response.get("Tags") or {}),
    ),
    skip=skip("BrokerState", "CREATION_FAILED", "DELETION_IN_PROGRESS"),
    actions=("mq:ListBrokers", "mq:ListTags"),
    securityhub="AwsAmazonMqBroker",
)

TYPES = (BROKER,)
