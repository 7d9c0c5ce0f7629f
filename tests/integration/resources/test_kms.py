"""KMS keys: only customer managed keys that are not pending deletion are scanned.

moto makes customer managed keys only, so AWS managed keys are driven through botocore's Stubber
(answers validated against the KMS and Tagging API models); the rest runs on moto.
"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
from moto import mock_aws

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT, COMPLIANT, SEEDERS, policy, scan
from tests.support.privileges import assert_least_privilege
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"


def test_least_privilege() -> None:
    assert_least_privilege(["kms:key"])


def test_a_key_pending_deletion_is_not_scanned() -> None:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        kept = SEEDERS["kms:key"](session, REGION, "kept", COMPLIANT)
        going = SEEDERS["kms:key"](session, REGION, "going", None)
        session.client("kms").schedule_key_deletion(KeyId=going.rsplit("/", 1)[-1], PendingWindowInDays=7)
        outcome = scan(session, policy(regions=[REGION], types=["kms:key"]))
    assert {f.resource.arn: f.verdict for f in outcome.findings} == {kept: Verdict.COMPLIANT}


def test_aws_managed_keys_are_not_scanned() -> None:
    aws = StubbedAws(REGION)

    def arn(key_id: str) -> str:
        return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"

    customer, managed = "1234abcd-12ab-34cd-56ef-1234567890ab", "0987dcba-09fe-87dc-65ba-ab0987654321"
    aws.answer(
        "kms",
        "list_keys",
        {"Keys": [{"KeyId": k, "KeyArn": arn(k)} for k in (customer, managed)]},
        {"Limit": 1000},
    )
    for key_id, manager in ((customer, "CUSTOMER"), (managed, "AWS")):
        aws.answer(
            "kms",
            "describe_key",
            {
                "KeyMetadata": {
                    "KeyId": key_id,
                    "Arn": arn(key_id),
                    "KeyManager": manager,
                    "KeyState": "Enabled",
                    "CreationDate": datetime(2025, 6, 15, tzinfo=UTC),
                }
            },
            {"KeyId": key_id},
        )
    # only the customer managed key's tags are asked for
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        {"ResourceTagMappingList": []},
        {"ResourceARNList": [arn(customer)]},
    )
    outcome = aws.scan(["kms:key"], agreement_start="2025-01-01")
    assert outcome.verdicts() == {arn(customer): Verdict.MISSING}
    assert outcome.findings[0].resource.created == datetime(2025, 6, 15, tzinfo=UTC)


def test_a_key_gone_between_listing_and_describing_is_not_reported() -> None:
    aws = StubbedAws(REGION)
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
    aws.answer("kms", "list_keys", {"Keys": [{"KeyId": key_id, "KeyArn": arn}]})
    aws.fail("kms", "describe_key", "NotFoundException", 400, f"Key '{arn}' does not exist")
    outcome = aws.scan(["kms:key"])
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    assert outcome.findings == []
