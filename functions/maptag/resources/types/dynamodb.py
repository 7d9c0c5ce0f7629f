"""DynamoDB tables (a database & analytics destination)."""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    Detail,
    Listing,
    PerResource,
    ResourceType,
    TaggingApi,
    pairs,
)

TABLE = ResourceType(
    name="dynamodb:table",
    service="dynamodb",
    listing=Listing("list_tables", "TableNames[].{TableName: @}", 100, result="TableNames"),
    id="TableName",
    arn="arn:{partition}:dynamodb:{region}:{account}:table/{id}",
    created="CreationDateTime",
    tags=TaggingApi(
        PerResource(
            "list_tags_of_resource",
            request=lambda _item, arn: {"ResourceArn": arn},
            tags=lambda response: pairs(response.get("Tags")),
            paginated=True,
        )
    ),
    # ListTables gives names only; the creation time costs a DescribeTable per table,
    # so it is fetched only when an agreement start date makes it matter.
    detail=Detail("describe_table", lambda item: {"TableName": item["TableName"]}, "Table"),
    actions=("dynamodb:ListTables", TAGGING_API_ACTION, "dynamodb:ListTagsOfResource"),
    detail_action="dynamodb:DescribeTable",
    arn_actions=("dynamodb:ListTagsOfResource", "dynamodb:DescribeTable"),
    dba=True,
    securityhub="AwsDynamoDbTable",
)

TYPES = (TABLE,)
