"""ECR repositories."""

from __future__ import annotations

from maptag.resources.schema import Listing, PerResource, ResourceType, pairs

REPOSITORY = ResourceType(
    name="ecr:repository",
    service="ecr",
    listing=Listing("describe_repositories", "repositories[]", 1000),
    id="repositoryName",
    arn="repositoryArn",
    iam_arn="arn:{partition}:ecr:{region}:{account}:repository/{id}",
    created="createdAt",
    # One ListTagsForResource per repository: exact and immediate (moto's GetResources does not
    # index ECR, so a Tagging API read could not be tested against it; docs/resource-types.md).
    tags=PerResource(
        "list_tags_for_resource",
        request=lambda _item, arn: {"resourceArn": arn},
        tags=lambda response: pairs(response.get("tags")),
        result="tags",
    ),
    actions=("ecr:DescribeRepositories", "ecr:ListTagsForResource"),
    arn_actions=("ecr:ListTagsForResource",),
    securityhub="AwsEcrRepository",
)

TYPES = (REPOSITORY,)
