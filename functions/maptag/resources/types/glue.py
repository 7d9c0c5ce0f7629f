"""AWS Glue jobs and crawlers (database & analytics destinations)."""

from __future__ import annotations

from maptag.resources.schema import TAGGING_API_ACTION, Listing, PerResource, ResourceType, TaggingApi

# GetJobs and GetCrawlers carry no tags; GetTags reads one resource's.
_TAGS = TaggingApi(
    PerResource(
        "get_tags",
        request=lambda _item, arn: {"ResourceArn": arn},
        tags=lambda response: dict(response.get("Tags") or {}),
        result="Tags",
    )
)

JOB = ResourceType(
    name="glue:job",
    service="glue",
    listing=Listing("get_jobs", "Jobs[]", 1000),
    id="Name",
    arn="arn:{partition}:glue:{region}:{account}:job/{id}",
    created="CreatedOn",
    tags=_TAGS,
    actions=("glue:GetJobs", TAGGING_API_ACTION, "glue:GetTags"),
    dba=True,
)

CRAWLER = ResourceType(
    name="glue:crawler",
    service="glue",
    listing=Listing("get_crawlers", "Crawlers[]", 1000),
    id="Name",
    arn="arn:{partition}:glue:{region}:{account}:crawler/{id}",
    created="CreationTime",
    tags=_TAGS,
    actions=("glue:GetCrawlers", TAGGING_API_ACTION, "glue:GetTags"),
    dba=True,
)

TYPES = (JOB, CRAWLER)
