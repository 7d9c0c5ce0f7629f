"""DocumentDB elastic clusters, through botocore's Stubber: moto 5.2.5 does not model DocumentDB
Elastic (docs/toolchain.md). The real collector and scan run; only the HTTP exchange is
replaced, with answers the service model validates."""

from __future__ import annotations

from typing import Any

from maptag.model import Verdict
from tests.support.resource_cases import AGREEMENT_START, VARIANTS, assert_judged, tag_mappings
from tests.support.stubbed import StubbedAws

SERVICE = "docdb-elastic"
TYPE = "docdb-elastic:cluster"


def _listed(name: str, status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "clusterName": name,
        "clusterArn": f"arn:aws:docdb-elastic:eu-west-1:123456789012:cluster/id-{name}",
        "status": status,
    }


def _described(listed: dict[str, Any]) -> dict[str, Any]:
    # GetCluster's createTime is a text (the service model's type is string), in UTC.
    created = VARIANTS[listed["clusterName"]][1]
    return {
        "cluster": {
            **listed,
            "clusterEndpoint": "endpoint",
            "createTime": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "adminUserName": "admin",
            "authType": "PLAIN_TEXT",
            "vpcSecurityGroupIds": [],
            "subnetIds": [],
            "shardCapacity": 2,
            "shardCount": 1,
            "kmsKeyId": "AWS_OWNED_KMS_KEY",
            "preferredMaintenanceWindow": "sun:00:00-sun:00:30",
        }
    }


def test_each_variant_is_judged_with_its_creation_time_and_deleting_ones_are_skipped() -> None:
    aws = StubbedAws()
    live = [_listed(variant) for variant in VARIANTS]
    aws.answer(
        SERVICE, "list_clusters", {"clusters": [*live, _listed("going", "DELETING")]}, {"maxResults": 100}
    )
    # An agreement start makes creation times matter: one GetCluster per live cluster
    for item in live:
        aws.answer(SERVICE, "get_cluster", _described(item), {"clusterArn": item["clusterArn"]})
    arns = {variant: item["clusterArn"] for variant, item in zip(VARIANTS, live, strict=True)}
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        tag_mappings({arns[v]: VARIANTS[v][0] for v in VARIANTS}),
        {"ResourceARNList": list(arns.values())},
    )
    outcome = aws.scan([TYPE], agreement_start=AGREEMENT_START)
    assert_judged(outcome, TYPE, arns)


def test_without_an_agreement_start_no_cluster_is_described() -> None:
    aws = StubbedAws()
    item = _listed("compliant")
    aws.answer(SERVICE, "list_clusters", {"clusters": [item]})
    aws.fail("resourcegroupstaggingapi", "get_resources", "AccessDeniedException", 400)
    # The per-resource fallback: docdb-elastic answers tags as a {key: value} map
    aws.answer(
        SERVICE,
        "list_tags_for_resource",
        {"tags": {"map-migrated": "mig12345"}},
        {"resourceArn": item["clusterArn"]},
    )
    outcome = aws.scan([TYPE])  # Stubber fails the test on any unexpected GetCluster call
    [finding] = outcome.findings
    assert finding.verdict is Verdict.COMPLIANT, finding.reason
    assert finding.resource.created is None


def test_a_failing_tag_read_is_reported_unreadable_not_missing() -> None:
    aws = StubbedAws()
    item = _listed("compliant")
    aws.answer(SERVICE, "list_clusters", {"clusters": [item]})
    aws.fail("resourcegroupstaggingapi", "get_resources", "AccessDeniedException", 400)
    aws.fail(SERVICE, "list_tags_for_resource", "AccessDeniedException", 400, "not authorized")
    outcome = aws.scan([TYPE])
    [finding] = outcome.findings
    assert finding.verdict is Verdict.UNREADABLE, finding.reason
    assert "AccessDenied" in finding.reason


def test_a_listing_that_fails_fails_the_unit_loudly() -> None:
    aws = StubbedAws()
    aws.fail(SERVICE, "list_clusters", "InternalServerException", 500)
    outcome = aws.scan([TYPE])
    assert outcome.unit.status == "failed"
    assert TYPE in (outcome.unit.error or "")
    assert outcome.findings == []
