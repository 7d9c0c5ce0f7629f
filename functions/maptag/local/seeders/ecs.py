"""ECS in moto: clusters, services and their tasks (Fargate)."""

from __future__ import annotations

from typing import Any

from maptag.local.seeders import SeedContext, Seeder, Tags, default_subnets, default_vpc, pairs


def _tags(tags: Tags) -> dict[str, Any]:
    """ECS's {key, value} tag list for a create call, or nothing when there are no tags."""
    return {"tags": pairs(tags, "key", "value")} if tags else {}


def _cluster(ctx: SeedContext) -> str:
    """One untagged cluster per context, for the services and tasks seeded alone."""
    return ctx.once(
        "ecs-cluster",
        lambda: str(ctx.client("ecs").create_cluster(clusterName="seed-cluster")["cluster"]["clusterArn"]),
    )


def _task_definition(ctx: SeedContext) -> str:
    def make() -> str:
        found = ctx.client("ecs").register_task_definition(
            family="seed-web",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            # moto needs each container's memory (docs/toolchain.md)
            containerDefinitions=[{"name": "web", "image": "nginx", "memory": 512}],
        )
        return str(found["taskDefinition"]["taskDefinitionArn"])

    return ctx.once("ecs-task-definition", make)


def _network(ctx: SeedContext) -> dict[str, Any]:
    """Fargate's awsvpc network: a default subnet and the default VPC's security group."""

    def make() -> dict[str, Any]:
        groups = ctx.client("ec2").describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [default_vpc(ctx)]},
                {"Name": "group-name", "Values": ["default"]},
            ]
        )
        group = groups["SecurityGroups"][0]["GroupId"]
        return {"awsvpcConfiguration": {"subnets": default_subnets(ctx)[:1], "securityGroups": [group]}}

    return ctx.once("ecs-network", make)


def cluster(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    return str(ctx.client("ecs").create_cluster(clusterName=name, **_tags(tags))["cluster"]["clusterArn"])


def service(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    found = ctx.client("ecs").create_service(
        cluster=parent or _cluster(ctx),
        serviceName=name,
        taskDefinition=_task_definition(ctx),
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=_network(ctx),
        **_tags(tags),
    )
    return str(found["service"]["serviceArn"])


def task(ctx: SeedContext, name: str, tags: Tags, parent: str | None = None) -> str:
    """A task of the service ``parent`` (as the service would start it), or a standalone one."""
    if parent is None:
        cluster_name, group = "seed-cluster", {}
        _cluster(ctx)
    else:
        cluster_name, service_name = parent.rsplit("/", 2)[-2:]
        # moto's services start no tasks: run one in the service's group, as ECS does for it.
        group = {"group": f"service:{service_name}", "startedBy": "ecs-svc/seed"}
    found = ctx.client("ecs").run_task(
        cluster=cluster_name,
        taskDefinition=_task_definition(ctx),
        launchType="FARGATE",
        networkConfiguration=_network(ctx),
        **group,
        **_tags(tags),
    )
    return str(found["tasks"][0]["taskArn"])


SEEDERS: dict[str, Seeder] = {"ecs:cluster": cluster, "ecs:service": service, "ecs:task": task}
