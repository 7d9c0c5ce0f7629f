"""The scan report (`maptag/scan-report@1`): its model, the finding spool and its summary lines.

Findings are spooled to disk as they stream in (one JSON line each, per unit), so memory
stays flat however large the estate; the writers (json_csv.py, html.py, table.py) read them
back one at a time.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from maptag.coverage import Totals
from maptag.model import Finding, ScanUnit
from maptag.money import Money, Summary, fix_first, money_text
from maptag.policy import Policy
from maptag.scan import UnitResult

SCHEMA = "maptag/scan-report@1"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schemas" / "scan-report-1.schema.json"


class FindingSource(Protocol):
    """Where a report's findings are read back from, unit by unit, in the order given."""

    def read(self, units: list[ScanUnit]) -> Generator[dict[str, Any], None, None]: ...


class FindingSpool:
    """Per-unit JSON-lines files in a temporary directory, read back in unit order."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="maptag-spool-")
        self._files: dict[ScanUnit, IO[str]] = {}
        self._lock = threading.Lock()

    def writer(self, unit: ScanUnit) -> Any:
        with self._lock:
            name = f"{unit.account_id}-{unit.region}.jsonl"
            handle = open(Path(self._dir.name) / name, "w", encoding="utf-8")  # noqa: SIM115
            self._files[unit] = handle

        def write(finding: Finding) -> None:
            handle.write(json.dumps(finding.to_report(), separators=(",", ":")) + "\n")

        return write

    def read(self, units: list[ScanUnit]) -> Generator[dict[str, Any], None, None]:
        for unit in units:
            handle = self._files.get(unit)
            if handle is None:
                continue
            handle.flush()
            with open(handle.name, encoding="utf-8") as lines:
                for line in lines:
                    yield json.loads(line)

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._dir.cleanup()


@dataclass
class ScanReport:
    policy: Policy
    units: list[UnitResult]
    # a FindingSpool in the CLI; the deployed publish step reads the run's S3 shards
    spool: FindingSource
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # since-when and spend (docs/costs.md); None: the report carries neither
    money: Money | None = None
    # earlier runs' (date, coverage %), oldest first, for the HTML trend line; None: the HTML
    # reads the local history file (the deployed publish sets it from the history table)
    trend: list[tuple[str, float]] | None = None

    def __post_init__(self) -> None:
        self.units = sorted(self.units, key=lambda r: (r.unit.account_id, r.unit.region))

    @property
    def totals(self) -> Totals:
        return Totals.sum(result.totals for result in self.units)

    @property
    def by_type(self) -> dict[str, Totals]:
        names = sorted({name for result in self.units for name in result.by_type})
        return {name: Totals.sum(r.by_type[name] for r in self.units if name in r.by_type) for name in names}

    @property
    def failed_units(self) -> list[UnitResult]:
        return [result for result in self.units if result.failed]

    def resources(self) -> Generator[dict[str, Any], None, None]:
        items = self.spool.read([result.unit for result in self.units])
        if self.money is None:
            return items
        return (self.money.annotate(item) for item in items)

    def money_summary(self) -> Summary | None:
        """Untagged spend per unit and type, unscanned spend, the oldest leak (one pass, kept)."""
        if self.money is None:
            return None
        accounts = {r.unit.account_id for r in self.units}
        regions = {r.unit.region for r in self.units}
        return self.money.summary(self.spool.read([r.unit for r in self.units]), accounts, regions)

    def fix_first(self, limit: int | None = None) -> list[Any]:
        """Non-compliant resources, most daily spend first, then longest non-compliant."""
        return fix_first(self.resources(), limit)

    def header(self) -> dict[str, Any]:
        """Everything of the JSON report but the resources."""
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "generated_at": self.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "policy": self.policy.to_report(),
            "totals": self.totals.to_report(),
            "types": {name: totals.to_report() for name, totals in self.by_type.items()},
            "units": [result.to_report() for result in self.units],
        }
        # the summary is a pass over every finding: only when there is spend to add
        summary = self.money_summary() if self.money is not None and self.money.costs is not None else None
        if self.money is not None and summary is not None:
            spend = self.money.spend_fields
            out["totals"].update(spend(summary.total))
            by_type = summary.by_type()
            for name, totals in out["types"].items():
                totals.update(spend(by_type.get(name, 0.0)))
            for unit in out["units"]:
                key = (unit["account_id"], unit["region"])
                unit.update(spend(summary.units.get(key, 0.0)))
                for name, totals in unit["types"].items():
                    totals.update(spend(summary.types.get((*key, name), 0.0)))
            out["unscanned_spend"] = summary.unscanned
        return out


# The counts every human-readable view shows, in this order: (label, Totals attribute).
COUNT_COLUMNS = (
    ("in scope", "in_scope"),
    ("compliant", "compliant"),
    ("missing", "missing"),
    ("near-miss key", "near_miss_key"),
    ("invalid value", "invalid_value"),
    ("unreadable", "unreadable"),
    ("excluded", "excluded"),
)


def overall_line(report: ScanReport) -> str:
    """The one-line summary the table, the HTML report and the demo end with."""
    totals = report.totals
    failed = len(report.failed_units)
    return (
        f"Overall: {totals.coverage_text} coverage: {totals.compliant} of {totals.in_scope} in-scope "
        f"resources tagged correctly, {totals.non_compliant} to fix, {totals.excluded} excluded, "
        f"{failed} of {len(report.units)} unit(s) failed"
    )


def money_line(report: ScanReport) -> str | None:
    """The headline's money half: untagged spend a day (and credits at risk), the oldest leak,
    or that since-when is unknown without history; None for a report without either view."""
    if report.money is None:
        return None
    if report.money.costs is None and report.money.ledger.prior is None:
        return "Since when: unknown (no history: scan with --publish history to start one)"
    summary = report.money_summary()
    if summary is None:
        return None
    parts = []
    costs = report.money.costs
    if costs is not None:
        spend = f"Untagged spend: {money_text(summary.total, costs.currency)} a day"
        rate = report.money.credit_rate
        if rate is not None:
            at_risk = report.money.spend_fields(summary.total)["credits_at_risk_monthly"]
            spend += f", {money_text(at_risk, costs.currency)} of MAP credits a month at risk ({rate:g} %)"
        parts.append(spend)
        if summary.unscanned:
            blind = sum(float(str(row["daily"])) for row in summary.unscanned)
            top = summary.unscanned[0]["service"]
            parts.append(
                f"{money_text(blind, costs.currency)} a day on resources maptag does not scan (most: {top})"
            )
    if report.money.ledger.prior is not None:
        oldest = summary.oldest_days
        parts.append("oldest leak: " + ("none" if oldest is None else f"{oldest} day(s)"))
    else:
        parts.append("since when: unknown (no history: scan with --publish history to start one)")
    return "; ".join(parts)
