"""The report in each format of docs/contracts.md by name: table, json, csv or html.

Above report.py and its views (html_report.py, console.py), which all read report.py: the
dispatch lives here so that report.py imports none of them (tests/unit/test_import_cycles.py).
"""

from __future__ import annotations

from typing import IO

from maptag.sinks.html_report import write_html
from maptag.sinks.report import ScanReport, write_csv, write_json


def write_table(report: ScanReport, out: IO[str]) -> None:
    # rich is the CLI's: the Lambda functions write json and html only and never load it
    from maptag.console import print_report

    print_report(report, out)


WRITERS = {"table": write_table, "json": write_json, "csv": write_csv, "html": write_html}


def write_report(report: ScanReport, report_format: str, out: IO[str]) -> None:
    """The report in one of the formats of docs/contracts.md: table, json, csv or html."""
    WRITERS[report_format](report, out)
