"""EMR Serverless applications (a database & analytics destination: EMR is on the MAP DB&A list)."""

from __future__ import annotations

from maptag.resources.schema import Listing, PerResource, ResourceType, skip

APPLICATION = ResourceType(
    name="emr-serverless:application",
    service="emr-serverless",
    listing=Listing("list_applications", "applications[]", 50),
    id="id",
    arn="arn",
    created="createdAt",
    # ListApplications carries no tags; GetApplication does, one application a call.
    tags=PerResource(
        "get_application",
        request=lambda item, _arn: {"applicationId": item["id"]},
        tags=lambda response: {
            str(k): str(v) for k, v in (response["application"].get("tags") or {}).items()
        },
        result="application",
    ),
    skip=skip("state", "TERMINATED"),
    actions=("emr-serverless:ListApplications", "emr-serverless:GetApplication"),
    dba=True,
)

TYPES = (APPLICATION,)
