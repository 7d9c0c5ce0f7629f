"""Network Firewall firewalls: tags and state from DescribeFirewall.

moto cannot put a firewall in the DELETING state, so that case is driven through botocore's
Stubber (answers validated against the Network Firewall model); least privilege runs on moto.
"""

from __future__ import annotations

import uuid
from typing import Any

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT
from tests.support.privileges import assert_least_privilege
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"


def test_least_privilege() -> None:
    assert_least_privilege(["network-firewall:firewall"])


def _arn(name: str) -> str:
    return f"arn:aws:network-firewall:{REGION}:{ACCOUNT}:firewall/{name}"


def test_a_firewall_being_deleted_is_not_scanned_and_tags_come_from_describe() -> None:
    aws = StubbedAws(REGION)
    aws.answer(
        "network-firewall",
        "list_firewalls",
        {"Firewalls": [{"FirewallName": n, "FirewallArn": _arn(n)} for n in ("edge", "old-edge")]},
        {"MaxResults": 100},
    )

    def described(name: str, status: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "Firewall": {
                "FirewallName": name,
                "FirewallArn": _arn(name),
                "FirewallPolicyArn": f"arn:aws:network-firewall:{REGION}:{ACCOUNT}:firewall-policy/p",
                "VpcId": "vpc-0123456789abcdef0",
                "SubnetMappings": [{"SubnetId": "subnet-0123456789abcdef0"}],
                "FirewallId": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
                "Tags": tags,
            },
            "FirewallStatus": {"Status": status, "ConfigurationSyncStateSummary": "IN_SYNC"},
        }

    aws.answer(
        "network-firewall",
        "describe_firewall",
        described("edge", "READY", [{"Key": "map-migrated", "Value": "mig12345"}]),
        {"FirewallArn": _arn("edge")},
    )
    aws.answer(
        "network-firewall",
        "describe_firewall",
        described("old-edge", "DELETING", [{"Key": "team", "Value": "network"}]),
        {"FirewallArn": _arn("old-edge")},
    )
    outcome = aws.scan(["network-firewall:firewall"], agreement_start="2025-01-01")
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    assert outcome.verdicts() == {_arn("edge"): Verdict.COMPLIANT}
    # no API gives a firewall's creation time
    assert outcome.findings[0].resource.created is None
