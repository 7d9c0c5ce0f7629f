"""Storage Gateway gateways.

moto does not model Storage Gateway, so the real collector is driven here through botocore's
Stubber (answers validated against the Storage Gateway and Tagging API models).
"""

from __future__ import annotations

from typing import Any

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"


def _arn(gateway_id: str) -> str:
    return f"arn:aws:storagegateway:{REGION}:{ACCOUNT}:gateway/{gateway_id}"


def _gateway(gateway_id: str) -> dict[str, Any]:
    return {"GatewayId": gateway_id, "GatewayARN": _arn(gateway_id), "GatewayOperationalState": "ACTIVE"}


def test_gateways_across_pages_are_judged_and_have_no_creation_time() -> None:
    aws = StubbedAws(REGION)
    aws.answer(
        "storagegateway",
        "list_gateways",
        {"Gateways": [_gateway("sgw-0000000A")], "Marker": "m2"},
        {"Limit": 100},
    )
    aws.answer(
        "storagegateway",
        "list_gateways",
        {"Gateways": [_gateway("sgw-0000000B"), _gateway("sgw-0000000C")]},
        {"Limit": 100, "Marker": "m2"},
    )
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        {
            "ResourceTagMappingList": [
                {"ResourceARN": _arn("sgw-0000000A"), "Tags": [{"Key": "map-migrated", "Value": "mig12345"}]},
                {"ResourceARN": _arn("sgw-0000000B"), "Tags": [{"Key": "team", "Value": "files"}]},
            ]
        },
    )
    outcome = aws.scan(["storagegateway:gateway"], agreement_start="2025-01-01")
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    # No API gives a gateway's creation time: never scoped out by date, and the reason says so
    assert outcome.verdicts() == {
        _arn("sgw-0000000A"): Verdict.COMPLIANT,
        _arn("sgw-0000000B"): Verdict.MISSING,
        _arn("sgw-0000000C"): Verdict.MISSING,
    }
    never = outcome.by_arn()[_arn("sgw-0000000C")]
    assert "no tags at all" in never.reason
    assert "creation time unknown" in never.reason
    assert never.resource.created is None


def test_without_the_tagging_api_each_gateways_tags_are_read_and_a_failure_is_unreadable() -> None:
    aws = StubbedAws(REGION)
    aws.answer(
        "storagegateway", "list_gateways", {"Gateways": [_gateway("sgw-0000000A"), _gateway("sgw-0000000B")]}
    )
    aws.fail("resourcegroupstaggingapi", "get_resources", "AccessDeniedException", 400)
    aws.answer(
        "storagegateway",
        "list_tags_for_resource",
        {"ResourceARN": _arn("sgw-0000000A"), "Tags": [{"Key": "map-migrated", "Value": "mig12345"}]},
        {"ResourceARN": _arn("sgw-0000000A"), "Limit": 50},
    )
    aws.fail("storagegateway", "list_tags_for_resource", "InternalServerError", 400)
    outcome = aws.scan(["storagegateway:gateway"])
    assert outcome.unit.status == "ok"
    assert outcome.verdicts() == {
        _arn("sgw-0000000A"): Verdict.COMPLIANT,
        _arn("sgw-0000000B"): Verdict.UNREADABLE,
    }


def test_a_failing_listing_fails_the_unit_loudly() -> None:
    aws = StubbedAws(REGION)
    aws.fail("storagegateway", "list_gateways", "InvalidGatewayRequestException", 400)
    outcome = aws.scan(["storagegateway:gateway"])
    assert outcome.unit.status == "failed"
    assert outcome.unit.error is not None
    assert "storagegateway:gateway" in outcome.unit.error
