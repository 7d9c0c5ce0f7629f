"""Plain data passed between the pipeline's stages (docs/contracts.md, "The pipeline").

policy ─► units ─► collect (Resource) ─► scope ─► judge (Finding) ─► coverage (Totals)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Verdict(StrEnum):
    """The six verdicts of docs/contracts.md; their values are part of the report contract."""

    COMPLIANT = "compliant"
    MISSING = "missing"
    NEAR_MISS_KEY = "near_miss_key"
    INVALID_VALUE = "invalid_value"
    UNREADABLE = "unreadable"
    EXCLUDED = "excluded"


@dataclass(frozen=True, slots=True)
class ScanUnit:
    """One account × region: the grain of fan-out, failure and coverage."""

    account_id: str
    region: str

    @property
    def key(self) -> str:
        return f"{self.account_id}/{self.region}"


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource as a collector saw it, before any judgement.

    ``tags`` is ``None`` when the tags could not be read (``tag_error`` says why); an empty
    mapping means the resource has no tags at all.
    """

    arn: str
    type: str
    account_id: str
    region: str
    resource_id: str
    created: datetime | None
    tags: Mapping[str, str] | None
    tag_error: str | None = None
    parent: str | None = None
    # Type-specific facts later stages need (e.g. an instance's private IPs for Migration
    # Hub); never tag values.
    attributes: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Judgement:
    verdict: Verdict
    reason: str
    key: str | None = None
    value: str | None = None
    fix: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A resource with its verdict: one row of the report."""

    resource: Resource
    verdict: Verdict
    reason: str
    observed_key: str | None
    observed_value: str | None
    fix: str | None = None

    @classmethod
    def of(cls, resource: Resource, judgement: Judgement) -> Finding:
        return cls(
            resource=resource,
            verdict=judgement.verdict,
            reason=judgement.reason,
            observed_key=judgement.key,
            observed_value=judgement.value,
            fix=judgement.fix,
        )

    def to_report(self) -> dict[str, object]:
        """The ``resources[]`` item of ``maptag/scan-report@1``."""
        r = self.resource
        item: dict[str, object] = {
            "arn": r.arn,
            "account_id": r.account_id,
            "region": r.region,
            "type": r.type,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "observed": {"key": self.observed_key, "value": self.observed_value},
            "parent": r.parent,
            "fix": self.fix,
            "created": r.created.isoformat() if r.created else None,
        }
        if r.attributes:
            # Extra key, only where a type has facts (instances, for Migration Hub's server tasks).
            item["attributes"] = dict(r.attributes)
        return item
