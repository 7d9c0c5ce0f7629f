"""The report in each format of docs/contracts.md by name: table, json, csv or html.

Above model.py and its formats (json_csv.py, html.py, table.py), which all read model.py: the
dispatch lives here so that model.py imports none of them (tests/unit/test_import_cycles.py).
"""

from __future__ import annotations

from typing import IO

from maptag.report.html import write_html
from maptag.report.json_csv import write_csv, write_json
from maptag.report.model import ScanReport


def write_table(report: ScanReport, out: IO[str]) -> None:
    # rich is the CLI's: the Lambda functions write json and html only and never load it
    from maptag.report.table import print_report

    print_report(report, out)


WRITERS = {"table": write_table, "json": write_json, "csv": write_csv, "html": write_html}


def write_report(report: ScanReport, report_format: str, out: IO[str]) -> None:
    """The report in one of the formats of docs/contracts.md: table, json, csv or html."""
    WRITERS[report_format](report, out)
