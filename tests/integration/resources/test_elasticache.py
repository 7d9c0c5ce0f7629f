"""ElastiCache: serverless caches through botocore's Stubber (moto 5.2.5 does not model them,
docs/toolchain.md), and how replication groups' member nodes are counted.

A replication group's member nodes are cache clusters too; maptag reports them once, through
their group (functions/maptag/resources/types/elasticache.py): ``elasticache:cluster`` asks
DescribeCacheClusters for the clusters outside any group. moto never lists members as cache
clusters, so that request is checked through Stubber.
"""

from __future__ import annotations

from typing import Any

from maptag.model import Verdict
from tests.support.resource_cases import AGREEMENT_START, VARIANTS, assert_judged, tag_mappings
from tests.support.stubbed import StubbedAws

SERVICE = "elasticache"
PREFIX = "arn:aws:elasticache:eu-west-1:123456789012"


def _serverless(name: str, status: str = "available") -> dict[str, Any]:
    return {
        "ServerlessCacheName": name,
        "ARN": f"{PREFIX}:serverlesscache:{name}",
        "Status": status,
        "CreateTime": VARIANTS.get(name, VARIANTS["compliant"])[1],
        "Engine": "valkey",
    }


def test_serverless_caches_each_variant_judged_and_dead_ones_skipped() -> None:
    aws = StubbedAws()
    live = [_serverless(variant) for variant in VARIANTS]
    dead = [_serverless("going", "deleting"), _serverless("broken", "create-failed")]
    aws.answer(
        SERVICE, "describe_serverless_caches", {"ServerlessCaches": [*live, *dead]}, {"MaxResults": 50}
    )
    arns = {variant: item["ARN"] for variant, item in zip(VARIANTS, live, strict=True)}
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        tag_mappings({arns[v]: VARIANTS[v][0] for v in VARIANTS}),
        {"ResourceARNList": list(arns.values())},
    )
    outcome = aws.scan(["elasticache:serverlesscache"], agreement_start=AGREEMENT_START)
    assert_judged(outcome, "elasticache:serverlesscache", arns)


def test_a_serverless_cache_listing_that_fails_fails_the_unit_loudly() -> None:
    aws = StubbedAws()
    aws.fail(SERVICE, "describe_serverless_caches", "InvalidParameterCombination", 400)
    outcome = aws.scan(["elasticache:serverlesscache"])
    assert outcome.unit.status == "failed"
    assert "elasticache:serverlesscache" in (outcome.unit.error or "")


def test_member_nodes_are_counted_once_through_their_replication_group() -> None:
    aws = StubbedAws()
    group_arn = f"{PREFIX}:replicationgroup:sessions"
    standalone_arn = f"{PREFIX}:cluster:memcached-1"
    created = VARIANTS["compliant"][1]
    # Given a replication group of two nodes and one Memcached cluster outside any group:
    # the group is listed; the cache cluster listing is asked for clusters outside any group
    # (scanned in declaration order: cache clusters first)
    aws.answer(
        SERVICE,
        "describe_cache_clusters",
        {
            "CacheClusters": [
                {
                    "CacheClusterId": "memcached-1",
                    "ARN": standalone_arn,
                    "CacheClusterStatus": "available",
                    "CacheClusterCreateTime": created,
                }
            ]
        },
        {"MaxRecords": 100, "ShowCacheClustersNotInReplicationGroups": True},
    )
    aws.answer(
        "resourcegroupstaggingapi", "get_resources", tag_mappings({}), {"ResourceARNList": [standalone_arn]}
    )
    aws.answer(
        SERVICE,
        "describe_replication_groups",
        {
            "ReplicationGroups": [
                {
                    "ReplicationGroupId": "sessions",
                    "ARN": group_arn,
                    "Status": "available",
                    "MemberClusters": ["sessions-001", "sessions-002"],
                    "ReplicationGroupCreateTime": created,
                }
            ]
        },
        {"MaxRecords": 100},
    )
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        tag_mappings({group_arn: {"map-migrated": "mig12345"}}),
        {"ResourceARNList": [group_arn]},
    )
    outcome = aws.scan(["elasticache:replicationgroup", "elasticache:cluster"])
    # Then the user sees two resources: the group (standing for its nodes) and the cluster
    assert {f.resource.arn: (f.resource.type, f.verdict) for f in outcome.findings} == {
        group_arn: ("elasticache:replicationgroup", Verdict.COMPLIANT),
        standalone_arn: ("elasticache:cluster", Verdict.MISSING),
    }
