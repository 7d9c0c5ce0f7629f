"""KMS keys: customer managed only (AWS managed keys are no one's migration)."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Detail,
    Listing,
    PerResource,
    ResourceType,
    TaggingApi,
    pairs,
    skip,
)

KEY = ResourceType(
    name="kms:key",
    service="kms",
    listing=Listing("list_keys", "Keys[]", 1000),
    id="KeyId",
    arn="arn:{partition}:kms:{region}:{account}:key/{id}",
    created="CreationDate",
    # ListKeys gives ids only; whether AWS manages a key (KeyManager) and its state are in
    # DescribeKey.
    detail=Detail("describe_key", lambda item: {"KeyId": item["KeyId"]}, "KeyMetadata", always=True),
    # A key holds at most 50 tags: one page of 50 holds them all.
    tags=TaggingApi(
        PerResource(
            "list_resource_tags",
            request=lambda item, _arn: {"KeyId": item["KeyId"], "Limit": 50},
            tags=lambda response: pairs(response.get("Tags"), "TagKey", "TagValue"),
            result="Tags",
        )
    ),
    # AWS managed keys, and keys pending deletion, earn nothing: both read as one state.
    skip=skip("KeyManager == 'AWS' && 'AWS' || KeyState", "AWS", "PendingDeletion", "PendingReplicaDeletion"),
    actions=("kms:ListKeys", "kms:DescribeKey", TAGGING_API_ACTION, "kms:ListResourceTags"),
    arn_actions=("kms:DescribeKey", "kms:ListResourceTags"),
    securityhub="AwsKmsKey",
)

TYPES = (KEY,)
