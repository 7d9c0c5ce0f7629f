"""The CLI's console plumbing: a progress bar per unit on stderr, `note` lines, the colour and
quiet settings, and tables fitted to the terminal's width (the report's tables: report/table.py).

Progress goes to stderr, only on a terminal and only for the table format (docs/contracts.md, "CLI").
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal, cast

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from maptag.model import ScanUnit

if TYPE_CHECKING:
    from maptag.scan import UnitResult

# Not a terminal: wide enough that no column is cut (the table keeps its natural width).
FILE_WIDTH = 240


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


TABLE_STYLE: dict[str, Any] = {
    "title_justify": "left",
    "title_style": "bold",
    "box": box.SIMPLE_HEAD,
    "show_edge": False,
    "pad_edge": False,
}
