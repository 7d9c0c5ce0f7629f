"""AWS Glue seeders."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, service_role


def _tags(tags: Tags) -> dict[str, dict[str, str]]:
    # Glue takes tags as a {key: value} map.
    return {"Tags": dict(tags)} if tags else {}


def job(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    ctx.client("glue").create_job(
        Name=name,
        Role=service_role(ctx, "seed-glue", "glue.amazonaws.com"),
        Command={"Name": "glueetl", "ScriptLocation": "s3://seed-glue-scripts/job.py"},
        **_tags(tags),
    )
    return ctx.arn("glue", f"job/{name}")


def crawler(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    ctx.client("glue").create_crawler(
        Name=name,
        Role=service_role(ctx, "seed-glue", "glue.amazonaws.com"),
        Targets={"S3Targets": [{"Path": "s3://seed-glue-data/"}]},
        **_tags(tags),
    )
    return ctx.arn("glue", f"crawler/{name}")


SEEDERS: dict[str, Seeder] = {"glue:job": job, "glue:crawler": crawler}
