"""EMR Serverless applications in moto."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags


def application(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("emr-serverless").create_application(
        name=name, releaseLabel="emr-7.1.0", type="SPARK", **({"tags": dict(tags)} if tags else {})
    )
    return str(found["arn"])


SEEDERS: dict[str, Seeder] = {"emr-serverless:application": application}
