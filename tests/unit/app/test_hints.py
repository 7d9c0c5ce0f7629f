"""The hints after a scan (app/hints.py): a pure function over the report's resources."""

from __future__ import annotations

from typing import Any

import pytest

from maptag.app.hints import scan_hints
from maptag.policy import Policy

LABELS = {"mpe_ids": "--mpe-id", "exclusions": "--exclude"}
POLICY = Policy.build(mpe_ids=["12345"], regions=["us-east-1"])


def resource(
    verdict: str, value: str | None = None, reason: str = "r", key: str = "map-migrated"
) -> dict[str, Any]:
    observed = {"key": key if value is not None else None, "value": value}
    return {"verdict": verdict, "observed": observed, "reason": reason}


@pytest.mark.parametrize(
    ("resources", "hinted"),
    [
        ([resource("invalid_value", "mig54321")] * 3 + [resource("missing")], True),
        # half is not most
        ([resource("invalid_value", "mig54321")] * 2 + [resource("missing")] * 2, False),
        # one right value: --mpe-id is right, the others are findings
        ([resource("invalid_value", "mig54321")] * 3 + [resource("compliant", "mig12345")], False),
        # malformed values are typos, not another engagement
        ([resource("invalid_value", "MIG54321")] * 4, False),
        # a near-miss key's value is not the tag's value
        ([resource("near_miss_key", "mig54321", key="Map-Migrated")] * 4, False),
        # excluded resources do not count
        ([resource("excluded", "mig54321", "created before")] * 4 + [resource("missing")], False),
    ],
    ids=["most carry another", "only half", "one is right", "malformed", "near-miss key", "excluded"],
)
def test_a_wrong_mpe_id_hint(resources: list[dict[str, Any]], hinted: bool) -> None:
    hints = scan_hints(POLICY, resources, LABELS)
    assert bool(hints) is hinted, hints
    if hinted:
        assert hints == [
            "most resources carry 'mig54321' (3 of 4 in scope) and none carries a value for "
            "--mpe-id 12345: is --mpe-id right?"
        ]


def test_exclusion_rules_matched_directly_or_through_a_parent_are_not_named() -> None:
    policy = Policy.build(
        mpe_ids=["12345"], regions=["us-east-1"], exclusions=["tag:Env=dev", "arn:aws:s3:::cdk-*", "tag:Nope"]
    )
    resources = [
        resource("excluded", reason="matches exclusion rule 'arn:aws:s3:::cdk-*'"),
        resource("excluded", reason="belongs to i-1, excluded: matches exclusion rule 'tag:Env=dev'"),
        resource("compliant", "mig12345"),
    ]

    assert scan_hints(policy, resources, LABELS) == [
        "--exclude 'tag:Nope' matched no resource (tag keys, values and ARN globs are case-sensitive)"
    ]
