"""After a scan: settings that look wrong given what the scan saw (docs/cli.md, "Hints").

A pure function over the report's resources: an --mpe-id that matches nothing while most
resources carry one other well-formed value, and --exclude rules that matched nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from maptag.model import Verdict
from maptag.policy import Policy
from maptag.rules import MAP_KEY, MPE_ID, quote, split_value


def scan_hints(
    policy: Policy, resources: Iterable[Mapping[str, Any]], labels: Mapping[str, str]
) -> list[str]:
    """Warnings (one line each) for ``policy``'s settings, from one pass over the resources.

    ``labels`` names each setting as the user gave it (``mpe_ids`` → ``--mpe-id``).
    """
    in_scope = compliant = 0
    other_values: Counter[str] = Counter()
    # scope.py words an exclusion "matches exclusion rule '<rule>'" (and its dependents
    # "…, excluded: matches exclusion rule '<rule>'").
    unmatched = {f"exclusion rule {quote(str(rule))}": rule for rule in policy.exclusions}
    for resource in resources:
        verdict = resource["verdict"]
        if verdict == Verdict.EXCLUDED:
            reason = str(resource["reason"])
            for marker in [marker for marker in unmatched if marker in reason]:
                del unmatched[marker]
            continue
        in_scope += 1
        compliant += verdict == Verdict.COMPLIANT
        observed = resource.get("observed") or {}
        value = observed.get("value")
        if observed.get("key") == MAP_KEY and isinstance(value, str) and _another_mpe(value, policy):
            other_values[value] += 1
    hints = []
    if compliant == 0 and other_values:
        value, count = other_values.most_common(1)[0]
        if count * 2 > in_scope:
            given = ", ".join(policy.mpe_ids)
            hints.append(
                f"most resources carry {quote(value)} ({count} of {in_scope} in scope) and none carries a "
                f"value for {labels['mpe_ids']} {given}: is {labels['mpe_ids']} right?"
            )
    for rule in unmatched.values():
        hints.append(
            f"{labels['exclusions']} {quote(str(rule), 200)} matched no resource "
            "(tag keys, values and ARN globs are case-sensitive)"
        )
    return hints


def _another_mpe(value: str, policy: Policy) -> bool:
    """A well-formed value (a documented prefix and a well-shaped MPE id, docs/map-tagging-rules.md)
    that the policy does not accept."""
    parts = split_value(value)
    well_formed = parts is not None and MPE_ID.fullmatch(parts[1]) is not None
    return well_formed and value not in policy.accepted_values
