"""The terminal view of a scan: a progress bar per unit, then coverage tables (rich).

Progress is shown only on a terminal and only for the table format (design.md, "CLI").
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from maptag.coverage import Totals
from maptag.model import ScanUnit

if TYPE_CHECKING:
    from maptag.scan import UnitResult
    from maptag.sinks.report import ScanReport


class UnitProgress:
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
    def __init__(self, enabled: bool, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stderr
        self._enabled = enabled and self._stream.isatty()

    @contextmanager
    def progress(self, units: Sequence[ScanUnit]) -> Iterator[UnitProgress]:
        if not self._enabled:
            yield UnitProgress(None, units)
            return
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[found]} resources"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(file=self._stream), transient=False) as bar:
            yield UnitProgress(bar, units)

    def table(self, report: ScanReport, out: IO[str]) -> None:
        console = Console(file=out, width=None if out.isatty() else 120)
        console.print(_totals_table("Coverage by unit", [(r.unit.key, r.totals, r) for r in report.units]))
        console.print(_totals_table("Coverage by type", [(n, t, None) for n, t in report.by_type.items()]))
        totals = report.totals
        console.print(
            f"Overall: {_percent(totals)} — {totals.compliant}/{totals.in_scope} in scope tagged, "
            f"{totals.excluded} excluded, {len(report.failed_units)} unit(s) failed"
        )


def _percent(totals: Totals) -> str:
    coverage = totals.coverage_percent
    return "n/a" if coverage is None else f"{int(coverage * 100) / 100:.2f} %"


def _totals_table(title: str, rows: list[tuple[str, Totals, UnitResult | None]]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("", "coverage", "in scope", "compliant", "missing", "near-miss key",
                   "invalid value", "unreadable", "excluded"):  # fmt: skip
        table.add_column(column, justify="left" if not column else "right")
    for name, t, result in rows:
        label = f"{name} [red](failed)[/red]" if result is not None and result.failed else name
        table.add_row(
            label, _percent(t), str(t.in_scope), str(t.compliant), str(t.missing), str(t.near_miss_key),
            str(t.invalid_value), str(t.unreadable), str(t.excluded),
        )  # fmt: skip
    return table
