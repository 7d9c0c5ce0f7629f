"""MSK seeders: provisioned and serverless clusters alternate (ListClustersV2 lists both)."""

from __future__ import annotations

from typing import Any

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets


def cluster(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    subnets = default_subnets(ctx)
    kind: dict[str, Any] = (
        {"Serverless": {"VpcConfigs": [{"SubnetIds": subnets}]}}
        if len(name) % 2
        else {
            "Provisioned": {
                "BrokerNodeGroupInfo": {"InstanceType": "kafka.m5.large", "ClientSubnets": subnets},
                "KafkaVersion": "3.6.0",
                "NumberOfBrokerNodes": 2,
            }
        }
    )
    # MSK takes tags as a {key: value} map; moto's ARNs are cluster/<uuid> (AWS: cluster/<name>/<uuid>).
    created = ctx.client("kafka").create_cluster_v2(
        ClusterName=name, **kind, **({"Tags": dict(tags)} if tags else {})
    )
    return str(created["ClusterArn"])


SEEDERS: dict[str, Seeder] = {"kafka:cluster": cluster}
