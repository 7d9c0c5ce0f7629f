"""Elastic Beanstalk environments (their instances, groups and load balancers are scanned apart)."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Listing,
    PerResource,
    ResourceType,
    TaggingApi,
    pairs,
    skip,
)

ENVIRONMENT = ResourceType(
    name="elasticbeanstalk:environment",
    service="elasticbeanstalk",
    # Deleted environments are listed too unless IncludeDeleted is false (DescribeEnvironments).
    listing=Listing("describe_environments", "Environments[]", 1000, {"IncludeDeleted": False}),
    id="EnvironmentName",
    arn="EnvironmentArn",
    created="DateCreated",
    # DescribeEnvironments carries no tags; Elastic Beanstalk reads them one environment a call.
    tags=TaggingApi(
        PerResource(
            "list_tags_for_resource",
            request=lambda _item, arn: {"ResourceArn": arn},
            tags=lambda response: pairs(response.get("ResourceTags")),
            result="ResourceTags",
        )
    ),
    skip=skip("Status", "Terminating", "Terminated"),
    actions=(
        "elasticbeanstalk:DescribeEnvironments",
        TAGGING_API_ACTION,
        "elasticbeanstalk:ListTagsForResource",
    ),
    securityhub="AwsElasticBeanstalkEnvironment",
)

TYPES = (ENVIRONMENT,)
