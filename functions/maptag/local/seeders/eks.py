"""EKS in moto: clusters and managed node groups (moto starts no EC2 instances for them)."""

from __future__ import annotations

from typing import Any

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, service_role


def _tags(tags: Tags) -> dict[str, Any]:
    return {"tags": dict(tags)} if tags else {}


def cluster(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("eks").create_cluster(
        name=name,
        roleArn=service_role(ctx, "seed-eks-cluster", "eks.amazonaws.com"),
        resourcesVpcConfig={"subnetIds": default_subnets(ctx)},
        **_tags(tags),
    )
    return str(found["cluster"]["arn"])


def nodegroup(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    """A node group of the cluster ``parent``, or of a new untagged cluster made with it."""
    cluster_arn = parent or cluster(ctx, f"{name}-cluster", None)
    found = ctx.client("eks").create_nodegroup(
        clusterName=cluster_arn.rsplit("/", 1)[1],
        nodegroupName=name,
        subnets=default_subnets(ctx),
        nodeRole=service_role(ctx, "seed-eks-nodes", "ec2.amazonaws.com"),
        **_tags(tags),
    )
    return str(found["nodegroup"]["nodegroupArn"])


SEEDERS: dict[str, Seeder] = {"eks:cluster": cluster, "eks:nodegroup": nodegroup}
