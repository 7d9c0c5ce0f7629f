"""WorkSpaces virtual desktops."""

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

WORKSPACE = ResourceType(
    name="workspaces:workspace",
    service="workspaces",
    listing=Listing("describe_workspaces", "Workspaces[]", 25),
    id="WorkspaceId",
    arn="arn:{partition}:workspaces:{region}:{account}:workspace/{id}",
    # DescribeWorkspaces gives no creation time.
    created=None,
    tags=TaggingApi(
        PerResource(
            "describe_tags",
            request=lambda item, _arn: {"ResourceId": item["WorkspaceId"]},
            tags=lambda response: pairs(response.get("TagList")),
            result="TagList",
        )
    ),
    skip=skip("State", "TERMINATING", "TERMINATED"),
    actions=("workspaces:DescribeWorkspaces", TAGGING_API_ACTION, "workspaces:DescribeTags"),
)

TYPES = (WORKSPACE,)
