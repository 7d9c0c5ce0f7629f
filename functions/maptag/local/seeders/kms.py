"""KMS customer managed keys."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, pairs


def key(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("kms").create_key(
        Description=name, **({"Tags": pairs(tags, "TagKey", "TagValue")} if tags else {})
    )
    return str(made["KeyMetadata"]["Arn"])


SEEDERS: dict[str, Seeder] = {"kms:key": key}
