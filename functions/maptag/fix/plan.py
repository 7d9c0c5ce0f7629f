"""The fix plan: which tag to write on which resource, and which need a person (docs/fix.md).

Pure functions over the report's ``resources[]`` items (``maptag/scan-report@1``) and the
policy: no AWS. A change is planned only where the right value is certain; everything else is
a decision, named with its reason, and never touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from maptag.model import Verdict
from maptag.policy import Policy
from maptag.resources.declarations import BY_NAME
from maptag.rules import DBA_PREFIXES, DEFAULT_PREFIX, MAP_KEY, SPACE, quote, split_value

_SPACES = re.compile(f"{SPACE}+")


@dataclass(frozen=True, slots=True)
class Change:
    """One tag key written (``after``) or removed (``after`` None) on one resource.

    ``before`` is the value the key holds now (None: absent); the applier re-reads the tags and
    skips the change when they differ from what was planned from (``observed``).
    """

    arn: str
    type: str
    account_id: str
    region: str
    key: str
    before: str | None
    after: str | None
    why: str
    verdict: str = ""
    # (verdict, observed key, observed value) the plan was made from; None for an undo
    observed: tuple[str, str | None, str | None] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "arn": self.arn,
            "type": self.type,
            "account_id": self.account_id,
            "region": self.region,
            "verdict": self.verdict or None,
            "key": self.key,
            "before": self.before,
            "after": self.after,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """A resource maptag will not touch: a person must decide (the reason says what)."""

    arn: str
    type: str
    verdict: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"arn": self.arn, "type": self.type, "verdict": self.verdict, "reason": self.reason}


@dataclass
class FixPlan:
    changes: list[Change] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": [change.to_json() for change in self.changes],
            "needs_decision": [decision.to_json() for decision in self.decisions],
        }


@dataclass(frozen=True, slots=True)
class _Target:
    """The value a resource should carry, or why it cannot be known."""

    value: str | None
    why: str


def value_problem(value: str, policy: Policy) -> str | None:
    """Why ``--value`` cannot be written (a scan would not judge it compliant), or None."""
    if value in policy.accepted_values:
        return None
    accepted = ", ".join(sorted(policy.accepted_values)[:6])
    return f"{quote(value)} is not a value this engagement accepts (e.g. {accepted})"


def plan_fixes(
    items: Iterable[Mapping[str, Any]],
    policy: Policy,
    *,
    value: str | None = None,
    remove_near_miss: bool = False,
) -> FixPlan:
    """The changes that make every fixable finding compliant, and the decisions left.

    ``items`` are the report's ``resources[]`` entries; ``value`` is --value (already checked
    with ``value_problem``).
    """
    by_arn = {str(item["arn"]): item for item in items}
    planner = _Planner(by_arn, policy, value)
    plan = FixPlan()
    for item in by_arn.values():
        outcome = planner.outcome(item)
        if isinstance(outcome, Decision):
            plan.decisions.append(outcome)
            continue
        plan.changes.extend(outcome)
        if remove_near_miss and item["verdict"] == Verdict.NEAR_MISS_KEY and outcome:
            key, old = _observed(item)
            assert key is not None
            plan.changes.append(
                _change(item, key, old, None, f"remove the near-miss key {quote(key)} (--remove-near-miss)")
            )
    return plan


class _Planner:
    """Each resource's planned value, memoised so a dependent follows its parent's plan."""

    def __init__(self, by_arn: Mapping[str, Mapping[str, Any]], policy: Policy, value: str | None) -> None:
        self._by_arn = by_arn
        self._policy = policy
        self._value = value
        self._targets: dict[str, _Target] = {}

    def outcome(self, item: Mapping[str, Any]) -> list[Change] | Decision:
        verdict = str(item["verdict"])
        if verdict == Verdict.COMPLIANT:
            return []
        target = self.target(item)
        if target.value is None:
            return Decision(str(item["arn"]), str(item["type"]), verdict, target.why)
        key, old = _observed(item)
        if verdict == Verdict.NEAR_MISS_KEY:
            why = f"add '{MAP_KEY}' beside the near-miss key {quote(key or '')}: {target.why}"
            return [_change(item, MAP_KEY, None, target.value, why)]
        before = old if verdict == Verdict.INVALID_VALUE else None
        return [_change(item, MAP_KEY, before, target.value, target.why)]

    def target(self, item: Mapping[str, Any]) -> _Target:
        arn = str(item["arn"])
        known = self._targets.get(arn)
        if known is None:
            self._targets[arn] = _Target(None, "its parent is its own dependent")  # a cycle stops here
            known = self._targets[arn] = self._target(item)
        return known

    def _target(self, item: Mapping[str, Any]) -> _Target:
        verdict = str(item["verdict"])
        rtype = BY_NAME.get(str(item["type"]))
        if rtype is None:
            return _Target(None, f"unknown resource type {quote(str(item['type']))}")
        key, old = _observed(item)
        if verdict == Verdict.COMPLIANT:
            if key == MAP_KEY and old is not None:
                return _Target(old, f"it is compliant ({MAP_KEY}={old})")
            return self._default(item, rtype.dba)
        if verdict == Verdict.EXCLUDED:
            return _Target(None, f"excluded: {item.get('reason')}")
        if verdict == Verdict.UNREADABLE:
            return _Target(None, f"its tags could not be read: {item.get('reason')}")
        if verdict == Verdict.INVALID_VALUE:
            return self._corrected(item, old or "", rtype.dba)
        if verdict == Verdict.NEAR_MISS_KEY and old is not None:
            own = self._own(old, rtype.dba)
            if own is not None:
                return _Target(own, f"the near-miss key's value, as this engagement writes it ({own})")
        if verdict in (Verdict.MISSING, Verdict.NEAR_MISS_KEY):
            return self._default(item, rtype.dba)
        return _Target(None, f"unknown verdict {quote(verdict)}")

    def _corrected(self, item: Mapping[str, Any], old: str, dba: bool) -> _Target:
        if old == "":
            target = self._default(item, dba)
            if target.value is None:
                return target
            return _Target(target.value, f"the value is empty; {target.why}")
        own = self._own(old, dba)
        if own is not None and own != old:
            return _Target(own, f"{quote(old)} is this engagement's value written wrongly ({own})")
        return _Target(None, f"{item.get('reason')} (a value maptag cannot be sure to replace)")

    def _own(self, text: str, dba: bool) -> str | None:
        """The engagement's value that ``text`` was meant to be (case, whitespace, invisible
        characters, a DB&A prefix on a non-DB&A type), or None when it is not certain."""
        canonical = self._policy.accepted_lower.get(_SPACES.sub("", text).lower())
        return None if canonical is None else self._for_type(canonical, dba)

    def _for_type(self, value: str, dba: bool) -> str | None:
        parts = split_value(value)
        if parts is None or dba or parts[0] not in DBA_PREFIXES:
            return value
        fixed = DEFAULT_PREFIX + parts[1]
        return fixed if fixed in self._policy.accepted_values else None

    def _default(self, item: Mapping[str, Any], dba: bool) -> _Target:
        """A dependent's parent value; else --value; else the engagement's one value."""
        parent_arn = item.get("parent")
        parent = self._by_arn.get(str(parent_arn)) if parent_arn else None
        if parent is not None and parent["verdict"] != Verdict.EXCLUDED:
            inherited = self.target(parent)
            if inherited.value is None:
                return _Target(None, f"its parent {parent_arn} needs a decision: {inherited.why}")
            value = self._for_type(inherited.value, dba)
            if value is None:
                return _Target(
                    None, f"its parent's value {quote(inherited.value)} belongs on DB&A types only"
                )
            return _Target(value, f"its parent's value (parent {parent_arn})")
        if self._value is not None:
            chosen = self._for_type(self._value, dba)
            if chosen is None:
                return _Target(None, f"--value {quote(self._value)} belongs on DB&A types only")
            return _Target(chosen, "--value")
        if len(self._policy.mpe_ids) > 1:
            ids = ", ".join(self._policy.mpe_ids)
            return _Target(None, f"the engagement has several MPE ids ({ids}): give --value")
        chosen = self._for_type(self._policy.example_value, dba)
        if chosen is None:
            return _Target(
                None, f"{quote(self._policy.example_value)} belongs on DB&A types only: give --value"
            )
        return _Target(chosen, "the engagement's MPE id")


def _observed(item: Mapping[str, Any]) -> tuple[str | None, str | None]:
    observed = item.get("observed") or {}
    return observed.get("key"), observed.get("value")


def _change(item: Mapping[str, Any], key: str, before: str | None, after: str | None, why: str) -> Change:
    observed_key, observed_value = _observed(item)
    return Change(
        arn=str(item["arn"]),
        type=str(item["type"]),
        account_id=str(item["account_id"]),
        region=str(item["region"]),
        key=key,
        before=before,
        after=after,
        why=why,
        verdict=str(item["verdict"]),
        observed=(str(item["verdict"]), observed_key, observed_value),
    )
