"""FSx file systems, volumes and backups.

moto models no FSx volumes, and the file systems it makes carry no CreationTime (AWS always sends
one), so file systems and volumes are driven here through botocore's Stubber, whose answers the
FSx service model validates. Backups are seeded in moto (test_every_type.py); moto's backups lack
the FileSystem member the parent is read from, so the parent is checked here too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT, COMPLIANT, NO_MAP_TAG
from tests.support.privileges import assert_least_privilege
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
NEW = datetime(2025, 6, 15, 10, 30, tzinfo=UTC)
OLD = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
LARGEST = 2147483647  # the model's maximum MaxResults: FSx caps it at its own page size


def _tags(tags: dict[str, str] | None) -> dict[str, Any]:
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags is not None else {}


def _file_system(
    fs_id: str, created: datetime, tags: dict[str, str] | None, lifecycle: str = "AVAILABLE"
) -> dict[str, Any]:
    return {
        "FileSystemId": fs_id,
        "FileSystemType": "ONTAP",
        "CreationTime": created,
        "Lifecycle": lifecycle,
        "ResourceARN": f"arn:aws:fsx:{REGION}:{ACCOUNT}:file-system/{fs_id}",
        **_tags(tags),
    }


def _arn(kind: str, resource_id: str, region: str = REGION) -> str:
    return f"arn:aws:fsx:{region}:{ACCOUNT}:{kind}/{resource_id}"


def test_file_systems_tagged_untagged_never_tagged_old_and_dead() -> None:
    # Given two pages of file systems, one of each kind, and two that earn nothing
    aws = StubbedAws(REGION)
    first = [
        _file_system("fs-0000000000000001", NEW, COMPLIANT),
        _file_system("fs-0000000000000002", NEW, NO_MAP_TAG),
        _file_system("fs-0000000000000003", NEW, None),
        _file_system("fs-0000000000000004", NEW, COMPLIANT, lifecycle="DELETING"),
    ]
    second = [
        _file_system("fs-0000000000000005", OLD, None),
        _file_system("fs-0000000000000006", NEW, None, lifecycle="FAILED"),
    ]
    aws.answer(
        "fsx", "describe_file_systems", {"FileSystems": first, "NextToken": "p2"}, {"MaxResults": LARGEST}
    )
    aws.answer(
        "fsx", "describe_file_systems", {"FileSystems": second}, {"MaxResults": LARGEST, "NextToken": "p2"}
    )
    # When the unit is scanned
    outcome = aws.scan(["fsx:file-system"], agreement_start="2025-01-01")
    # Then every live file system is judged, across both pages, and the dead ones are not listed
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    assert outcome.verdicts() == {
        _arn("file-system", "fs-0000000000000001"): Verdict.COMPLIANT,
        _arn("file-system", "fs-0000000000000002"): Verdict.MISSING,
        _arn("file-system", "fs-0000000000000003"): Verdict.MISSING,
        _arn("file-system", "fs-0000000000000005"): Verdict.EXCLUDED,
    }
    found = outcome.by_arn()
    assert "no tags at all" in found[_arn("file-system", "fs-0000000000000003")].reason
    assert "created 2024-03-01" in found[_arn("file-system", "fs-0000000000000005")].reason
    assert found[_arn("file-system", "fs-0000000000000001")].resource.created == NEW


def _volume(vol_id: str, created: datetime, tags: dict[str, str] | None, **extra: Any) -> dict[str, Any]:
    fs_id = "fs-0000000000000001"
    return {
        "VolumeId": vol_id,
        "FileSystemId": fs_id,
        "CreationTime": created,
        "Lifecycle": extra.pop("Lifecycle", "CREATED"),
        "Name": vol_id,
        "VolumeType": "ONTAP",
        "ResourceARN": extra.pop("ResourceARN", _arn("volume", f"{fs_id}/{vol_id}")),
        **_tags(tags),
    }


def test_volumes_are_named_by_their_own_arn_and_dead_or_foreign_ones_left_out() -> None:
    aws = StubbedAws(REGION)
    volumes = [
        _volume("fsvol-00000000000000001", NEW, COMPLIANT),
        _volume("fsvol-00000000000000002", NEW, NO_MAP_TAG),
        _volume("fsvol-00000000000000003", NEW, None),
        _volume("fsvol-00000000000000004", OLD, None),
        _volume("fsvol-00000000000000005", NEW, None, Lifecycle="DELETING"),
        _volume("fsvol-00000000000000006", NEW, None, Lifecycle="FAILED"),
        # an ARN that names another region is that region's unit's, not this one's
        _volume(
            "fsvol-00000000000000007",
            NEW,
            None,
            ResourceARN=_arn("volume", "fs-0000000000000009/fsvol-00000000000000007", "us-east-1"),
        ),
    ]
    aws.answer("fsx", "describe_volumes", {"Volumes": volumes}, {"MaxResults": LARGEST})
    outcome = aws.scan(["fsx:volume"], agreement_start="2025-01-01")
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    volume = "volume/fs-0000000000000001"
    assert outcome.verdicts() == {
        f"arn:aws:fsx:{REGION}:{ACCOUNT}:{volume}/fsvol-00000000000000001": Verdict.COMPLIANT,
        f"arn:aws:fsx:{REGION}:{ACCOUNT}:{volume}/fsvol-00000000000000002": Verdict.MISSING,
        f"arn:aws:fsx:{REGION}:{ACCOUNT}:{volume}/fsvol-00000000000000003": Verdict.MISSING,
        f"arn:aws:fsx:{REGION}:{ACCOUNT}:{volume}/fsvol-00000000000000004": Verdict.EXCLUDED,
    }
    assert {f.resource.resource_id for f in outcome.findings} == {
        f"fsvol-0000000000000000{n}" for n in (1, 2, 3, 4)
    }


def test_a_backup_names_its_file_system_as_parent_and_dead_backups_are_left_out() -> None:
    aws = StubbedAws(REGION)

    def backup(backup_id: str, lifecycle: str) -> dict[str, Any]:
        return {
            "BackupId": backup_id,
            "Lifecycle": lifecycle,
            "Type": "USER_INITIATED",
            "CreationTime": OLD,
            "ResourceARN": _arn("backup", backup_id),
            "FileSystem": {"FileSystemId": "fs-0000000000000001"},
            "Tags": [{"Key": "map-migrated", "Value": "mig12345"}],
        }

    backups = [
        backup("backup-00000000000000001", "AVAILABLE"),
        backup("backup-00000000000000002", "DELETED"),
        backup("backup-00000000000000003", "FAILED"),
    ]
    aws.answer("fsx", "describe_backups", {"Backups": backups}, {"MaxResults": LARGEST})
    outcome = aws.scan(["fsx:backup"])
    (finding,) = outcome.findings
    assert finding.resource.arn == _arn("backup", "backup-00000000000000001")
    assert finding.resource.parent == _arn("file-system", "fs-0000000000000001")
    assert finding.verdict is Verdict.COMPLIANT


def test_a_failing_listing_fails_the_unit_loudly() -> None:
    aws = StubbedAws(REGION)
    aws.fail("fsx", "describe_volumes", "BadRequest", 400, "volumes are not available")
    outcome = aws.scan(["fsx:volume"])
    assert outcome.unit.status == "failed"
    assert outcome.unit.error is not None
    assert "fsx:volume" in outcome.unit.error
    assert "BadRequest" in outcome.unit.error
    assert outcome.findings == []


def test_least_privilege_for_backups() -> None:
    # moto seeds backups (and the file systems they need); IAM enforcement covers FSx
    assert_least_privilege(["fsx:backup"])
