"""Redshift Serverless workgroups and namespaces, through botocore's Stubber: moto 5.2.5 does not
model Redshift Serverless (docs/toolchain.md). The real collector and scan run; only the HTTP
exchange is replaced, with answers the service model validates."""

from __future__ import annotations

from typing import Any

import pytest

from maptag.model import Verdict
from tests.support.resource_cases import AGREEMENT_START, VARIANTS, assert_judged, tag_mappings
from tests.support.stubbed import StubbedAws

SERVICE = "redshift-serverless"
PREFIX = "arn:aws:redshift-serverless:eu-west-1:123456789012"


def _workgroup(name: str, status: str = "AVAILABLE") -> dict[str, Any]:
    return {
        "workgroupName": name,
        "workgroupId": f"id-{name}",
        "workgroupArn": f"{PREFIX}:workgroup/id-{name}",
        "status": status,
        "creationDate": VARIANTS.get(name, VARIANTS["compliant"])[1],
    }


def _namespace(name: str, status: str = "AVAILABLE") -> dict[str, Any]:
    return {
        "namespaceName": name,
        "namespaceId": f"id-{name}",
        "namespaceArn": f"{PREFIX}:namespace/id-{name}",
        "status": status,
        "creationDate": VARIANTS.get(name, VARIANTS["compliant"])[1],
    }


KINDS = {
    # type: (list call, result member, item maker, ARN member)
    "redshift-serverless:workgroup": ("list_workgroups", "workgroups", _workgroup, "workgroupArn"),
    "redshift-serverless:namespace": ("list_namespaces", "namespaces", _namespace, "namespaceArn"),
}


@pytest.mark.parametrize("type_name", list(KINDS))
def test_each_variant_is_judged_and_deleting_ones_are_skipped(type_name: str) -> None:
    operation, member, make, arn_member = KINDS[type_name]
    aws = StubbedAws()
    live = [make(variant) for variant in VARIANTS]
    # Given two pages of the listing, a resource being deleted on the second
    aws.answer(SERVICE, operation, {member: live[:2], "nextToken": "page-2"}, {"maxResults": 100})
    aws.answer(
        SERVICE,
        operation,
        {member: [*live[2:], make("going", "DELETING")]},
        {"maxResults": 100, "nextToken": "page-2"},
    )
    arns = {variant: item[arn_member] for variant, item in zip(VARIANTS, live, strict=True)}
    # And the Tagging API answering the four live ones in one call
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        tag_mappings({arns[v]: VARIANTS[v][0] for v in VARIANTS}),
        {"ResourceARNList": list(arns.values())},
    )
    # When the unit is scanned
    outcome = aws.scan([type_name], agreement_start=AGREEMENT_START)
    # Then each live resource has its verdict, and the one being deleted is not reported
    assert_judged(outcome, type_name, arns)


def test_tags_are_read_one_by_one_when_the_tagging_api_is_denied() -> None:
    aws = StubbedAws()
    item = _workgroup("compliant")
    aws.answer(SERVICE, "list_workgroups", {"workgroups": [item]})
    aws.fail("resourcegroupstaggingapi", "get_resources", "AccessDeniedException", 400)
    aws.answer(
        SERVICE,
        "list_tags_for_resource",
        {"tags": [{"key": "map-migrated", "value": "mig12345"}]},
        {"resourceArn": item["workgroupArn"]},
    )
    outcome = aws.scan(["redshift-serverless:workgroup"])
    [finding] = outcome.findings
    assert finding.verdict is Verdict.COMPLIANT, finding.reason


def test_a_listing_that_fails_fails_the_unit_loudly() -> None:
    aws = StubbedAws()
    aws.fail(SERVICE, "list_namespaces", "AccessDeniedException", 400, "not authorized")
    outcome = aws.scan(["redshift-serverless:namespace"])
    assert outcome.unit.status == "failed"
    assert "redshift-serverless:namespace" in (outcome.unit.error or "")
    assert "AccessDenied" in (outcome.unit.error or "")
    assert outcome.findings == []
