"""EFS file systems."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def file_system(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("efs").create_file_system(
        CreationToken=name, PerformanceMode="generalPurpose", **tag_list(tags)
    )
    return ctx.arn("elasticfilesystem", f"file-system/{found['FileSystemId']}")


SEEDERS: dict[str, Seeder] = {"elasticfilesystem:file-system": file_system}
