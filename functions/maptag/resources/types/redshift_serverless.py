"""Redshift Serverless workgroups and namespaces (database & analytics destinations).

Compute is billed on the workgroup, managed storage on the namespace: both need the tag.
"""

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

_TAGS = TaggingApi(
    PerResource(
        "list_tags_for_resource",
        request=lambda _item, arn: {"resourceArn": arn},
        tags=lambda response: pairs(response.get("tags"), "key", "value"),
        result="tags",
    )
)
_TAG_ACTIONS = (TAGGING_API_ACTION, "redshift-serverless:ListTagsForResource")

WORKGROUP = ResourceType(
    name="redshift-serverless:workgroup",
    service="redshift-serverless",
    listing=Listing("list_workgroups", "workgroups[]", 100),
    id="workgroupName",
    # The ARN names the workgroup's id (workgroup/<uuid>), not its name.
    arn="workgroupArn",
    created="creationDate",
    tags=_TAGS,
    skip=skip("status", "deleting"),
    actions=("redshift-serverless:ListWorkgroups", *_TAG_ACTIONS),
    dba=True,
)

NAMESPACE = ResourceType(
    name="redshift-serverless:namespace",
    service="redshift-serverless",
    listing=Listing("list_namespaces", "namespaces[]", 100),
    id="namespaceName",
    # The ARN names the namespace's id (namespace/<uuid>), not its name.
    arn="namespaceArn",
    created="creationDate",
    tags=_TAGS,
    skip=skip("status", "deleting"),
    actions=("redshift-serverless:ListNamespaces", *_TAG_ACTIONS),
    dba=True,
)

TYPES = (WORKGROUP, NAMESPACE)
