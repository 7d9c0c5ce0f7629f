"""Which resources are migrated workloads: a pure function of the resource and the policy.

Rules from map-tagging-facts.md ("Which resources are migrated") and design.md (dependents).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from maptag.model import Resource
from maptag.policy import Policy
from maptag.rules import MGN_MANAGED_KEY, MGN_MANAGED_VALUE, MGN_TOOLING_NAMES, quote

# Decisions about parents already seen in the unit: ARN -> None when the parent is in scope,
# or the reason it was excluded when that exclusion carries over to its dependents.
ParentScopes = Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class Exclusion:
    reason: str
    # An exclusion by tooling or rule carries over to a resource's dependents; one by the
    # resource's own creation date does not (its dependents are judged by their own).
    carries_over: bool = True


def is_mgn_tooling(tags: Mapping[str, str] | None) -> bool:
    """MGN's replication and conversion servers: they carry MGN's managed tag and its name."""
    if not tags or tags.get(MGN_MANAGED_KEY) != MGN_MANAGED_VALUE:
        return False
    return tags.get("Name", "").startswith(MGN_TOOLING_NAMES)


def scope(resource: Resource, policy: Policy, parents: ParentScopes) -> Exclusion | None:
    """Why the resource is out of scope, or None when it is in scope."""
    for rule in policy.exclusions:
        if rule.matches(resource.arn, resource.tags):
            return Exclusion(f"matches exclusion rule {quote(str(rule))}")
    if is_mgn_tooling(resource.tags):
        return Exclusion("Application Migration Service replication/conversion server (tooling)")
    if resource.parent is not None and resource.parent in parents:
        excluded_because = parents[resource.parent]
        if excluded_because is None:
            # design.md: dependents of an in-scope resource need their own tag, whatever
            # their own creation date.
            return None
        return Exclusion(f"belongs to {_short(resource.parent)}, excluded: {excluded_because}")
    start = policy.agreement_start
    if start is not None and resource.created is not None and resource.created.date() < start:
        return Exclusion(
            f"created {resource.created.date().isoformat()}, before the agreement start {start.isoformat()}",
            carries_over=False,
        )
    return None


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
