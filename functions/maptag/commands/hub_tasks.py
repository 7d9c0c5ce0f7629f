"""`maptag hub tasks [--stream NAME]`: a stream's migration tasks, as the console lists them (app/hub.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from maptag.migration_hub.names import DEFAULT_STREAM


def register_tasks(subcommands: Any) -> None:
    tasks = subcommands.add_parser(
        "tasks",
        help="list a progress update stream's migration tasks (status, progress, detail, last update)",
    )
    tasks.add_argument("--stream", default=DEFAULT_STREAM, metavar="NAME", help=f"default: {DEFAULT_STREAM}")
    tasks.set_defaults(handler=run_tasks)


def run_tasks(args: argparse.Namespace) -> int:
    from maptag.app import hub

    return hub.tasks(sys.stdout, args.stream)
