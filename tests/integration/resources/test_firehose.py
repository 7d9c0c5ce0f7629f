"""Firehose delivery streams: ListDeliveryStreams has no botocore paginator, so each page starts
after the last name while HasMoreDeliveryStreams (schema.StartAfter); each stream is described
for its status and creation time; dead ones are not reported. Pages of 10,000 cannot be
seeded in moto: the paging is driven through botocore's Stubber (answers validated by the
model)."""

from __future__ import annotations

from typing import Any

from maptag.model import Verdict
from tests.support.resource_cases import AGREEMENT_START, NEW, OLD, tag_mappings
from tests.support.stubbed import StubbedAws

ARN = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/{}"


def _described(name: str, status: str, created: Any = NEW) -> dict[str, Any]:
    return {
        "DeliveryStreamDescription": {
            "DeliveryStreamName": name,
            "DeliveryStreamARN": ARN.format(name),
            "DeliveryStreamStatus": status,
            "DeliveryStreamType": "DirectPut",
            "VersionId": "1",
            "CreateTimestamp": created,
            "Destinations": [],
            "HasMoreDestinations": False,
        }
    }


def test_pages_follow_the_last_name_and_dead_streams_are_skipped() -> None:
    aws = StubbedAws()
    # Given two pages: the second is asked for after the first page's last name
    aws.answer(
        "firehose",
        "list_delivery_streams",
        {"DeliveryStreamNames": ["alpha", "bravo"], "HasMoreDeliveryStreams": True},
        {"Limit": 10000},
    )
    aws.answer(
        "firehose",
        "list_delivery_streams",
        {"DeliveryStreamNames": ["charlie", "delta"], "HasMoreDeliveryStreams": False},
        {"Limit": 10000, "ExclusiveStartDeliveryStreamName": "bravo"},
    )
    for name, status, created in (
        ("alpha", "ACTIVE", NEW),
        ("bravo", "CREATING_FAILED", NEW),
        ("charlie", "ACTIVE", OLD),
        ("delta", "DELETING", NEW),
    ):
        aws.answer(
            "firehose",
            "describe_delivery_stream",
            _described(name, status, created),
            {"DeliveryStreamName": name},
        )
    live = [ARN.format("alpha"), ARN.format("charlie")]
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        tag_mappings({live[0]: {"map-migrated": "mig12345"}}),
        {"ResourceARNList": live},
    )
    # When the unit is scanned
    outcome = aws.scan(["firehose:deliverystream"], agreement_start=AGREEMENT_START)
    # Then the two live streams are reported, judged with their creation times
    found = outcome.by_arn()
    assert sorted(found) == sorted(live)
    assert found[live[0]].verdict is Verdict.COMPLIANT
    assert found[live[1]].verdict is Verdict.EXCLUDED
    assert found[live[1]].resource.created == OLD


def test_a_service_that_keeps_answering_the_same_page_fails_the_unit() -> None:
    aws = StubbedAws()
    page = {"DeliveryStreamNames": ["alpha"], "HasMoreDeliveryStreams": True}
    aws.answer("firehose", "list_delivery_streams", page, {"Limit": 10000})
    aws.answer(
        "firehose",
        "list_delivery_streams",
        page,
        {"Limit": 10000, "ExclusiveStartDeliveryStreamName": "alpha"},
    )
    outcome = aws.scan(["firehose:deliverystream"])
    assert outcome.unit.status == "failed"
    assert "firehose:deliverystream" in (outcome.unit.error or "")
    assert "ExclusiveStartDeliveryStreamName" in (outcome.unit.error or "")
