"""ECR repositories."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def repository(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("ecr").create_repository(repositoryName=name, **tag_list(tags, "tags"))
    return str(made["repository"]["repositoryArn"])


SEEDERS: dict[str, Seeder] = {"ecr:repository": repository}
