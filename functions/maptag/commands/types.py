"""`maptag types [--format table|json|markdown]`: every supported resource type and how it is read."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from maptag.commands import EXIT_OK
from maptag.resources.catalog import describe, markdown
from maptag.resources.declarations import TYPES


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "types",
        help="every supported resource type: DB&A or not, how it is listed and read, IAM, Security Hub",
    )
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    rows = [describe(rtype) for rtype in sorted(TYPES, key=lambda t: t.name)]
    if args.format == "json":
        json.dump({"types": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        sys.stdout.write(markdown())
    else:
        _table(rows)
    return EXIT_OK


def _table(rows: list[dict[str, Any]]) -> None:
    from rich.text import Text

    from maptag.console import TABLE_STYLE, Column, fitted_table, make_console

    console = make_console(sys.stdout)
    # Least useful first out when the terminal is narrow; every column: --format json or markdown.
    columns = [
        Column("type"),
        Column("DB&A", drop=2),
        Column("listed by", wrap="free"),
        Column("tags read by", drop=1, wrap="free"),
        Column("IAM actions", drop=3, wrap="free"),
    ]
    cells = [
        [
            Text(row["type"]),
            Text("yes" if row["dba"] else ""),
            Text(row["listed_by"]),
            Text(row["tags_read_by"]),
            Text(", ".join(row["iam_actions"])),
        ]
        for row in rows
    ]
    console.print(fitted_table(console, columns, cells, title=f"{len(rows)} resource types", **TABLE_STYLE))
