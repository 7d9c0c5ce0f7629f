"""Kinesis streams, MemoryDB clusters, DAX clusters and OpenSearch domains: their tags read 100 at
a time through the Tagging API. moto's GetResources does not index these services (AWS's
answers for every type), so that batched read is checked here through botocore's Stubber, with
answers the service model validates; test_every_type.py checks them in moto with the Tagging
API denied (each type's own per-resource read)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from maptag.model import Verdict
from tests.support.resource_cases import tag_mappings
from tests.support.stubbed import StubbedAws

PREFIX = "eu-west-1:123456789012"


def _kinesis(aws: StubbedAws, names: list[str]) -> list[str]:
    summaries = [
        {
            "StreamName": name,
            "StreamARN": f"arn:aws:kinesis:{PREFIX}:stream/{name}",
            "StreamStatus": "ACTIVE",
        }
        for name in names
    ]
    aws.answer(
        "kinesis",
        "list_streams",
        {"StreamNames": names, "HasMoreStreams": False, "StreamSummaries": summaries},
        {"Limit": 10000},
    )
    return [s["StreamARN"] for s in summaries]


def _memorydb(aws: StubbedAws, names: list[str]) -> list[str]:
    clusters = [
        {"Name": n, "ARN": f"arn:aws:memorydb:{PREFIX}:cluster/{n}", "Status": "available"} for n in names
    ]
    aws.answer("memorydb", "describe_clusters", {"Clusters": clusters}, {"MaxResults": 100})
    return [c["ARN"] for c in clusters]


def _dax(aws: StubbedAws, names: list[str]) -> list[str]:
    clusters = [
        {"ClusterName": n, "ClusterArn": f"arn:aws:dax:{PREFIX}:cache/{n}", "Status": "available"}
        for n in names
    ]
    aws.answer("dax", "describe_clusters", {"Clusters": clusters}, {"MaxResults": 100})
    return [c["ClusterArn"] for c in clusters]


def _opensearch(aws: StubbedAws, names: list[str]) -> list[str]:
    arns = [f"arn:aws:es:{PREFIX}:domain/{n}" for n in names]
    aws.answer("opensearch", "list_domain_names", {"DomainNames": [{"DomainName": n} for n in names]}, {})
    statuses = [
        {"DomainId": f"123456789012/{n}", "DomainName": n, "ARN": arn, "ClusterConfig": {}, "Deleted": False}
        for n, arn in zip(names, arns, strict=True)
    ]
    aws.answer("opensearch", "describe_domains", {"DomainStatusList": statuses}, {"DomainNames": names})
    return arns


LISTINGS: dict[str, Callable[[StubbedAws, list[str]], list[str]]] = {
    "kinesis:stream": _kinesis,
    "memorydb:cluster": _memorydb,
    "dax:cache": _dax,
    "es:domain": _opensearch,
}


@pytest.mark.parametrize("type_name", list(LISTINGS))
def test_tags_come_from_one_get_resources_call(type_name: str) -> None:
    aws = StubbedAws()
    # Given a resource tagged compliant, one with other tags, and one never tagged
    arns = LISTINGS[type_name](aws, ["tagged", "other-tags", "never-tagged"])
    tags: dict[str, Any] = {
        arns[0]: {"map-migrated": "mig12345"},
        arns[1]: {"team": "payments"},
        arns[2]: None,
    }
    aws.answer("resourcegroupstaggingapi", "get_resources", tag_mappings(tags), {"ResourceARNList": arns})
    # When the unit is scanned (Stubber fails the test on any per-resource tag call)
    outcome = aws.scan([type_name])
    # Then the verdicts follow the batched answer, and the never-tagged one is missing
    assert outcome.unit.status == "ok", outcome.unit.error
    found = outcome.by_arn()
    assert [found[arn].verdict for arn in arns] == [Verdict.COMPLIANT, Verdict.MISSING, Verdict.MISSING]
    assert "no tags at all" in found[arns[2]].reason
    assert all(found[arn].resource.type == type_name for arn in arns)
