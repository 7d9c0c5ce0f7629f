"""WorkSpaces: terminating and terminated WorkSpaces are left out.

moto removes a WorkSpace at once when it is terminated (AWS lists it as TERMINATING, then
TERMINATED, for a while), so that case is driven through botocore's Stubber (answers validated
against the WorkSpaces and Tagging API models); least privilege runs on moto.
"""

from __future__ import annotations

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT
from tests.support.privileges import assert_least_privilege
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"


def test_least_privilege() -> None:
    assert_least_privilege(["workspaces:workspace"])


def test_terminating_and_terminated_workspaces_are_not_scanned_across_pages() -> None:
    aws = StubbedAws(REGION)

    def arn(workspace_id: str) -> str:
        return f"arn:aws:workspaces:{REGION}:{ACCOUNT}:workspace/{workspace_id}"

    aws.answer(
        "workspaces",
        "describe_workspaces",
        {
            "Workspaces": [
                {"WorkspaceId": "ws-a", "State": "AVAILABLE"},
                {"WorkspaceId": "ws-b", "State": "TERMINATING"},
            ],
            "NextToken": "n",
        },
        {"Limit": 25},
    )
    aws.answer(
        "workspaces",
        "describe_workspaces",
        {
            "Workspaces": [
                {"WorkspaceId": "ws-c", "State": "STOPPED"},
                {"WorkspaceId": "ws-d", "State": "TERMINATED"},
            ]
        },
        {"Limit": 25, "NextToken": "n"},
    )
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        {
            "ResourceTagMappingList": [
                {"ResourceARN": arn("ws-a"), "Tags": [{"Key": "map-migrated", "Value": "mig12345"}]}
            ]
        },
        {"ResourceARNList": [arn("ws-a"), arn("ws-c")]},
    )
    outcome = aws.scan(["workspaces:workspace"], agreement_start="2025-01-01")
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    assert outcome.verdicts() == {arn("ws-a"): Verdict.COMPLIANT, arn("ws-c"): Verdict.MISSING}
    # DescribeWorkspaces gives no creation time: in scope, and the reason says so
    assert "creation time unknown" in outcome.by_arn()[arn("ws-c")].reason
