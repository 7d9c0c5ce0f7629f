"""AWS DMS seeders (moto's ARNs are rep:<identifier>; AWS's name a generated id)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def replication_instance(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    created = ctx.client("dms").create_replication_instance(
        ReplicationInstanceIdentifier=name, ReplicationInstanceClass="dms.t3.medium", **tag_list(tags)
    )
    return str(created["ReplicationInstance"]["ReplicationInstanceArn"])


SEEDERS: dict[str, Seeder] = {"dms:rep": replication_instance}
