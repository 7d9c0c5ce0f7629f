"""S3 Glacier vaults (the original vault API)."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Listing,
    PerResource,
    ResourceType,
    TaggingApi,
    iso,
)

VAULT = ResourceType(
    name="glacier:vault",
    service="glacier",
    # accountId "-" is the caller's account (boto3 fills it in); 1000 vaults a page at most.
    listing=Listing("list_vaults", "VaultList[]", 1000, {"accountId": "-"}),
    id="VaultName",
    arn="arn:{partition}:glacier:{region}:{account}:vaults/{id}",
    created=lambda item: iso(item.get("CreationDate")),
    tags=TaggingApi(
        PerResource(
            "list_tags_for_vault",
            request=lambda item, _arn: {"accountId": "-", "vaultName": item["VaultName"]},
            tags=lambda response: dict(response.get("Tags") or {}),
        )
    ),
    actions=("glacier:ListVaults", TAGGING_API_ACTION, "glacier:ListTagsForVault"),
    arn_actions=("glacier:ListTagsForVault",),
)

TYPES = (VAULT,)
