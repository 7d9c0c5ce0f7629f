"""AWS Backup recovery points, listed vault by vault."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Listing,
    Over,
    PerResource,
    ResourceType,
    TaggingApi,
    skip,
)

RECOVERY_POINT = ResourceType(
    name="backup:recoveryPoint",
    service="backup",
    # Only recovery points with a backup ARN (services under full AWS Backup management: EFS,
    # DynamoDB, S3, ...); an EBS, RDS or FSx recovery point carries its service's own snapshot
    # or backup ARN and is scanned as that type, never twice.
    listing=Listing(
        "list_recovery_points_by_backup_vault",
        "RecoveryPoints[?contains(RecoveryPointArn, ':backup:')]",
        1000,
        result="RecoveryPoints",
        within=Over("list_backup_vaults", "BackupVaultList[].BackupVaultName", "BackupVaultName", 1000),
    ),
    id=lambda item: str(item["RecoveryPointArn"]).rsplit(":", 1)[-1],
    arn="RecoveryPointArn",
    # arn:${Partition}:backup:${Region}:${Account}:recovery-point:${RecoveryPointId}
    # (Service Authorization Reference, AWS Backup)
    iam_arn="arn:{partition}:backup:{region}:{account}:recovery-point:{id}",
    created="CreationDate",
    # ListTags answers for recovery points under full AWS Backup management (API reference).
    tags=TaggingApi(
        PerResource(
            "list_tags",
            request=lambda _item, arn: {"ResourceArn": arn},
            tags=lambda response: dict(response.get("Tags") or {}),
            paginated=True,
            result="Tags",
        )
    ),
    skip=skip("Status", "DELETING"),
    actions=(
        "backup:ListBackupVaults",
        "backup:ListRecoveryPointsByBackupVault",
        TAGGING_API_ACTION,
        "backup:ListTags",
    ),
    arn_actions=("backup:ListTags",),
    securityhub="AwsBackupRecoveryPoint",
)

TYPES = (RECOVERY_POINT,)
