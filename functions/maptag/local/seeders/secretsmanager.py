"""Secrets Manager secrets."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def secret(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("secretsmanager").create_secret(Name=name, SecretString="seeded", **tag_list(tags))
    return str(made["ARN"])


SEEDERS: dict[str, Seeder] = {"secretsmanager:secret": secret}
