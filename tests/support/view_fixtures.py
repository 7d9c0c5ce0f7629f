"""A scan report carrying the optional cost and "since" fields of docs/contracts.md, for the
views' tests (terminal and browser): rows through a finding source (the spool's role), the
totals' spend through a header that adds them, as the cost sink's data will."""

from __future__ import annotations

import random
from collections.abc import Generator
from datetime import UTC, datetime
from typing import Any

from maptag.model import ScanUnit, Verdict
from maptag.policy import Policy
from maptag.report.model import ScanReport
from maptag.scan import UnitResult

HOSTILE = "\"><img src=x onerror=alert(1)><script>alert('x')</script>"
UNITS = [ScanUnit(account, region) for account in ("123456789012", "210987654321")
         for region in ("us-east-1", "eu-west-1")]  # fmt: skip
TYPES = {"ec2:volume": "volume/vol-", "ec2:instance": "instance/i-", "ec2:snapshot": "snapshot/snap-"}
FIX = "add tag map-migrated=mig12345"


class Rows:
    """A finding source over prepared report rows (the role the spool plays for a scan)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def read(self, units: list[ScanUnit]) -> Generator[dict[str, Any], None, None]:
        for unit in units:
            yield from (
                r for r in self.rows if (r["account_id"], r["region"]) == (unit.account_id, unit.region)
            )


class CostedReport(ScanReport):
    """A report whose totals carry the spend fields the cost sink adds."""

    def header(self) -> dict[str, Any]:
        header = super().header()
        rows = list(self.spool.read([u.unit for u in self.units]))
        daily = sum(
            r["cost"]["daily"]
            for r in rows
            if r.get("cost") and r["verdict"] not in ("compliant", "excluded")
        )
        header["totals"]["untagged_daily_spend"] = round(daily, 2)
        header["totals"]["credits_at_risk_monthly"] = round(daily * 30 * 0.25, 2)
        header["unscanned_spend"] = [{"service": "AmazonOpenSearchService", "daily": 41.5, "currency": "USD",
                                      "resources": 3}]  # fmt: skip
        header["units"][0]["unscanned"] = {"es:domain": 3}
        header["units"][0]["skipped_types"] = [
            {"type": "ec2:natgateway", "reason": "not offered in this region"}
        ]
        return header


def row(unit: ScanUnit, rtype: str, n: int, verdict: str, daily: float, days: int | None) -> dict[str, Any]:
    resource_id = f"{TYPES[rtype]}{random.Random(f'{unit}{n}').getrandbits(68):017x}"
    arn = f"arn:aws:ec2:{unit.region}:{unit.account_id}:{resource_id}"
    fixes = {"missing": FIX, "invalid_value": "set map-migrated to 'mig12345'", "excluded": None}
    return {
        "arn": arn, "account_id": unit.account_id, "region": unit.region, "type": rtype, "verdict": verdict,
        "reason": "older than the agreement" if verdict == "excluded" else f"no 'map-migrated' tag {HOSTILE}",
        "observed": {"key": None, "value": None}, "parent": None, "fix": fixes.get(verdict, FIX),
        "created": "2026-09-01T00:00:00+00:00",
        "cost": {"daily": daily, "currency": "USD", "days": 14, "source": "cur"},
        "noncompliant_since": None if days is None else "2026-10-01T00:00:00Z", "noncompliant_days": days,
    }  # fmt: skip


def costed_report() -> ScanReport:
    """240 resources in 2 accounts × 2 regions; the costliest to fix (25.00 a day) is the 4th."""
    chance = random.Random(7)
    rows: list[dict[str, Any]] = []
    for unit in UNITS:
        for n in range(60):
            verdict = chance.choice(
                ["compliant", "compliant", "missing", "missing", "invalid_value", "excluded"]
            )
            days = chance.choice([None, chance.randint(1, 90)])
            rows.append(
                row(unit, chance.choice(list(TYPES)), n, verdict, round(chance.uniform(0.05, 9.0), 2), days)
            )
    # The costliest resource: 25.00 a day, so it is the first row to fix.
    rows[3] |= {"verdict": "missing", "fix": FIX, "cost": {"daily": 25.0, "currency": "USD", "days": 14,
                                                           "source": "cur"}}  # fmt: skip
    results = [_recount(unit, rows) for unit in UNITS]
    policy = Policy.build(mpe_ids=["12345"], regions=["us-east-1", "eu-west-1"])
    return CostedReport(policy=policy, units=results, spool=Rows(rows),
                        generated_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # fmt: skip


def _recount(unit: ScanUnit, rows: list[dict[str, Any]]) -> UnitResult:
    counts: dict[tuple[str, Verdict], int] = {}
    for r in rows:
        if (r["account_id"], r["region"]) == (unit.account_id, unit.region):
            key = (r["type"], Verdict(r["verdict"]))
            counts[key] = counts.get(key, 0) + 1
    return UnitResult(unit, "ok", None, counts)
