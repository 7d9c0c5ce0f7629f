"""Coverage over time: HistoryRequest → the runs, oldest first → a table or JSON (`maptag history`,
`maptag demo`).

The rows come from the deployed DynamoDB table (``table``) or a local file (``file``, default
$MAPTAG_HISTORY_FILE, else ~/.maptag/history.jsonl) written by `maptag scan --publish history`.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from maptag.app.errors import UsageError, warn
from maptag.app.exit_codes import EXIT_OK
from maptag.sinks.history import CoverageRow, HistoryError, Scope, default_file

if TYPE_CHECKING:
    from rich.text import Text

FORMATS = ("table", "json")
SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class HistoryRequest:
    """Which runs to show (every value already checked by the caller) and how."""

    scope: Scope = field(default_factory=lambda: Scope(None, None))  # every account and region
    runs: int = 20
    rtype: str | None = None
    table: str | None = None
    file: Path | None = None
    format: str = "table"


def run(request: HistoryRequest, out: IO[str]) -> int:
    store = _store(request)
    try:
        rows = store.trend(request.scope, request.runs)
    except HistoryError as error:
        raise UsageError(str(error)) from None
    rows.reverse()  # oldest first: time runs down the table
    if request.rtype:
        rows = [row.for_type(request.rtype) for row in rows]
    if request.format == "json":
        json.dump(_json(rows, request.scope, store.where, request.rtype), out, indent=2)
        out.write("\n")
    elif not rows:
        print(f"maptag: no history for {request.scope.label} in {store.where}", file=sys.stderr)
    else:
        print_trend(rows, request.scope, store.where, request.rtype, out)
    return EXIT_OK


def _store(request: HistoryRequest) -> Any:
    from maptag.sinks.history import DynamoHistory, FileHistory

    if request.table is not None:
        import boto3

        # As `maptag scan` does: AWS_REGION (the SDKs' newer name) when botocore finds none.
        session = boto3.Session()
        region = session.region_name or os.environ.get("AWS_REGION")
        try:
            return DynamoHistory(request.table, session=session, region=region)
        except HistoryError as error:
            raise UsageError(str(error)) from None
    path: Path = request.file or default_file()
    if not path.exists():
        hint = "" if request.file else " (run `maptag scan --publish history` first, or pass --table NAME)"
        raise UsageError(f"--file: no history file at {path}{hint}")
    return FileHistory(path, warn=warn)


def print_trend(rows: list[CoverageRow], scope: Scope, where: str, rtype: str | None, out: IO[str]) -> None:
    """Coverage per run, oldest first, then the trend line."""
    from rich.text import Text  # only the table format needs rich (a slow import)

    from maptag.console import TABLE_STYLE, Column, fitted_table, make_console

    console = make_console(out)
    what = f"{scope.label}, {rtype}" if rtype else scope.label
    failures_column = "unit" if scope.account_id and scope.region else "failed units"
    columns = [
        Column("scanned (UTC)"),
        Column("run", drop=9),
        Column("coverage", justify="right"),
        Column("change", drop=2, justify="right"),
        Column("tagged", drop=1, justify="right"),
        Column("missing", drop=3, justify="right"),
        Column("near-miss", drop=5, justify="right"),
        Column("invalid", drop=5, justify="right"),
        Column("unreadable", drop=6, justify="right"),
        Column(failures_column, drop=4, justify="right"),
    ]
    table_rows = []
    previous: float | None = None
    for row in rows:
        t = row.totals
        coverage = row.coverage_percent
        if failures_column == "unit":
            failures = Text("failed", style="red") if row.failed_units else Text("ok")
        else:
            failures = Text(str(row.failed_units), style="red" if row.failed_units else "")
        table_rows.append([
            Text(row.scanned_at.replace("T", " ")[:16]), Text(row.run_id), Text(_percent(coverage)),
            _change(previous, coverage), Text(f"{t.compliant}/{t.in_scope}"), Text(str(t.missing)),
            Text(str(t.near_miss_key)), Text(str(t.invalid_value)), Text(str(t.unreadable)), failures,
        ])  # fmt: skip
        if coverage is not None:
            previous = coverage
    title = f"MAP tag coverage: {what}"
    console.print(fitted_table(console, columns, table_rows, title=title, **TABLE_STYLE))
    console.print(Text(f"from {where}", style="dim"))
    console.print(trend_line(rows))


def trend_line(rows: list[CoverageRow]) -> str:
    """`Trend: ▁▃▆█ 42.00 % → 87.50 % (↑ 45.50 points over 4 runs)`; gaps for n/a runs."""
    values = [row.coverage_percent for row in rows]
    known = [v for v in values if v is not None]
    if not known:
        return "Trend: n/a (nothing in scope in these runs)"
    spark = "".join(
        " " if v is None else SPARKS[min(int(v / 100 * len(SPARKS)), len(SPARKS) - 1)] for v in values
    )
    first, last = known[0], known[-1]
    delta = last - first
    arrow = "↑" if delta > 0 else "↓" if delta < 0 else "→"
    return (
        f"Trend: {spark} {_percent(first)} → {_percent(last)} "
        f"({arrow} {abs(delta):.2f} points over {len(rows)} run(s))"
    )


def _json(rows: list[CoverageRow], scope: Scope, where: str, rtype: str | None) -> dict[str, Any]:
    return {
        "scope": {"account_id": scope.account_id, "region": scope.region, "type": rtype},
        "source": where,
        "runs": [row.to_report() for row in rows],
    }


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} %"


def _change(previous: float | None, current: float | None) -> Text:
    from rich.text import Text

    if previous is None or current is None:
        return Text("")
    delta = current - previous
    if abs(delta) < 0.005:
        return Text("=")
    return Text(f"{'+' if delta > 0 else '-'}{abs(delta):.2f}", style="green" if delta > 0 else "red")
