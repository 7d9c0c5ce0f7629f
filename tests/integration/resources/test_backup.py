"""AWS Backup recovery points, listed vault by vault.

moto models backup vaults but no recovery points, so the real collector is driven here through
botocore's Stubber (answers validated against the Backup and Tagging API models).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
NEW = datetime(2025, 6, 15, 10, 30, tzinfo=UTC)
OLD = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def _arn(point: str) -> str:
    return f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:{point}"


def _point(arn: str, vault: str, created: datetime, status: str = "COMPLETED") -> dict[str, Any]:
    return {"RecoveryPointArn": arn, "BackupVaultName": vault, "CreationDate": created, "Status": status}


def _vaults(aws: StubbedAws) -> None:
    aws.answer(
        "backup",
        "list_backup_vaults",
        {"BackupVaultList": [{"BackupVaultName": "Default"}, {"BackupVaultName": "archive"}]},
        {"MaxResults": 1000},
    )


def test_recovery_points_of_every_vault_are_judged_and_the_others_left_out() -> None:
    # Given two vaults: a page of Default's recovery points (an EFS one tagged, one untagged, an
    # EBS snapshot scanned as ec2:snapshot, one being deleted), then archive's (a never tagged
    # one, and one made before the agreement)
    aws = StubbedAws(REGION)
    _vaults(aws)
    ebs_snapshot = f"arn:aws:ec2:{REGION}::snapshot/snap-0123456789abcdef0"
    aws.answer(
        "backup",
        "list_recovery_points_by_backup_vault",
        {
            "RecoveryPoints": [
                _point(_arn("efs-tagged"), "Default", NEW),
                _point(_arn("efs-untagged"), "Default", NEW),
                _point(ebs_snapshot, "Default", NEW),
                _point(_arn("efs-deleting"), "Default", NEW, status="DELETING"),
            ]
        },
        {"BackupVaultName": "Default", "MaxResults": 1000},
    )
    aws.answer(
        "backup",
        "list_recovery_points_by_backup_vault",
        {"RecoveryPoints": [_point(_arn("s3-never"), "archive", NEW), _point(_arn("old"), "archive", OLD)]},
        {"BackupVaultName": "archive", "MaxResults": 1000},
    )
    # and the Tagging API knows the tags of those that have any
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        {
            "ResourceTagMappingList": [
                {"ResourceARN": _arn("efs-tagged"), "Tags": [{"Key": "map-migrated", "Value": "mig12345"}]},
                {"ResourceARN": _arn("efs-untagged"), "Tags": [{"Key": "team", "Value": "payments"}]},
            ]
        },
        {"ResourceARNList": [_arn("efs-tagged"), _arn("efs-untagged"), _arn("s3-never"), _arn("old")]},
    )
    # When the unit is scanned
    outcome = aws.scan(["backup:recoveryPoint"], agreement_start="2025-01-01")
    # Then the backup recovery points of both vaults are judged, each once
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    assert outcome.verdicts() == {
        _arn("efs-tagged"): Verdict.COMPLIANT,
        _arn("efs-untagged"): Verdict.MISSING,
        _arn("s3-never"): Verdict.MISSING,
        _arn("old"): Verdict.EXCLUDED,
    }
    found = outcome.by_arn()
    assert "no tags at all" in found[_arn("s3-never")].reason
    assert found[_arn("efs-tagged")].resource.resource_id == "efs-tagged"
    assert found[_arn("efs-tagged")].resource.created == NEW


def test_without_the_tagging_api_tags_are_read_one_point_at_a_time() -> None:
    aws = StubbedAws(REGION)
    aws.answer("backup", "list_backup_vaults", {"BackupVaultList": [{"BackupVaultName": "Default"}]})
    aws.answer(
        "backup",
        "list_recovery_points_by_backup_vault",
        {"RecoveryPoints": [_point(_arn("a"), "Default", NEW), _point(_arn("b"), "Default", NEW)]},
    )
    aws.fail("resourcegroupstaggingapi", "get_resources", "AccessDeniedException", 400)
    aws.answer("backup", "list_tags", {"Tags": {"map-migrated": "mig12345"}}, {"ResourceArn": _arn("a")})
    aws.fail("backup", "list_tags", "InvalidParameterValueException", 400, "not a full-management type")
    outcome = aws.scan(["backup:recoveryPoint"])
    assert outcome.unit.status == "ok"
    assert outcome.verdicts() == {_arn("a"): Verdict.COMPLIANT, _arn("b"): Verdict.UNREADABLE}
    assert "InvalidParameterValueException" in outcome.by_arn()[_arn("b")].reason


def test_a_vault_that_cannot_be_listed_fails_the_unit_loudly() -> None:
    aws = StubbedAws(REGION)
    _vaults(aws)
    aws.fail("backup", "list_recovery_points_by_backup_vault", "AccessDeniedException", 400)
    outcome = aws.scan(["backup:recoveryPoint"])
    assert outcome.unit.status == "failed"
    assert outcome.unit.error is not None
    assert "backup:recoveryPoint" in outcome.unit.error
    assert "AccessDeniedException" in outcome.unit.error
