"""The terminal view of a scan: a progress bar per unit, then the findings and coverage tables.

Progress goes to stderr, only on a terminal and only for the table format (docs/contracts.md, "CLI").
Every value from AWS is put in a rich Text, so a tag value can never act as markup or a
terminal escape sequence.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal, cast

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from maptag.coverage import Totals
from maptag.model import ScanUnit, Verdict
from maptag.resources.inventory import NOTE
from maptag.sinks.report import COUNT_COLUMNS, money_line, overall_line
from maptag.views import daily_cost, days_noncompliant, fix_first, money, short_id

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
        console = Console(file=self._stream, force_terminal=True, no_color=not Settings.color or None)
        with Progress(*columns, console=console, transient=False) as bar:
            yield UnitProgress(bar, units)

    def table(self, report: ScanReport, out: IO[str]) -> None:
        print_report(report, out)


def print_report(report: ScanReport, out: IO[str]) -> None:
    """Findings (fix first), coverage by unit and by type, then the overall line."""
    console = make_console(out)
    header = report.header()
    findings = _findings_table(report, report.totals, console, header)
    if findings is not None:
        console.print(findings)
    for table in (_units_table(report, console), _types_table(report, console)):
        if findings is not None or table.title != "Coverage by account and region":
            console.print()
        console.print(table)
    for failed in report.failed_units:
        console.print(Text(f"Unit {failed.unit.key} failed: {failed.error}", style="bold red"))
    headline = money_line(report)
    # A report read back from its JSON carries the spend as fields only.
    for line in [headline] if headline is not None else spend_lines(header):
        console.print(Text(line))
    for line in coverage_notes(header):
        console.print(Text(line))
    console.print(Text(overall_line(report)))


def spend_lines(header: Mapping[str, Any]) -> list[str]:
    """Spend, credits at risk and spend on what maptag does not scan, from the report's fields."""
    currency = _currency(header)
    totals = header["totals"]
    lines = []
    spend, at_risk = totals.get(SPEND), totals.get("credits_at_risk_monthly")
    if isinstance(spend, int | float):
        risk = (
            f" · MAP credits at risk: {money(at_risk, currency)} a month"
            if isinstance(at_risk, int | float)
            else ""
        )
        lines.append(f"Untagged spend: {money(spend, currency)} a day{risk}")
    for item in header.get("unscanned_spend") or ():
        daily = item.get("daily")
        amount = money(daily, item.get("currency") or currency) if isinstance(daily, int | float) else "?"
        lines.append(
            f"Not scanned: {item.get('service')}: {amount} a day on {item.get('resources')} resource(s)"
        )
    return lines


def coverage_notes(header: Mapping[str, Any]) -> list[str]:
    """What the report could not see: types not scanned (--inventory), types skipped in a unit.

    Spend, credits at risk and since-when are the report's money line (sinks/report.py)."""
    lines = []
    for unit in header["units"]:
        where = f"{unit['account_id']}/{unit['region']}"
        unscanned = unit.get("unscanned")
        if unscanned:
            counts = ", ".join(f"{count} {name}" for name, count in unscanned.items())
            lines.append(f"Not scanned in {where} ({NOTE}): {counts}")
        for skipped in unit.get("skipped_types") or ():
            lines.append(f"Skipped: {where}: {skipped.get('type')}: {skipped.get('reason')}")
    return lines


# --- fitting the terminal -----------------------------------------------------------------


class Settings:
    """How every console looks; `maptag --no-color` (or NO_COLOR) turns colour off, and
    `--quiet` leaves stderr to errors."""

    color = True
    quiet = False


def note(line: str) -> None:
    """An informational line on stderr (`maptag: wrote …`), unless --quiet."""
    if not Settings.quiet:
        print(line, file=sys.stderr)


def make_console(out: IO[str]) -> Console:
    """A console for `out`: a terminal's own width (or $COLUMNS); a file or pipe gets wide lines
    that are never padded with trailing spaces."""
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else None
    tty = out.isatty()
    target = out if tty else cast(IO[str], _Trimmed(out))
    no_color = True if not Settings.color or os.environ.get("NO_COLOR") else None
    return Console(file=target, width=width or (None if tty else FILE_WIDTH), no_color=no_color)


class _Trimmed(io.TextIOBase):
    """Writes whole lines to `out` without their trailing spaces (rich pads to the table width)."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._pending = ""

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._out.write(line.rstrip(" ") + "\n")
        return len(text)

    def flush(self) -> None:
        self._out.flush()

    def isatty(self) -> bool:
        return False


@dataclass(frozen=True)
class Column:
    """A table column. `drop` 0: always shown; higher numbers are dropped first when the
    terminal is too narrow. `wrap`: "free" (prose, wraps between words), "last" (kept on one
    line unless nothing else is left to drop), "header" (values on one line, the header's
    words stacked when that makes it fit) or "never"; a word is never split."""

    header: str
    drop: int = 0
    justify: Literal["left", "right"] = "left"
    wrap: Literal["free", "last", "header", "never"] = "never"


def fitted_table(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[Text]], **table: Any
) -> Table:
    """The table with its lowest-priority columns dropped until it fits the console unwrapped."""
    keep = list(range(len(columns)))
    droppable = sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: (-columns[i].drop, -i))
    while True:
        for stacked in (False, True):
            built = _table(columns, keep, rows, table, wrapping=("free",), stacked=stacked)
            if _width(console, built) <= console.width:
                return built
        if not droppable:
            return _table(columns, keep, rows, table, wrapping=("free", "last"), stacked=True)
        keep.remove(droppable.pop(0))


def _table(
    columns: Sequence[Column],
    keep: list[int],
    rows: Sequence[Sequence[Text]],
    table: Any,
    wrapping: tuple[str, ...],
    stacked: bool,
) -> Table:
    built = Table(**table)
    for index in keep:
        column = columns[index]
        wraps = column.wrap in wrapping
        header = column.header.replace(" ", "\n") if stacked and column.wrap == "header" else column.header
        # A column is never narrower than its longest word (wrapping) or value: nothing is split.
        # (Only prose wraps: rich's own narrowing of a too-wide table would crop the rest.)
        cells = [*header.splitlines(), *(row[index].plain for row in rows)]
        pieces = [word for cell in cells for word in cell.split()] if wraps else cells
        built.add_column(header, justify=column.justify, no_wrap=not wraps, min_width=max(map(len, pieces)))
    for row in rows:
        built.add_row(*(row[index] for index in keep))
    return built


def _width(console: Console, table: Table) -> int:
    return Measurement.get(console, console.options.update(max_width=10_000), table).minimum


# Which counts go first when the terminal is narrow (higher: dropped sooner).
COUNT_DROP = {"missing": 1, "near_miss_key": 2, "invalid_value": 2, "in_scope": 3, "compliant": 3,
              "unreadable": 4, "excluded": 5}  # fmt: skip
SPEND = "untagged_daily_spend"


def _counts_columns(labels: Sequence[str], with_spend: bool) -> list[Column]:
    columns = [Column(label) for label in labels]
    columns.append(Column("coverage", justify="right"))
    if with_spend:
        columns.append(Column("untagged a day", drop=1, justify="right", wrap="header"))
    columns += [Column(header, COUNT_DROP[name], "right", wrap="header") for header, name in COUNT_COLUMNS]
    return columns


def _counts(totals: Totals, part: Mapping[str, Any], currency: str | None, with_spend: bool) -> list[Text]:
    cells = [Text(totals.coverage_text)]
    if with_spend:
        spend = part.get(SPEND)
        cells.append(Text(money(spend, currency) if isinstance(spend, int | float) else "", style="red"))
    for _, name in COUNT_COLUMNS:
        value = totals.in_scope if name == "in_scope" else getattr(totals, name)
        style = VERDICT_STYLE.get(name, "") if value else "dim"
        cells.append(Text(str(value), style=style))
    return cells


TABLE_STYLE: dict[str, Any] = {
    "title_justify": "left",
    "title_style": "bold",
    "box": box.SIMPLE_HEAD,
    "show_edge": False,
    "pad_edge": False,
}


def _units_table(report: ScanReport, console: Console) -> Table:
    header = report.header()
    parts = header["units"]
    with_spend = any(SPEND in part.get("totals", {}) for part in parts)
    currency = _currency(header)
    rows = []
    for result, part in zip(report.units, parts, strict=True):
        # A failed unit's numbers are partial: its label says so (the error is printed below).
        region = Text(result.unit.region)
        if result.failed:
            region.append(" failed", style="bold red")
        counts = _counts(result.totals, part.get("totals", {}), currency, with_spend)
        rows.append([Text(result.unit.account_id), region, *counts])
    columns = _counts_columns(["account", "region"], with_spend)
    return fitted_table(console, columns, rows, title="Coverage by account and region", **TABLE_STYLE)


def _types_table(report: ScanReport, console: Console) -> Table:
    header = report.header()
    parts = header["types"]
    with_spend = any(SPEND in part for part in parts.values())
    currency = _currency(header)
    rows = [
        [Text(name), *_counts(totals, parts.get(name, {}), currency, with_spend)]
        for name, totals in report.by_type.items()
    ]
    columns = _counts_columns(["type"], with_spend)
    return fitted_table(console, columns, rows, title="Coverage by resource type", **TABLE_STYLE)


def _findings_table(
    report: ScanReport, totals: Totals, console: Console, header: Mapping[str, Any]
) -> Table | None:
    if totals.non_compliant == 0:
        return None
    with closing(report.resources()) as resources:
        first = fix_first(resources, limit=FINDINGS_SHOWN)
    more = totals.non_compliant - len(first)
    with_cost = any(daily_cost(row) is not None for row in first)
    with_days = any(row.get("noncompliant_days") is not None for row in first)
    columns = [
        Column("resource"),
        Column("type", drop=3),
        Column("account", drop=5),
        Column("region", drop=4),
        Column("verdict", drop=2),
        # Spend and days outlast the verdict: they say what to fix first (the fix says how).
        *([Column("a day", drop=1, justify="right")] if with_cost else []),
        *([Column("days", drop=1, justify="right")] if with_days else []),
        Column("fix", wrap="last"),
        Column("reason", drop=6, wrap="free"),
    ]
    currency = _currency(header)
    rows = []
    for row in first:
        verdict = str(row["verdict"])
        daily, days = daily_cost(row), days_noncompliant(row)
        cost = row.get("cost") or {}
        rows.append(
            [
                Text(short_id(str(row["arn"]))),
                Text(str(row["type"])),
                Text(str(row["account_id"])),
                Text(str(row["region"])),
                Text(verdict, style=VERDICT_STYLE.get(verdict, "")),
                *(
                    [Text("" if daily is None else money(daily, cost.get("currency") or currency))]
                    if with_cost
                    else []
                ),
                *([Text("?" if days is None else str(days))] if with_days else []),
                Text(str(row.get("fix") or "")),
                Text(str(row["reason"])),
            ]
        )
    order = "highest daily spend first" if with_cost else "longest non-compliant first" if with_days else ""
    notes = [f"{more} more: see --format csv, json or html for all" if more else "", order]
    caption = " · ".join(note for note in notes if note) or None
    return fitted_table(
        console,
        columns,
        rows,
        title=f"Resources to fix ({totals.non_compliant})",
        caption=caption,
        caption_justify="left",
        **TABLE_STYLE,
    )


def _currency(header: Mapping[str, Any]) -> str | None:
    """The cost data's currency, from the first resource group that states one."""
    for spend in header.get("unscanned_spend") or ():
        if isinstance(spend, Mapping) and spend.get("currency"):
            return str(spend["currency"])
    currency = header.get("totals", {}).get("currency")
    return str(currency) if currency else None
