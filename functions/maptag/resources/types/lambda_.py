"""Lambda functions."""

from __future__ import annotations

from maptag.resources.schema import TAGGING_API_ACTION, Listing, PerResource, ResourceType, TaggingApi

FUNCTION = ResourceType(
    name="lambda:function",
    service="lambda",
    listing=Listing("list_functions", "Functions[]", 50),
    id="FunctionName",
    arn="FunctionArn",
    # The Lambda API has no creation time (LastModified changes on every deploy): a
    # function is never scoped out by date; its verdict says so.
    created=None,
    tags=TaggingApi(
        PerResource(
            "list_tags",
            request=lambda _item, arn: {"Resource": arn},
            tags=lambda response: dict(response.get("Tags") or {}),
            result="Tags",
        )
    ),
    actions=("lambda:ListFunctions", TAGGING_API_ACTION, "lambda:ListTags"),
    arn_actions=("lambda:ListTags",),
    iam_arn="arn:{partition}:lambda:{region}:{account}:function:{id}",
    securityhub="AwsLambdaFunction",
)

TYPES = (FUNCTION,)
