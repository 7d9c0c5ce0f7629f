"""EFS file systems."""

from __future__ import annotations

from maptag.resources.schema import Inline, Listing, ResourceType

FILE_SYSTEM = ResourceType(
    name="elasticfilesystem:file-system",
    service="efs",
    listing=Listing("describe_file_systems", "FileSystems[]", 100),
    id="FileSystemId",
    arn="arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{id}",
    created="CreationTime",
    tags=Inline(),
    actions=("elasticfilesystem:DescribeFileSystems",),
    arn_actions=("elasticfilesystem:DescribeFileSystems",),
    securityhub="AwsEfsFileSystem",
)

TYPES = (FILE_SYSTEM,)
