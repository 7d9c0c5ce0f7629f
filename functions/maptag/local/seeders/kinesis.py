"""Kinesis Data Streams seeders."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags


def stream(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    kinesis = ctx.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    if tags:
        # docs/toolchain.md: moto ignores the tags CreateStream is given; tag afterwards.
        kinesis.add_tags_to_stream(StreamName=name, Tags=dict(tags))
    return ctx.arn("kinesis", f"stream/{name}")


SEEDERS: dict[str, Seeder] = {"kinesis:stream": stream}
