"""Amazon MQ brokers."""

from __future__ import annotations

from maptag.local.seeders import SeedContext, Seeder, Tags


def broker(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    made = ctx.client("mq").create_broker(
        BrokerName=name,
        DeploymentMode="SINGLE_INSTANCE",
        EngineType="ACTIVEMQ",
        EngineVersion="5.17.6",
        HostInstanceType="mq.t3.micro",
        PubliclyAccessible=False,
        AutoMinorVersionUpgrade=True,
        Users=[{"Username": "admin", "Password": "seed-password-1"}],
        **({"Tags": dict(tags)} if tags else {}),
    )
    return str(made["BrokerArn"])


SEEDERS: dict[str, Seeder] = {"mq:broker": broker}
