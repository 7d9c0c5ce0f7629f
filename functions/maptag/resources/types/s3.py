"""S3 buckets (storage only counts for MAP)."""

from __future__ import annotations

from maptag.resources.schema import TAGGING_API_ACTION, Listing, PerResource, ResourceType, TaggingApi, pairs

BUCKET = ResourceType(
    name="s3:bucket",
    service="s3",
    # ListBuckets is global; filtered by BucketRegion it returns only the unit's own buckets,
    # so a bucket is listed once, in its region, however many regions are scanned.
    listing=Listing("list_buckets", "Buckets[]", 10000, region_param="BucketRegion"),
    id="Name",
    arn="arn:{partition}:s3:::{id}",
    created="CreationDate",
    # A bucket that never had tags answers NoSuchTagSet: that is "no tags", not an error.
    tags=TaggingApi(
        PerResource(
            "get_bucket_tagging",
            request=lambda item, _arn: {"Bucket": item["Name"]},
            tags=lambda response: pairs(response.get("TagSet")),
            absent=("NoSuchTagSet", "NoSuchTagSetError"),
            result="TagSet",
        )
    ),
    actions=("s3:ListAllMyBuckets", TAGGING_API_ACTION, "s3:GetBucketTagging"),
    arn_actions=("s3:GetBucketTagging",),
    securityhub="AwsS3Bucket",
)

TYPES = (BUCKET,)
