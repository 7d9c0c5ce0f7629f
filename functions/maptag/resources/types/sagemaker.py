"""SageMaker endpoints and notebook instances."""

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

# One tag read for both types (ListTags pages at NextToken); granted on "*", as the member role
# scopes an action to one type's ARNs only.
_TAGS = TaggingApi(
    PerResource(
        "list_tags",
        request=lambda _item, arn: {"ResourceArn": arn},
        tags=lambda response: pairs(response.get("Tags")),
        paginated=True,
        result="Tags",
    )
)

ENDPOINT = ResourceType(
    name="sagemaker:endpoint",
    service="sagemaker",
    listing=Listing("list_endpoints", "Endpoints[]", 100),
    id="EndpointName",
    arn="EndpointArn",
    created="CreationTime",
    tags=_TAGS,
    skip=skip("EndpointStatus", "Deleting", "Failed"),
    actions=("sagemaker:ListEndpoints", TAGGING_API_ACTION, "sagemaker:ListTags"),
)

NOTEBOOK_INSTANCE = ResourceType(
    name="sagemaker:notebook-instance",
    service="sagemaker",
    listing=Listing("list_notebook_instances", "NotebookInstances[]", 100),
    id="NotebookInstanceName",
    arn="NotebookInstanceArn",
    created="CreationTime",
    tags=_TAGS,
    skip=skip("NotebookInstanceStatus", "Deleting", "Failed"),
    actions=("sagemaker:ListNotebookInstances", TAGGING_API_ACTION, "sagemaker:ListTags"),
    securityhub="AwsSageMakerNotebookInstance",
)

TYPES = (ENDPOINT, NOTEBOOK_INSTANCE)
