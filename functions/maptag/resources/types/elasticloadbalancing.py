"""Elastic Load Balancing: Application, Network and Gateway load balancers (ELBv2) and Classic ones."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from maptag.resources.schema import (
    Batched,
    Listing,
    ResourceType,
    Tags,
    TagWriter,
    last_part,
    pairs,
    tag_list,
)


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

# Classic load balancers' own AddTags/RemoveTags take names (elb API Reference, AddTags).
CLASSIC_TAGS = TagWriter(
    tag="add_tags",
    untag="remove_tags",
    tag_request=lambda arn, tags: {"LoadBalancerNames": [last_part(arn)], "Tags": tag_list(tags)},
    untag_request=lambda arn, keys: {
        "LoadBalancerNames": [last_part(arn)],
        "Tags": [{"Key": k} for k in keys],
    },
    actions=("elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"),
)


def _classic_tags(response: Mapping[str, Any]) -> Iterator[tuple[str, Tags]]:
    for description in response.get("TagDescriptions", []):
        yield description["LoadBalancerName"], pairs(description.get("Tags"))


# Classic load balancers have their own API (elb); the Service Authorization Reference gives
# them the same ARN shape, named by the load balancer's name: loadbalancer/{name}.
CLASSIC = ResourceType(
    name="elasticloadbalancing:loadbalancer",
    service="elb",
    listing=Listing("describe_load_balancers", "LoadBalancerDescriptions[]", 400),
    id="LoadBalancerName",
    arn="arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/{id}",
    created="CreatedTime",
    # Classic DescribeTags takes up to 20 names (not ARNs) and answers by name.
    tags=Batched(
        "describe_tags",
        size=20,
        request=lambda names: {"LoadBalancerNames": list(names)},
        tags=_classic_tags,
        key=lambda arn: arn.rsplit("/", 1)[1],
    ),
    actions=("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags"),
    securityhub="AwsElbLoadBalancer",
    writer=CLASSIC_TAGS,
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
    also=(CLASSIC,),
)

TYPES = (LOAD_BALANCER,)
