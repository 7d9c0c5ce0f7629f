"""Amazon Data Firehose seeders."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, service_role, tag_list


def delivery_stream(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    created = ctx.client("firehose").create_delivery_stream(
        DeliveryStreamName=name,
        S3DestinationConfiguration={
            "RoleARN": service_role(ctx, "seed-firehose", "firehose.amazonaws.com"),
            "BucketARN": "arn:aws:s3:::seed-firehose-destination",
        },
        **tag_list(tags),
    )
    return str(created["DeliveryStreamARN"])


SEEDERS: dict[str, Seeder] = {"firehose:deliverystream": delivery_stream}
