"""Transfer Family servers."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def server(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("transfer").create_server(Protocols=["SFTP"], **tag_list(tags))
    return ctx.arn("transfer", f"server/{made['ServerId']}")


SEEDERS: dict[str, Seeder] = {"transfer:server": server}
