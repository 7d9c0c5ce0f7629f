"""Amazon FSx: file systems, their volumes (ONTAP, OpenZFS) and their backups."""

from __future__ import annotations

from maptag.resources.schema import Inline, Listing, Parent, ResourceType, skip

# FSx answers the smaller of MaxResults and its own page maximum (API reference,
# DescribeFileSystems): ask for the model's largest.
_LARGEST = 2147483647

FILE_SYSTEM = ResourceType(
    name="fsx:file-system",
    service="fsx",
    listing=Listing("describe_file_systems", "FileSystems[]", _LARGEST),
    id="FileSystemId",
    arn="arn:{partition}:fsx:{region}:{account}:file-system/{id}",
    created="CreationTime",
    tags=Inline(),
    skip=skip("Lifecycle", "DELETING", "FAILED"),
    actions=("fsx:DescribeFileSystems",),
)

VOLUME = ResourceType(
    name="fsx:volume",
    service="fsx",
    listing=Listing("describe_volumes", "Volumes[]", _LARGEST),
    id="VolumeId",
    # arn:...:volume/<file system id>/<volume id> (Service Authorization Reference, FSx)
    arn="ResourceARN",
    created="CreationTime",
    tags=Inline(),
    skip=skip("Lifecycle", "DELETING", "FAILED"),
    actions=("fsx:DescribeVolumes",),
)

BACKUP = ResourceType(
    name="fsx:backup",
    service="fsx",
    listing=Listing("describe_backups", "Backups[]", _LARGEST),
    id="BackupId",
    arn="arn:{partition}:fsx:{region}:{account}:backup/{id}",
    created="CreationTime",
    tags=Inline(),
    parent=Parent("fsx:file-system", "FileSystem.FileSystemId"),
    skip=skip("Lifecycle", "DELETED", "FAILED"),
    actions=("fsx:DescribeBackups",),
)

TYPES = (FILE_SYSTEM, VOLUME, BACKUP)
