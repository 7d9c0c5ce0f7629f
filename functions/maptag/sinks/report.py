"""The scan report (`maptag/scan-report@1`) and its file formats.

Findings are spooled to disk as they stream in (one JSON line each, per unit), so memory
stays flat however large the estate; the writers read them back one at a time.
"""

from __future__ import annotations

import csv
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
        return self.spool.read([result.unit for result in self.units])

    def header(self) -> dict[str, Any]:
        """Everything of the JSON report but the resources."""
        return {
            "schema": SCHEMA,
            "generated_at": self.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "policy": self.policy.to_report(),
            "totals": self.totals.to_report(),
            "types": {name: totals.to_report() for name, totals in self.by_type.items()},
            "units": [result.to_report() for result in self.units],
        }


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


def write_json(report: ScanReport, out: IO[str]) -> None:
    """The JSON report, written resource by resource (never the whole list in memory)."""
    header = json.dumps(report.header(), indent=2)
    out.write(header[: header.rindex("}")].rstrip() + ',\n  "resources": [')
    for index, resource in enumerate(report.resources()):
        out.write(("\n    " if index == 0 else ",\n    ") + json.dumps(resource))
    out.write("\n  ]\n}\n")


CSV_COLUMNS = (
    "account_id",
    "region",
    "type",
    "arn",
    "verdict",
    "reason",
    "observed_key",
    "observed_value",
    "fix",
    "parent",
    "created",
)


# OWASP "CSV Injection": a spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ' before a formula start (the JSON stays exact)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(report: ScanReport, out: IO[str]) -> None:
    """One row per resource (RFC 4180 quoting: commas, quotes and newlines survive); anyone who
    can tag a resource writes into these cells, so formula starts are neutralised (csv_cell)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for resource in report.resources():
        observed = resource["observed"]
        row = {**resource, "observed_key": observed["key"], "observed_value": observed["value"]}
        writer.writerow([csv_cell(row.get(column)) for column in CSV_COLUMNS])


def write_html(report: ScanReport, out: IO[str]) -> None:
    from maptag.sinks.html_report import write_html as write

    write(report, out)


def write_table(report: ScanReport, out: IO[str]) -> None:
    from maptag.console import print_report

    print_report(report, out)


WRITERS = {"table": write_table, "json": write_json, "csv": write_csv, "html": write_html}


def write_report(report: ScanReport, report_format: str, out: IO[str]) -> None:
    """The report in one of the formats of docs/contracts.md: table, json, csv or html."""
    WRITERS[report_format](report, out)
