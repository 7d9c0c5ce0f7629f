"""OpenSearch Service domains: both engines listed by one ListDomainNames call, described five at
a time (DescribeDomains' limit), and a domain being deleted (or gone since it was listed) is
not reported."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders.es import domain
from tests.support.moto_seed import ACCOUNT, policy, scan
from tests.support.resource_cases import tag_mappings
from tests.support.stubbed import StubbedAws
from tests.support.wire import Wire

REGION = "eu-west-1"


@pytest.fixture
def ctx() -> Iterator[SeedContext]:
    with mock_aws():
        yield SeedContext(boto3.Session(region_name=REGION), REGION, ACCOUNT)


def test_both_engines_are_found_and_described_five_at_a_time(ctx: SeedContext) -> None:
    # Given seven domains, OpenSearch and Elasticsearch alternating (the seeder's choice)
    arns = [domain(ctx, f"search-{n:02d}{'x' * (n % 2)}", None) for n in range(7)]
    wire = Wire(ctx.session)
    outcome = scan(ctx.session, policy(regions=[REGION], types=["es:domain"]))
    # Then every domain is reported once, as es:domain
    assert sorted(f.resource.arn for f in outcome.findings) == sorted(arns)
    # And one listing call, two DescribeDomains calls (5 + 2)
    assert wire.count()["ListDomainNames"] == 1
    assert [len(s.json()["DomainNames"]) for s in wire.of("DescribeDomains")] == [5, 2]


def test_both_engines_are_listed_and_a_domain_being_deleted_or_gone_is_not_reported() -> None:
    aws = StubbedAws()
    names = ["live", "being-deleted", "gone"]
    arn = f"arn:aws:es:eu-west-1:{ACCOUNT}:domain/{{}}"
    # ListDomainNames is asked with no EngineType: OpenSearch and Elasticsearch domains alike
    listed = [
        {"DomainName": "live", "EngineType": "Elasticsearch"},
        {"DomainName": "being-deleted"},
        {"DomainName": "gone"},
    ]
    aws.answer("opensearch", "list_domain_names", {"DomainNames": listed}, {})
    aws.answer(
        "opensearch",
        "describe_domains",
        {
            "DomainStatusList": [
                {
                    "DomainId": f"{ACCOUNT}/{n}",
                    "DomainName": n,
                    "ARN": arn.format(n),
                    "ClusterConfig": {},
                    "Deleted": deleted,
                }
                for n, deleted in (("live", False), ("being-deleted", True))
            ]
        },
        {"DomainNames": names},
    )
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        tag_mappings({}),
        {"ResourceARNList": [arn.format("live")]},
    )
    outcome = aws.scan(["es:domain"])
    assert [f.resource.arn for f in outcome.findings] == [arn.format("live")]
