"""ECS: clusters, services and tasks (Fargate's spend is billed per task).

ECS's list calls give ARNs only; its describe calls take a batch of them (100 clusters or tasks,
10 services) and, asked with include=TAGS, carry each one's tags: no per-resource tag read.
A task carries its own tags: it gets its service's only when the service sets propagateTags
(docs/resource-types.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maptag.resources.schema import DetailBatch, Inline, Item, Listing, Over, Parent, ResourceType, skip

# ECS answers tags as [{key, value}] when asked for them.
_TAGS = Inline("tags", key="key", value="value")
# Services and tasks are listed per cluster (ListClusters gives 100 ARNs a page).
_PER_CLUSTER = Over("list_clusters", "clusterArns[]", "cluster", page_size=100)


def _describe(member: str, arn: str, batch: Sequence[Item], **scope: Any) -> dict[str, Any]:
    """A describe request for a batch of listed items (their ARNs under ``arn``), with tags."""
    return {**scope, member: [item[arn] for item in batch], "include": ["TAGS"]}


def _service_of(task: Item) -> str | None:
    """A service's task is in the group "service:<name>"; its ARN is the service's in the cluster."""
    group, cluster = task.get("group") or "", task.get("clusterArn") or ""
    if not group.startswith("service:") or ":cluster/" not in cluster:
        return None
    return f"{cluster.replace(':cluster/', ':service/', 1)}/{group.removeprefix('service:')}"


CLUSTER = ResourceType(
    name="ecs:cluster",
    service="ecs",
    listing=Listing("list_clusters", "clusterArns[].{clusterArn: @}", 100, result="clusterArns"),
    detail=DetailBatch(
        "describe_clusters",
        size=100,
        request=lambda batch: _describe("clusters", "clusterArn", batch),
        items="clusters",
        key="clusterArn",
        listed_key="clusterArn",
    ),
    id="clusterName",
    arn="clusterArn",
    # The ECS API gives no cluster creation time: in scope whatever the agreement date.
    created=None,
    tags=_TAGS,
    skip=skip("status", "INACTIVE", "DEPROVISIONING", "FAILED"),
    actions=("ecs:ListClusters", "ecs:DescribeClusters"),
    securityhub="AwsEcsCluster",
)

SERVICE = ResourceType(
    name="ecs:service",
    service="ecs",
    listing=Listing(
        "list_services", "serviceArns[].{serviceArn: @}", 100, result="serviceArns", within=_PER_CLUSTER
    ),
    # Each listed page is one cluster's: its services are described 10 at a time, the maximum.
    detail=DetailBatch(
        "describe_services",
        size=10,
        request=lambda batch: _describe("services", "serviceArn", batch, cluster=batch[0]["cluster"]),
        items="services",
        key="serviceArn",
        listed_key="serviceArn",
    ),
    id="serviceName",
    arn="serviceArn",
    created="createdAt",
    tags=_TAGS,
    skip=skip("status", "DRAINING", "INACTIVE"),
    actions=("ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"),
    securityhub="AwsEcsService",
)

TASK = ResourceType(
    name="ecs:task",
    service="ecs",
    # ListTasks lists the tasks whose desired status is RUNNING (stopped ones are going away).
    listing=Listing("list_tasks", "taskArns[].{taskArn: @}", 100, result="taskArns", within=_PER_CLUSTER),
    detail=DetailBatch(
        "describe_tasks",
        size=100,
        request=lambda batch: _describe("tasks", "taskArn", batch, cluster=batch[0]["cluster"]),
        items="tasks",
        key="taskArn",
        listed_key="taskArn",
    ),
    # A task has no name: its ARN (…:task/<cluster>/<id>) is its identity.
    id="taskArn",
    arn="taskArn",
    created="createdAt",
    tags=_TAGS,
    parent=Parent("ecs:service", _service_of),
    skip=skip("lastStatus", "DEPROVISIONING", "STOPPED", "DELETED"),
    actions=("ecs:ListClusters", "ecs:ListTasks", "ecs:DescribeTasks"),
    securityhub="AwsEcsTask",
)

TYPES = (CLUSTER, SERVICE, TASK)
