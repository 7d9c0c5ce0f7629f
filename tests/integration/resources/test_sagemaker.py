"""SageMaker endpoints and notebook instances.

moto cannot put endpoints or notebooks in the Deleting or Failed states, so those are driven
through botocore's Stubber (answers validated against the SageMaker and Tagging API models);
least privilege runs on moto.
"""

from __future__ import annotations

from datetime import UTC, datetime

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT
from tests.support.privileges import assert_least_privilege
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
NEW = datetime(2025, 6, 15, tzinfo=UTC)


def test_least_privilege() -> None:
    assert_least_privilege(["sagemaker:endpoint", "sagemaker:notebook-instance"])


def test_deleting_and_failed_endpoints_are_not_scanned() -> None:
    aws = StubbedAws(REGION)

    def arn(name: str) -> str:
        return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}"

    statuses = {"live": "InService", "stopped": "OutOfService", "going": "Deleting", "broken": "Failed"}
    aws.answer(
        "sagemaker",
        "list_endpoints",
        {
            "Endpoints": [
                {
                    "EndpointName": n,
                    "EndpointArn": arn(n),
                    "CreationTime": NEW,
                    "LastModifiedTime": NEW,
                    "EndpointStatus": s,
                }
                for n, s in statuses.items()
            ]
        },
        {"MaxResults": 100},
    )
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        {
            "ResourceTagMappingList": [
                {"ResourceARN": arn("live"), "Tags": [{"Key": "map-migrated", "Value": "mig12345"}]}
            ]
        },
        {"ResourceARNList": [arn("live"), arn("stopped")]},
    )
    outcome = aws.scan(["sagemaker:endpoint"], agreement_start="2025-01-01")
    assert outcome.verdicts() == {arn("live"): Verdict.COMPLIANT, arn("stopped"): Verdict.MISSING}


def test_deleting_and_failed_notebooks_are_not_scanned() -> None:
    aws = StubbedAws(REGION)

    def arn(name: str) -> str:
        return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/{name}"

    statuses = {"live": "InService", "idle": "Stopped", "going": "Deleting", "broken": "Failed"}
    aws.answer(
        "sagemaker",
        "list_notebook_instances",
        {
            "NotebookInstances": [
                {
                    "NotebookInstanceName": n,
                    "NotebookInstanceArn": arn(n),
                    "CreationTime": NEW,
                    "NotebookInstanceStatus": s,
                }
                for n, s in statuses.items()
            ]
        },
        {"MaxResults": 100},
    )
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        {"ResourceTagMappingList": []},
        {"ResourceARNList": [arn("live"), arn("idle")]},
    )
    outcome = aws.scan(["sagemaker:notebook-instance"], agreement_start="2025-01-01")
    assert outcome.verdicts() == {arn("live"): Verdict.MISSING, arn("idle"): Verdict.MISSING}
