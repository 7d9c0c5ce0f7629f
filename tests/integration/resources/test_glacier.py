"""S3 Glacier vaults.

moto lists Glacier vaults but has no Glacier tag calls (and its Tagging API does not index
vaults), so the real collector is driven here through botocore's Stubber (answers validated
against the Glacier and Tagging API models).
"""

from __future__ import annotations

from typing import Any

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"


def _arn(name: str) -> str:
    return f"arn:aws:glacier:{REGION}:{ACCOUNT}:vaults/{name}"


def _vault(name: str, created: str) -> dict[str, Any]:
    return {"VaultARN": _arn(name), "VaultName": name, "CreationDate": created}


def test_vaults_across_pages_are_judged_by_tags_and_creation_date() -> None:
    # Given two pages of vaults (Glacier's creation date is an ISO 8601 text)
    aws = StubbedAws(REGION)
    aws.answer(
        "glacier",
        "list_vaults",
        {"VaultList": [_vault("tagged", "2025-06-15T10:30:00.000Z")], "Marker": _arn("tagged")},
        {"accountId": "-", "limit": "1000"},
    )
    aws.answer(
        "glacier",
        "list_vaults",
        {
            "VaultList": [
                _vault("untagged", "2025-06-15T10:30:00.000Z"),
                _vault("never", "2025-06-15T10:30:00.000Z"),
                _vault("old", "2024-03-01T08:00:00.000Z"),
            ]
        },
        {"accountId": "-", "limit": "1000", "marker": _arn("tagged")},
    )
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        {
            "ResourceTagMappingList": [
                {"ResourceARN": _arn("tagged"), "Tags": [{"Key": "map-migrated", "Value": "mig12345"}]},
                {"ResourceARN": _arn("untagged"), "Tags": [{"Key": "team", "Value": "archive"}]},
            ]
        },
    )
    outcome = aws.scan(["glacier:vault"], agreement_start="2025-01-01")
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    assert outcome.verdicts() == {
        _arn("tagged"): Verdict.COMPLIANT,
        _arn("untagged"): Verdict.MISSING,
        _arn("never"): Verdict.MISSING,
        _arn("old"): Verdict.EXCLUDED,
    }
    assert "created 2024-03-01" in outcome.by_arn()[_arn("old")].reason


def test_without_the_tagging_api_each_vaults_tags_are_read_by_name() -> None:
    aws = StubbedAws(REGION)
    aws.answer("glacier", "list_vaults", {"VaultList": [_vault("tagged", "2025-06-15T10:30:00.000Z")]})
    aws.fail("resourcegroupstaggingapi", "get_resources", "AccessDeniedException", 400)
    aws.answer(
        "glacier",
        "list_tags_for_vault",
        {"Tags": {"map-migrated": "mig12345"}},
        {"accountId": "-", "vaultName": "tagged"},
    )
    outcome = aws.scan(["glacier:vault"])
    assert outcome.unit.status == "ok"
    assert outcome.verdicts() == {_arn("tagged"): Verdict.COMPLIANT}


def test_a_failing_listing_fails_the_unit_loudly() -> None:
    aws = StubbedAws(REGION)
    aws.fail("glacier", "list_vaults", "ServiceUnavailableException", 400)
    outcome = aws.scan(["glacier:vault"])
    assert outcome.unit.status == "failed"
    assert outcome.unit.error is not None
    assert "glacier:vault" in outcome.unit.error
    assert "ServiceUnavailableException" in outcome.unit.error
