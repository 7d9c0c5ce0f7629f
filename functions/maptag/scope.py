"""Which resources are migrated workloads: a pure function of the resource and the policy.

Rules from docs/map-tagging-rules.md ("Which resources are migrated") and docs/contracts.md (dependents).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from maptag.model import Resource
from maptag.policy import Policy
from maptag.rules import MGN_MANAGED_KEY, MGN_MANAGED_VALUE, MGN_TOOLING_NAMES, quote

# Decisions about the parents already seen in the unit: ARN -> None when the parent is in
# scope, or the reason it was excluded when that exclusion carries over to its dependents.
# A parent excluded only by its own creation date is absent (its dependents are judged by
# their own date).
ParentScopes = Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class Exclusion:
    reason: str
    # An exclusion by tooling or rule carries over to a resource's dependents; one by the
    # resource's own creation date does not (its dependents are judged by their own).
    carries_over: bool = True


def is_mgn_tooling(tags: Mapping[str, str] | None) -> bool:
    """MGN's replication and conversion servers: they carry MGN's managed tag and its name.

    docs/map-tagging-rules.md: MGN puts the managed tag on the instances it launches too, so the
    tag alone does not make tooling; the Name of its replication/conversion servers does.
    """
    if not tags or tags.get(MGN_MANAGED_KEY) != MGN_MANAGED_VALUE:
        return False
    return tags.get("Name", "").startswith(MGN_TOOLING_NAMES)


def in_scope_through_parent(resource: Resource, parents: ParentScopes) -> bool:
    """The resource depends on an in-scope parent (docs/contracts.md: it needs its own tag)."""
    return resource.parent is not None and resource.parent in parents and parents[resource.parent] is None


def scope(resource: Resource, policy: Policy, parents: ParentScopes) -> Exclusion | None:
    """Why the resource is out of scope, or None when it is in scope."""
    for rule in policy.exclusions:
        if rule.matches(resource.arn, resource.tags):
            return Exclusion(f"matches exclusion rule {quote(str(rule))}")
    if is_mgn_tooling(resource.tags):
        # docs/map-tagging-rules.md: MGN's replication and conversion servers are tooling.
        return Exclusion("Application Migration Service replication/conversion server (tooling)")
    if resource.parent is not None and resource.parent in parents:
        excluded_because = parents[resource.parent]
        if excluded_because is None:
            # docs/contracts.md / docs/map-tagging-rules.md ("Which resources count"): volumes, snapshots
            # and AMIs of a migrated resource need their own tag, whatever their own date.
            return None
        return Exclusion(f"belongs to {_short(resource.parent)}, excluded: {excluded_because}")
    start = policy.agreement_start
    # docs/map-tagging-rules.md: resources created on or after the agreement start are in scope.
    if start is not None and resource.created is not None:
        created = utc_date(resource.created)
        if created < start:
            return Exclusion(
                f"created {created.isoformat()}, before the agreement start {start.isoformat()}",
                carries_over=False,
            )
    return None


def utc_date(moment: datetime) -> date:
    """The UTC calendar day of a timestamp (a naive one is taken as UTC)."""
    return moment.astimezone(UTC).date() if moment.tzinfo is not None else moment.date()


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
