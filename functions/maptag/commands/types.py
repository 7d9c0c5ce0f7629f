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
    from rich.console import Console
    from rich.table import Table

    # IAM actions and Security Hub types: --format json or markdown (too wide for a terminal).
    table = Table(title=f"{len(rows)} resource types", show_lines=False)
    for column in ("type", "DB&A", "listed by", "tags read by", "IAM actions"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["type"],
            "yes" if row["dba"] else "",
            row["listed_by"],
            row["tags_read_by"],
            ", ".join(row["iam_actions"]),
        )
    Console(file=sys.stdout, soft_wrap=False).print(table)
