"""EC2 Auto Scaling groups (their instances are scanned as ec2:instance)."""

from __future__ import annotations

from maptag.resources.schema import Inline, Listing, ResourceType, skip

AUTO_SCALING_GROUP = ResourceType(
    name="autoscaling:autoScalingGroup",
    service="autoscaling",
    listing=Listing("describe_auto_scaling_groups", "AutoScalingGroups[]", 100),
    id="AutoScalingGroupName",
    # autoScalingGroup:<uuid>:autoScalingGroupName/<name>: only the listing knows the uuid.
    arn="AutoScalingGroupARN",
    created="CreatedTime",
    tags=Inline(),
    skip=skip("Status", "Delete in progress"),
    actions=("autoscaling:DescribeAutoScalingGroups",),
    securityhub="AwsAutoScalingAutoScalingGroup",
)

TYPES = (AUTO_SCALING_GROUP,)
