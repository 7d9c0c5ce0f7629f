"""The terminal view of a scan: a progress bar per unit, then the findings and coverage tables.

Progress goes to stderr, only on a terminal and only for the table format (docs/contracts.md, "CLI").
Every value from AWS is put in a rich Text, so a tag value can never act as markup or a
terminal escape sequence.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from maptag.coverage import Totals
from maptag.model import ScanUnit, Verdict
from maptag.money import money_text
from maptag.sinks.report import COUNT_COLUMNS, money_line, overall_line

if TYPE_CHECKING:
    from maptag.scan import UnitResult
    from maptag.sinks.report import ScanReport

# The table shows the first findings; the other formats list them all.
FINDINGS_SHOWN = 20
# Not a terminal: wide enough that no column is cut (the table keeps its natural width).
FILE_WIDTH = 240
VERDICT_STYLE = {
    Verdict.MISSING.value: "red",
    Verdict.NEAR_MISS_KEY.value: "yellow",
    Verdict.INVALID_VALUE.value: "magenta",
    Verdict.UNREADABLE.value: "bold red",
}


class UnitProgress:
    """One progress bar per unit (or nothing, when progress is off)."""

    def __init__(self, progress: Progress | None, units: Sequence[ScanUnit]) -> None:
        self._progress = progress
        self._tasks = {}
        if progress is not None:
            self._tasks = {unit: progress.add_task(unit.key, total=None, found=0) for unit in units}

    def update(self, unit: ScanUnit, evaluated: int) -> None:
        if self._progress is not None:
            self._progress.update(self._tasks[unit], found=evaluated)

    def finish(self, result: UnitResult) -> None:
        if self._progress is not None:
            status = "[red]failed" if result.failed else "[green]done"
            task = self._tasks[result.unit]
            self._progress.update(task, total=1, completed=1, description=f"{result.unit.key} {status}")


class ScanConsole:
    """Progress bars on stderr, when asked for and stderr is a terminal."""

    def __init__(self, enabled: bool, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stderr
        self.enabled = enabled and self._stream.isatty()

    @contextmanager
    def progress(self, units: Sequence[ScanUnit]) -> Iterator[UnitProgress]:
        if not self.enabled:
            yield UnitProgress(None, units)
            return
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[found]} resources"),
            TimeElapsedColumn(),
        )
        console = Console(file=self._stream, force_terminal=True)
        with Progress(*columns, console=console, transient=False) as bar:
            yield UnitProgress(bar, units)

    def table(self, report: ScanReport, out: IO[str]) -> None:
        print_report(report, out)


def print_report(report: ScanReport, out: IO[str]) -> None:
    """Findings (the first few), coverage by unit and by type, then the overall line."""
    console = Console(file=out, width=None if out.isatty() else FILE_WIDTH)
    totals = report.totals
    findings = _findings_table(report, totals)
    if findings is not None:
        console.print(findings)
    for table in (_units_table(report), _types_table(report)):
        # A terminal too narrow for every count gets the whole table (it wraps), never a cut one.
        needed = Measurement.get(console, console.options.update(max_width=FILE_WIDTH), table).minimum
        console.print(table, width=max(needed, console.width), crop=False)
    for failed in report.failed_units:
        console.print(Text(f"Unit {failed.unit.key} failed: {failed.error}", style="bold red"))
    money = money_line(report)
    if money is not None:
        console.print(Text(money))
    console.print(Text(overall_line(report)))


def _counts_table(title: str, labels: Sequence[tuple[str, int]]) -> Table:
    # No vertical rules and one space between columns: both tables fit 100 columns.
    table = Table(
        title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, padding=0, show_edge=False
    )
    for label, width in labels:
        # Labels are never cut: they keep their full width; the count headers wrap instead.
        table.add_column(label, no_wrap=True, min_width=width)
    table.add_column("coverage", justify="right", no_wrap=True)
    for header, _ in COUNT_COLUMNS:
        table.add_column(header, justify="right", min_width=max(len(word) for word in header.split()))
    return table


def _counts(totals: Totals) -> list[Text]:
    cells = [Text(totals.coverage_text)]
    for _, name in COUNT_COLUMNS:
        value = totals.in_scope if name == "in_scope" else getattr(totals, name)
        style = VERDICT_STYLE.get(name, "") if value else "dim"
        cells.append(Text(str(value), style=style))
    return cells


def _units_table(report: ScanReport) -> Table:
    accounts = [r.unit.account_id for r in report.units]
    regions = [r.unit.region + (" failed" if r.failed else "") for r in report.units]
    table = _counts_table(
        "Coverage by account and region",
        [("account", _widest(accounts, "account")), ("region", _widest(regions, "region"))],
    )
    for result in report.units:
        # A failed unit's numbers are partial: its label says so (the error is printed below).
        region = Text(result.unit.region)
        if result.failed:
            region.append(" failed", style="bold red")
        table.add_row(Text(result.unit.account_id), region, *_counts(result.totals))
    return table


def _types_table(report: ScanReport) -> Table:
    by_type = report.by_type
    table = _counts_table("Coverage by resource type", [("type", _widest(list(by_type), "type"))])
    for name, totals in by_type.items():
        table.add_row(Text(name), *_counts(totals))
    return table


def _findings_table(report: ScanReport, totals: Totals) -> Table | None:
    if totals.non_compliant == 0:
        return None
    shown = min(totals.non_compliant, FINDINGS_SHOWN)
    more = totals.non_compliant - shown
    caption = f"{more} more: see --format csv, json or html for all" if more else None
    money = report.money
    costs = money is not None and money.costs is not None
    dated = money is not None and money.ledger.prior is not None
    table = Table(
        # fix first: most spend a day, then longest non-compliant (docs/costs.md)
        title=f"Resources to fix ({totals.non_compliant}), fix first",
        title_justify="left",
        title_style="bold",
        caption=caption,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("resource", overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column("reason", overflow="fold")
    table.add_column("fix", overflow="fold")
    if costs:
        table.add_column("a day", justify="right", no_wrap=True)
    if dated:
        table.add_column("days", justify="right", no_wrap=True)
    for row in report.fix_first(shown):
        verdict = str(row["verdict"])
        cells = [
            Text(str(row["arn"])),
            Text(verdict, style=VERDICT_STYLE.get(verdict, "")),
            Text(str(row["reason"])),
            Text(str(row.get("fix") or "")),
        ]
        if costs:
            cost = row.get("cost")
            cells.append(Text(money_text(cost["daily"], cost["currency"]) if cost else "-"))
        if dated:
            days = row.get("noncompliant_days")
            cells.append(Text("?" if days is None else str(days)))
        table.add_row(*cells)
    return table


def _widest(values: Sequence[str], header: str) -> int:
    return max([len(header), *(len(value) for value in values)])
