"""The report's JSON and CSV files (docs/contracts.md, "Report schema"), written resource by resource."""

from __future__ import annotations

import csv
import json
from typing import IO, Any

from maptag.report.model import ScanReport


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
    # since-when and spend (docs/costs.md): empty when unknown or off
    "noncompliant_since",
    "noncompliant_days",
    "daily_spend",
    "currency",
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
        cost = resource.get("cost") or {}
        row = {
            **resource,
            "observed_key": observed["key"],
            "observed_value": observed["value"],
            "daily_spend": cost.get("daily"),
            "currency": cost.get("currency"),
        }
        writer.writerow([csv_cell(row.get(column)) for column in CSV_COLUMNS])
