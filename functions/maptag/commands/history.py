"""`maptag history`: MAP tag coverage over time, from the deployed table or a local file.

    maptag history [--table NAME | --file PATH] [--account A] [--region R] [--type T]
                   [--runs N] [--format table|json]

Without --table or --file it reads the local file ($MAPTAG_HISTORY_FILE, else
~/.maptag/history.jsonl), written by `maptag scan --publish history`. The table is reached
through the standard chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL...).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from maptag.commands import EXIT_OK, UsageError, warn
from maptag.policy import ACCOUNT_ID, REGION_NAME
from maptag.sinks.history import FILE_VARIABLE, CoverageRow, HistoryError, Scope, default_file

if TYPE_CHECKING:
    from rich.text import Text

FORMATS = ("table", "json")
MAX_RUNS = 1000
SPARKS = "▁▂▃▄▅▆▇█"
_TYPE = re.compile(r"[a-z0-9-]+:[A-Za-z0-9-]+")  # autoscaling:autoScalingGroup, backup:recoveryPoint
_TABLE = re.compile(r"[A-Za-z0-9_.-]{3,255}")


def register(commands: Any) -> None:
    history = commands.add_parser(
        "history",
        help="MAP tag coverage over time (deployed history table or local file)",
        description="Print MAP tag coverage per run, oldest first, with the trend.",
    )
    source = history.add_mutually_exclusive_group()
    source.add_argument("--table", metavar="NAME", help="the deployed DynamoDB history table")
    source.add_argument(
        "--file",
        type=Path,
        metavar="PATH",
        help=f"a local history file (default: ${FILE_VARIABLE} or ~/.maptag/history.jsonl)",
    )
    history.add_argument("--account", metavar="ID", help="one account (12 digits)")
    history.add_argument("--region", metavar="NAME", help="one region, e.g. us-east-1")
    history.add_argument("--type", dest="rtype", metavar="TYPE", help="one resource type, e.g. ec2:volume")
    history.add_argument("--runs", default="20", metavar="N", help="how many recent runs (default 20)")
    history.add_argument("--format", default="table", metavar="FORMAT", help="table (default) or json")
    history.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    scope, runs = _validated(args)
    store = _store(args)
    try:
        rows = store.trend(scope, runs)
    except HistoryError as error:
        raise UsageError(str(error)) from None
    rows.reverse()  # oldest first: time runs down the table
    if args.rtype:
        rows = [row.for_type(args.rtype) for row in rows]
    if args.format == "json":
        json.dump(_json(rows, scope, store.where, args.rtype), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif not rows:
        print(f"maptag: no history for {scope.label} in {store.where}", file=sys.stderr)
    else:
        print_trend(rows, scope, store.where, args.rtype, sys.stdout)
    return EXIT_OK


def _validated(args: argparse.Namespace) -> tuple[Scope, int]:
    if args.account is not None and not ACCOUNT_ID.fullmatch(args.account):
        raise UsageError(f"--account: {args.account!r} is not a 12-digit AWS account id")
    if args.region is not None and not REGION_NAME.fullmatch(args.region):
        raise UsageError(f"--region: {args.region!r} is not an AWS region name such as us-east-1")
    if args.rtype is not None and not _TYPE.fullmatch(args.rtype):
        raise UsageError(f"--type: {args.rtype!r} is not a resource type such as ec2:volume")
    if args.table is not None and not _TABLE.fullmatch(args.table):
        raise UsageError(f"--table: {args.table!r} is not a DynamoDB table name")
    if args.format not in FORMATS:
        raise UsageError(f"--format: unknown format {args.format!r} (known: {', '.join(FORMATS)})")
    try:
        runs = int(args.runs)
    except ValueError:
        raise UsageError(f"--runs: {args.runs!r} is not a number") from None
    if not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"--runs: {runs} is not between 1 and {MAX_RUNS}")
    return Scope(args.account, args.region), runs


def _store(args: argparse.Namespace) -> Any:
    from maptag.sinks.history import DynamoHistory, FileHistory

    if args.table is not None:
        import boto3

        # As `maptag scan` does: AWS_REGION (the SDKs' newer name) when botocore finds none.
        session = boto3.Session()
        region = session.region_name or os.environ.get("AWS_REGION")
        try:
            return DynamoHistory(args.table, session=session, region=region)
        except HistoryError as error:
            raise UsageError(str(error)) from None
    path: Path = args.file or default_file()
    if not path.exists():
        hint = "" if args.file else " (run `maptag scan --publish history` first, or pass --table NAME)"
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
