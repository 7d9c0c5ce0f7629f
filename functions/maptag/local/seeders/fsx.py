"""FSx backups, of a file system made here.

moto models no FSx volumes, and its file systems carry no CreationTime (AWS always sends one):
fsx:file-system and fsx:volume are tested through botocore's Stubber (tests/integration/resources),
and ``file_system`` is only the backups' prerequisite.
"""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, tag_list


def file_system(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("fsx").create_file_system(
        FileSystemType="LUSTRE",
        StorageCapacity=1200,
        SubnetIds=default_subnets(ctx)[:1],
        ClientRequestToken=name,
        **tag_list(tags),
    )
    return str(made["FileSystem"]["ResourceARN"])


def backup(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    # parent: a file system's ARN; without one, an untagged file system of its own
    file_system_arn = parent or file_system(ctx, f"{name}-fs", None)
    made = ctx.client("fsx").create_backup(
        FileSystemId=file_system_arn.rsplit("/", 1)[-1], ClientRequestToken=name, **tag_list(tags)
    )
    return str(made["Backup"]["ResourceARN"])


SEEDERS: dict[str, Seeder] = {"fsx:backup": backup}
