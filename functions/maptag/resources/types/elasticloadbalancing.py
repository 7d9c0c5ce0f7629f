"""Elastic Load Balancing: Application, Network and Gateway load balancers (ELBv2)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from maptag.resources.schema import Batched, Listing, ResourceType, Tags, TagWriter, pairs, tag_list


def _elb_tags(response: Mapping[str, Any]) -> Iterator[tuple[str, Tags]]:
    for description in response.get("TagDescriptions", []):
        yield description["ResourceArn"], pairs(description.get("Tags"))


# ELBv2's own AddTags/RemoveTags (both honour aws:TagKeys), tested end to end in moto, whose
# TagResources does not reach ELBv2 (docs/fix.md).
TAGS = TagWriter(
    tag="add_tags",
    untag="remove_tags",
    tag_request=lambda arn, tags: {"ResourceArns": [arn], "Tags": tag_list(tags)},
    untag_request=lambda arn, keys: {"ResourceArns": [arn], "TagKeys": list(keys)},
    actions=("elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"),
)

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
    writer=TAGS,
)

TYPES = (LOAD_BALANCER,)
