"""What every human view (terminal table, HTML report) derives from report rows: pure functions.

Rows are `resources[]` items of `maptag/scan-report@1` (docs/contracts.md); the optional
fields `cost`, `noncompliant_since` and `noncompliant_days` are used when present.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from maptag.model import Verdict

TO_FIX = frozenset(Verdict) - {Verdict.COMPLIANT, Verdict.EXCLUDED}
# Resource ids whose last segment alone says little (an ELB's hash): keep the name too.
_KEEP_TWO = re.compile(r"loadbalancer/(?:app|net|gwy)/")


def to_fix(row: Mapping[str, Any]) -> bool:
    return row.get("verdict") in TO_FIX


def short_id(arn: str) -> str:
    """The part of an ARN a person recognises: `vol-0abc…`, a bucket or function name."""
    if not arn.startswith("arn:"):
        return arn
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else arn
    if _KEEP_TWO.match(resource):
        return "/".join(resource.split("/")[2:])
    for separator in ("/", ":"):
        if separator in resource:
            resource = resource.rsplit(separator, 1)[1] or resource
    return resource


def daily_cost(row: Mapping[str, Any]) -> float | None:
    cost = row.get("cost")
    daily = cost.get("daily") if isinstance(cost, Mapping) else None
    return float(daily) if isinstance(daily, int | float) else None


def days_noncompliant(row: Mapping[str, Any]) -> int | None:
    days = row.get("noncompliant_days")
    return days if isinstance(days, int) and not isinstance(days, bool) else None


@dataclass
class FixGroup:
    """Resources that one and the same fix repairs, e.g. 63 volumes needing the same tag."""

    fix: str
    type: str
    dependents: bool  # every resource in it is a dependent (a volume of an instance, …)
    count: int = 0
    daily: float = 0.0
    currency: str | None = None
    oldest_days: int | None = None

    @property
    def sentence(self) -> str:
        """`add tag map-migrated=mig12345 to 63 × ec2:volume (dependents of in-scope resources)`."""
        text = f"{self.fix} to {self.count} × {self.type}"
        return text + (" (dependents of in-scope resources)" if self.dependents else "")


def fix_groups(rows: Iterable[Mapping[str, Any]]) -> list[FixGroup]:
    """The resources to fix grouped by (fix, type, dependent or not), the costliest and largest first."""
    groups: dict[tuple[str, str, bool], FixGroup] = {}
    for row in rows:
        if not to_fix(row):
            continue
        fix = str(row.get("fix") or "investigate: " + str(row.get("verdict")))
        key = (fix, str(row.get("type")), bool(row.get("parent")))
        group = groups.get(key) or groups.setdefault(key, FixGroup(*key))
        group.count += 1
        daily = daily_cost(row)
        if daily is not None:
            group.daily += daily
            group.currency = group.currency or str(row["cost"].get("currency") or "")
        days = days_noncompliant(row)
        if days is not None and (group.oldest_days is None or days > group.oldest_days):
            group.oldest_days = days
    return sorted(groups.values(), key=lambda g: (-g.daily, -g.count, g.fix, g.type))
