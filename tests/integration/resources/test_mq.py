"""Amazon MQ brokers: brokers that failed or are being deleted are left out.

moto cannot put a broker in those states, and its IAM enforcement denies MQ's REST calls whatever
the policy, so these cases are driven through botocore's Stubber (answers validated against the
MQ model); the generic moto test covers tagged, untagged and never tagged brokers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"


def _arn(broker_id: str) -> str:
    return f"arn:aws:mq:{REGION}:{ACCOUNT}:broker:orders:{broker_id}"


def test_failed_and_deleting_brokers_are_not_scanned_and_tags_are_read_per_broker() -> None:
    aws = StubbedAws(REGION)
    states = {"b-running": "RUNNING", "b-failed": "CREATION_FAILED", "b-deleting": "DELETION_IN_PROGRESS"}
    aws.answer(
        "mq",
        "list_brokers",
        {
            "BrokerSummaries": [
                {
                    "BrokerArn": _arn(b),
                    "BrokerId": b,
                    "BrokerState": state,
                    "Created": datetime(2025, 6, 15, tzinfo=UTC),
                    "DeploymentMode": "SINGLE_INSTANCE",
                    "EngineType": "ACTIVEMQ",
                }
                for b, state in states.items()
            ]
        },
        {"MaxResults": 100},
    )
    aws.answer("mq", "list_tags", {"Tags": {"map-migrated": "mig12345"}}, {"ResourceArn": _arn("b-running")})
    outcome = aws.scan(["mq:broker"], agreement_start="2025-01-01")
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    assert outcome.verdicts() == {_arn("b-running"): Verdict.COMPLIANT}
