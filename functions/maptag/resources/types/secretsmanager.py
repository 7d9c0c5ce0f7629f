"""Secrets Manager secrets."""

from __future__ import annotations

from maptag.resources.schema import Inline, Listing, ResourceType

SECRET = ResourceType(
    name="secretsmanager:secret",
    service="secretsmanager",
    # Secrets scheduled for deletion are left out unless IncludePlannedDeletion (API reference).
    listing=Listing("list_secrets", "SecretList[]", 100),
    id="Name",
    arn="ARN",
    # arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId} (name + 6 chars)
    iam_arn="arn:{partition}:secretsmanager:{region}:{account}:secret:{id}",
    created="CreatedDate",
    tags=Inline(),
    actions=("secretsmanager:ListSecrets",),
    securityhub="AwsSecretsManagerSecret",
)

TYPES = (SECRET,)
