"""S3 buckets (their tags are set apart from the bucket: PutBucketTagging)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, pairs


def bucket(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    s3 = ctx.client("s3")
    # us-east-1 takes no location constraint (it is the default)
    where = (
        {} if ctx.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": ctx.region}}
    )
    s3.create_bucket(Bucket=name, **where)
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": pairs(tags)})
    return f"arn:aws:s3:::{name}"


SEEDERS: dict[str, Seeder] = {"s3:bucket": bucket}
