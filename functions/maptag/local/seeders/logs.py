"""CloudWatch Logs log groups."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags


def log_group(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    group = f"/maptag/{name}"
    ctx.client("logs").create_log_group(logGroupName=group, **({"tags": dict(tags)} if tags else {}))
    return ctx.arn("logs", f"log-group:{group}")


SEEDERS: dict[str, Seeder] = {"logs:log-group": log_group}
