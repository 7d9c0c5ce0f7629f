"""The judge over the MAP tag rules of map-tagging-facts.md ("The tag")."""

from __future__ import annotations

import pytest

from maptag.judge import judge
from maptag.model import Verdict
from maptag.policy import Policy

POLICY = Policy.build(mpe_ids=["12345"], regions=["us-east-1"])


@pytest.mark.parametrize(
    ("tags", "verdict", "reason_contains"),
    [
        ({"map-migrated": "mig12345"}, Verdict.COMPLIANT, "mig12345"),
        ({"map-migrated": "sap12345"}, Verdict.COMPLIANT, "sap12345"),
        ({}, Verdict.MISSING, "no tags at all"),
        ({"Name": "web"}, Verdict.MISSING, "no 'map-migrated' tag"),
        ({"Map-Migrated": "mig12345"}, Verdict.NEAR_MISS_KEY, "case"),
        ({"map_migrated": "mig12345"}, Verdict.NEAR_MISS_KEY, "'_' instead of '-'"),
        ({"map.migrated": "mig12345"}, Verdict.NEAR_MISS_KEY, "'.' instead of '-'"),
        ({"mapmigrated": "mig12345"}, Verdict.NEAR_MISS_KEY, "no separator"),
        ({"map-migrated ": "mig12345"}, Verdict.NEAR_MISS_KEY, "surrounding whitespace"),
        ({"map- migrated": "mig12345"}, Verdict.NEAR_MISS_KEY, "inner whitespace"),
        ({"MAP-MIGRATED": "mig12345"}, Verdict.NEAR_MISS_KEY, "case"),
        ({"map-migrated": "MIG12345"}, Verdict.INVALID_VALUE, "wrong case"),
        ({"map-migrated": " mig12345"}, Verdict.INVALID_VALUE, "surrounding whitespace"),
        ({"map-migrated": "mig12345 "}, Verdict.INVALID_VALUE, "surrounding whitespace"),
        ({"map-migrated": "mig 12345"}, Verdict.INVALID_VALUE, "inner whitespace"),
        ({"map-migrated": "map12345"}, Verdict.INVALID_VALUE, "unknown prefix 'map'"),
        ({"map-migrated": "mig1234"}, Verdict.INVALID_VALUE, "neither 5 digits"),
        ({"map-migrated": "mig99999"}, Verdict.INVALID_VALUE, "MPE id 99999, not this engagement's"),
        ({"map-migrated": "d-server-0123456789abcd"}, Verdict.INVALID_VALUE, "legacy server id"),
        ({"map-migrated": ""}, Verdict.INVALID_VALUE, "empty"),
        ({"map-migrated": "12345"}, Verdict.INVALID_VALUE, "lacks a prefix"),
        ({"aws-migration-project-id": "x"}, Verdict.MISSING, "legacy key"),
        (None, Verdict.UNREADABLE, "could not be read"),
    ],
)
def test_verdict_and_reason(tags: dict[str, str] | None, verdict: Verdict, reason_contains: str) -> None:
    judgement = judge(tags, POLICY, "AccessDenied")
    assert judgement.verdict is verdict
    assert reason_contains in judgement.reason


def test_legacy_value_accepted_when_policy_says_so() -> None:
    policy = Policy.build(mpe_ids=["12345"], regions=["us-east-1"], accept_legacy=True)
    assert judge({"map-migrated": "d-server-0123456789abcd"}, policy).verdict is Verdict.COMPLIANT
