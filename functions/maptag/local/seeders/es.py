"""OpenSearch Service seeders: one OpenSearch domain and, for every other, an Elasticsearch one."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def domain(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    created = ctx.client("opensearch").create_domain(
        DomainName=name,
        EngineVersion="Elasticsearch_7.10" if len(name) % 2 else "OpenSearch_2.11",
        **tag_list(tags, "TagList"),
    )
    return str(created["DomainStatus"]["ARN"])


SEEDERS: dict[str, Seeder] = {"es:domain": domain}
