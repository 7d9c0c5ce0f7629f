"""Elastic Load Balancing: Application, Network and Gateway load balancers (ELBv2)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from maptag.resources.schema import Batched, Listing, ResourceType, Tags, pairs


def _elb_tags(response: Mapping[str, Any]) -> Iterator[tuple[str, Tags]]:
    for description in response.get("TagDescriptions", []):
        yield description["ResourceArn"], pairs(description.get("Tags"))


LOAD_BALANCER = ResourceType(
    name="elasticloadbalancing:loadbalancer",
    service="elbv2",
    listing=Listing("describe_load_balancers", "LoadBalancers[]", 400),
    id="LoadBalancerName",
    arn="LoadBalancerArn",
    created="CreatedTime",
    tags=Batched(
        "describe_tags",
        size=20,
        request=lambda arns: {"ResourceArns": list(arns)},
        tags=_elb_tags,
    ),
    actions=("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags"),
    securityhub="AwsElbv2LoadBalancer",
)

TYPES = (LOAD_BALANCER,)
