"""DynamoDB tables (on demand: no capacity to choose)."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags, tag_list


def table(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **tag_list(tags),
    )
    return str(found["TableDescription"]["TableArn"])


SEEDERS: dict[str, Seeder] = {"dynamodb:table": table}
