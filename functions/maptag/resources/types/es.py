"""OpenSearch Service domains, OpenSearch and Elasticsearch engines alike (DB&A destinations).

The ``opensearch`` API lists both engines (ListDomainNames without EngineType) under the ARN
namespace ``es`` (Service Authorization Reference:
arn:${Partition}:es:${Region}:${Account}:domain/${DomainName}).
"""

from __future__ import annotations

from maptag.resources.schema import (
    TAGGING_API_ACTION,
    DetailBatch,
    Listing,
    PerResource,
    ResourceType,
    TaggingApi,
    pairs,
    skip,
)

DOMAIN = ResourceType(
    name="es:domain",
    service="opensearch",
    # ListDomainNames takes no page size or token: one call answers every domain.
    listing=Listing("list_domain_names", "DomainNames[]", None),
    id="DomainName",
    arn="arn:{partition}:es:{region}:{account}:domain/{id}",
    # DescribeDomains (5 domains a call) says whether a domain is being deleted.
    detail=DetailBatch(
        "describe_domains",
        size=5,
        request=lambda items: {"DomainNames": [item["DomainName"] for item in items]},
        items="DomainStatusList",
        key="DomainName",
        listed_key="DomainName",
    ),
    # A domain's status has no creation time: in scope whatever the agreement date.
    created=None,
    tags=TaggingApi(
        PerResource(
            "list_tags",
            request=lambda _item, arn: {"ARN": arn},
            tags=lambda response: pairs(response.get("TagList")),
            result="TagList",
        )
    ),
    skip=skip("Deleted", "true"),
    actions=("es:ListDomainNames", "es:DescribeDomains", TAGGING_API_ACTION, "es:ListTags"),
    dba=True,
    securityhub="AwsOpenSearchServiceDomain",
)

TYPES = (DOMAIN,)
