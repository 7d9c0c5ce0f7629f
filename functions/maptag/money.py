"""How much and since when (docs/costs.md): spend per resource, untagged spend, fix-first order.

Pure functions over plain data: cost lines (from Cost Explorer or a CUR 2.0 export, see
maptag/costs.py) become a CostBook; the report's resource items (``Finding.to_report``) are
annotated with their cost and their since-when; sums go to totals, units and types.
Nothing here invents a number: no cost data, no cost; no credit rate, no credits.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from maptag.model import Verdict

# Cost Explorer keeps resource-level data for the last 14 days only; a CUR file is read over
# the same window so both sources mean the same thing (docs/costs.md).
WINDOW_DAYS = 14
# A month of credits: 365/12 days, so twelve months make a year.
DAYS_PER_MONTH = 365 / 12
SOURCES = ("cost-explorer", "cur")
# Verdicts whose resources earn nothing: the same set coverage counts as not covered.
NON_COMPLIANT = frozenset(
    {
        Verdict.MISSING.value,
        Verdict.NEAR_MISS_KEY.value,
        Verdict.INVALID_VALUE.value,
        Verdict.UNREADABLE.value,
    }
)


class CostError(Exception):
    """Cost data cannot be read or makes no sense: one line naming the source."""


@dataclass(frozen=True, slots=True)
class CostLine:
    """One day's spend of one resource, as a cost source reports it."""

    resource_id: str  # an ARN or the short id the service bills under (i-…, vol-…, a bucket name)
    day: date
    amount: float
    currency: str
    service: str
    account_id: str | None = None  # None: the source does not say (Cost Explorer's resource groups)
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Cost:
    """A resource's spend a day, averaged over ``days`` days of cost data."""

    daily: float
    currency: str
    days: int
    source: str

    def to_report(self) -> dict[str, object]:
        return {
            "daily": round(self.daily, 4),
            "currency": self.currency,
            "days": self.days,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class _Spend:
    cost: Cost
    service: str
    account_id: str | None
    region: str | None


@dataclass(frozen=True)
class CostBook:
    """Spend a day per billed resource id over the window, and the currency."""

    source: str
    currency: str
    spends: Mapping[str, _Spend]

    def lookup(self, arn: str) -> tuple[str, Cost] | None:
        """The billed id matching this ARN and its cost: the ARN itself, or its service's short
        id (``instance/i-0abc`` → ``i-0abc``; ``arn:aws:s3:::bucket`` → ``bucket``)."""
        for candidate in id_candidates(arn):
            spend = self.spends.get(candidate)
            if spend is not None:
                return candidate, spend.cost
        return None

    def unscanned(self, matched: set[str], accounts: set[str], regions: set[str]) -> list[dict[str, object]]:
        """Spend on billed resources no scanned resource matched, per service, largest first:
        only in the scanned accounts and regions (a line without either counts where known)."""
        per_service: dict[str, list[float]] = defaultdict(list)
        for resource_id, spend in self.spends.items():
            if resource_id in matched:
                continue
            if spend.account_id is not None and spend.account_id not in accounts:
                continue
            if spend.region and spend.region not in regions:
                continue
            per_service[spend.service].append(spend.cost.daily)
        rows = [
            {
                "service": service,
                "daily": round(sum(values), 2),
                "currency": self.currency,
                "resources": len(values),
            }
            for service, values in per_service.items()
        ]
        return sorted(rows, key=lambda row: (-float(row["daily"]), str(row["service"])))  # type: ignore[arg-type]


# Services whose bills name a resource by a short id rather than its ARN: EC2 (i-…, vol-…,
# snap-…, ami-…) and EFS (fs-…) by the id after the last '/', S3 by the bucket's name. Any
# other short form is ambiguous (a DynamoDB table and a bucket may share a name): ARN only.
_SHORT_ID_AFTER_SLASH = frozenset({"ec2", "elasticfilesystem"})


def id_candidates(arn: str) -> tuple[str, ...]:
    """The ids a bill may use for this resource: the ARN, then its service's short id."""
    parts = arn.split(":", 5)
    service = parts[2] if len(parts) > 2 else ""
    if service == "s3" and len(parts) == 6:
        return (arn, parts[5])
    if service in _SHORT_ID_AFTER_SLASH and "/" in arn:
        return (arn, arn.rsplit("/", 1)[-1])
    return (arn,)


def cost_book(lines: Iterable[CostLine], source: str, *, window_days: int = WINDOW_DAYS) -> CostBook:
    """Average spend a day per resource over the last ``window_days`` days of the data.

    A resource's average runs from its first day with spend in the window to the window's
    end, so one created three days ago is not diluted over fourteen.
    """
    totals: dict[str, float] = defaultdict(float)
    first_day: dict[str, date] = {}
    facts: dict[str, tuple[str, str | None, str | None]] = {}
    currencies: set[str] = set()
    kept: list[CostLine] = [line for line in lines if line.resource_id]
    if not kept:
        raise CostError(f"{source}: no spend with a resource id (is 'include resource IDs' on?)")
    end = max(line.day for line in kept)
    start = end - timedelta(days=window_days - 1)
    for line in kept:
        if line.day < start:
            continue
        currencies.add(line.currency)
        totals[line.resource_id] += line.amount
        first_day[line.resource_id] = min(first_day.get(line.resource_id, line.day), line.day)
        facts.setdefault(line.resource_id, (line.service, line.account_id, line.region))
    if len(currencies) > 1:
        raise CostError(f"{source}: spend in more than one currency ({', '.join(sorted(currencies))})")
    currency = currencies.pop()
    spends = {}
    for resource_id, total in totals.items():
        if total <= 0:  # credits and refunds only: no spend to put a price on
            continue
        days = (end - first_day[resource_id]).days + 1
        service, account, region = facts[resource_id]
        spends[resource_id] = _Spend(Cost(total / days, currency, days, source), service, account, region)
    return CostBook(source=source, currency=currency, spends=spends)


def parse_credit_rate(text: str | float) -> float:
    """The engagement's MAP credit rate in percent: a number above 0 and at most 100."""
    try:
        rate = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not a number (the MAP credit rate in percent, e.g. 25)") from None
    if not (math.isfinite(rate) and 0 < rate <= 100):
        raise ValueError(f"{text!r} is not a percentage above 0 and at most 100")
    return rate


@dataclass(frozen=True, slots=True)
class SinceState:
    """What history knew of a non-compliant resource before this run."""

    verdict: str
    since: str | None  # ISO 8601 UTC
    type: str
    account_id: str = ""
    region: str = ""


@dataclass
class Ledger:
    """The prior non-compliant resources (from history) and this run's time.

    ``None`` history means no history sink: every date is unknown (null), never guessed.
    """

    now: datetime
    prior: Mapping[str, SinceState] | None = None

    @property
    def stamp(self) -> str:
        return self.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def since(self, arn: str, verdict: str) -> str | None:
        """The first scan that saw the resource non-compliant with no compliant scan after.

        This run, when history has no open record of it (unreadable: unknown, as its tags
        were not seen); the recorded date otherwise.
        """
        if self.prior is None or verdict not in NON_COMPLIANT:
            return None
        known = self.prior.get(arn)
        if known is not None:
            return known.since
        return None if verdict == Verdict.UNREADABLE.value else self.stamp

    def days(self, since: str | None) -> int | None:
        if since is None:
            return None
        began = datetime.fromisoformat(since.replace("Z", "+00:00"))
        return max(0, (self.now - began).days)


@dataclass
class Money:
    """What a report adds about time and spend: the ledger, the costs, the credit rate."""

    ledger: Ledger
    costs: CostBook | None = None
    credit_rate: float | None = None
    _summary: Summary | None = field(default=None, repr=False)

    def annotate(self, item: dict[str, Any]) -> dict[str, Any]:
        """A report resource item with ``noncompliant_since``/``_days`` and ``cost`` added."""
        verdict = str(item.get("verdict"))
        if verdict in NON_COMPLIANT:
            since = self.ledger.since(str(item["arn"]), verdict)
            item["noncompliant_since"] = since
            item["noncompliant_days"] = self.ledger.days(since)
        if self.costs is not None:
            found = self.costs.lookup(str(item["arn"]))
            if found is not None:
                item["cost"] = found[1].to_report()
        return item

    def annotated(self, items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        return (self.annotate(item) for item in items)

    def summary(self, items: Iterable[dict[str, Any]], accounts: set[str], regions: set[str]) -> Summary:
        """Untagged spend per unit and type, and the spend maptag does not scan (one pass)."""
        if self._summary is None:
            self._summary = summarise(self, items, accounts, regions)
        return self._summary

    def spend_fields(self, daily: float) -> dict[str, float]:
        """``untagged_daily_spend`` (and ``credits_at_risk_monthly`` with a credit rate)."""
        fields_ = {"untagged_daily_spend": round(daily, 2)}
        if self.credit_rate is not None:
            fields_["credits_at_risk_monthly"] = credits_at_risk_monthly(daily, self.credit_rate)
        return fields_


def credits_at_risk_monthly(untagged_daily: float, rate_percent: float) -> float:
    """MAP credits a month that untagged spend does not earn at the engagement's rate."""
    return round(untagged_daily * DAYS_PER_MONTH * rate_percent / 100, 2)


@dataclass
class Summary:
    """Sums from one pass over the annotated resources."""

    units: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    types: dict[tuple[str, str, str], float] = field(default_factory=lambda: defaultdict(float))
    unscanned: list[dict[str, object]] = field(default_factory=list)
    oldest_days: int | None = None

    @property
    def total(self) -> float:
        return sum(self.units.values())

    def by_type(self) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for (_, _, type_name), daily in self.types.items():
            out[type_name] += daily
        return out


def summarise(
    money: Money, items: Iterable[dict[str, Any]], accounts: set[str], regions: set[str]
) -> Summary:
    summary = Summary()
    matched: set[str] = set()
    for item in items:
        annotated = money.annotate(item)
        days = annotated.get("noncompliant_days")
        if isinstance(days, int):
            summary.oldest_days = max(days, summary.oldest_days or 0)
        if money.costs is None:
            continue
        found = money.costs.lookup(str(item["arn"]))
        if found is None:
            continue
        matched.add(found[0])
        if annotated["verdict"] in NON_COMPLIANT:
            unit = (str(item["account_id"]), str(item["region"]))
            summary.units[unit] += found[1].daily
            summary.types[(*unit, str(item["type"]))] += found[1].daily
    if money.costs is not None:
        summary.unscanned = money.costs.unscanned(matched, accounts, regions)
    return summary


def fix_first(findings: Iterable[Mapping[str, Any]], limit: int | None = None) -> list[Mapping[str, Any]]:
    """Non-compliant resources, most daily spend first, then longest non-compliant (unknown
    last); ties keep the report's order. ``limit`` keeps only the first N (memory bounded by N)."""
    keyed = (
        (_fix_order(finding), index, finding)
        for index, finding in enumerate(findings)
        if finding.get("verdict") in NON_COMPLIANT
    )
    chosen = heapq.nsmallest(limit, keyed) if limit is not None else sorted(keyed)
    return [finding for _, _, finding in chosen]


def _fix_order(finding: Mapping[str, Any]) -> tuple[float, int]:
    cost = finding.get("cost")
    daily = cost.get("daily") if isinstance(cost, Mapping) else None
    days = finding.get("noncompliant_days")
    known_days = days if isinstance(days, int) and not isinstance(days, bool) else -1
    return (-(float(daily) if isinstance(daily, int | float) else -1.0), -known_days)


def money_text(amount: float, currency: str | None = "USD") -> str:
    """An amount for people: ``$1,234.56`` in USD, ``1,234.56 EUR`` otherwise (no currency
    known: the number alone, never a guessed symbol)."""
    if currency == "USD":
        return f"${amount:,.2f}"
    return f"{amount:,.2f} {currency}" if currency else f"{amount:,.2f}"
