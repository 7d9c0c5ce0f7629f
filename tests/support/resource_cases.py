"""The cases every stubbed type is checked with, and what a user must see for each.

Each type's test seeds its service's answers (Stubber, validated by the service model) for a
resource tagged compliant, one with other tags only, one never tagged, one created before the
agreement start, and one in a dead state; then it checks the findings with ``assert_judged``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from maptag.model import Verdict
from tests.support.moto_seed import COMPLIANT, MPE_VALUE, NO_MAP_TAG
from tests.support.stubbed import StubbedOutcome

AGREEMENT_START = "2025-01-01"
NEW = datetime(2025, 6, 15, 10, 30, tzinfo=UTC)
OLD = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)

# variant: (tags, creation time)
VARIANTS: dict[str, tuple[Mapping[str, str] | None, datetime]] = {
    "compliant": (COMPLIANT, NEW),
    "no-map-tag": (NO_MAP_TAG, NEW),
    "never-tagged": (None, NEW),
    "old": (None, OLD),
}
EXPECTED = {
    "compliant": (Verdict.COMPLIANT, f"tagged map-migrated={MPE_VALUE}"),
    "no-map-tag": (Verdict.MISSING, "no 'map-migrated' tag"),
    "never-tagged": (Verdict.MISSING, "no tags at all"),
    "old": (Verdict.EXCLUDED, "created 2024-03-01, before the agreement start 2025-01-01"),
}


def tag_mappings(tags_by_arn: Mapping[str, Mapping[str, str] | None]) -> dict[str, Any]:
    """A GetResources answer: the tagged resources only (never-tagged ones are not in it)."""
    return {
        "ResourceTagMappingList": [
            {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
            for arn, tags in tags_by_arn.items()
            if tags
        ]
    }


def assert_judged(outcome: StubbedOutcome, type_name: str, arns: Mapping[str, str]) -> None:
    """Each variant's ARN is reported once, of ``type_name``, with its verdict and reason."""
    assert outcome.unit.status == "ok", outcome.unit.error
    found = outcome.by_arn()
    assert sorted(found) == sorted(arns.values()), "exactly the live resources are reported"
    for variant, arn in arns.items():
        finding = found[arn]
        verdict, reason = EXPECTED[variant]
        assert finding.resource.type == type_name
        assert (finding.verdict, finding.resource.region) == (verdict, "eu-west-1"), finding.reason
        assert reason in finding.reason
        assert finding.resource.created == VARIANTS[variant][1]
