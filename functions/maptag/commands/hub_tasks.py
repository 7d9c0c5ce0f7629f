"""`maptag hub tasks [--stream NAME]`: a stream's migration tasks, as the console lists them.

Reads Migration Hub through the standard chain (the home region from migrationhub-config;
AWS_ENDPOINT_URL_MIGRATION_HUB reaches the local hub), so it shows what AWS shows.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import describe_error
from maptag.commands import EXIT_OK, UsageError
from maptag.migration_hub.names import DEFAULT_STREAM, StreamNameError, validate_stream
from maptag.migration_hub.publisher import HubUnavailable
from maptag.migration_hub.views import StreamView, UnknownStream, stream_tasks

STATUS_STYLE = {"COMPLETED": "green", "IN_PROGRESS": "yellow", "FAILED": "red", "NOT_STARTED": "dim"}


def register_tasks(subcommands: Any) -> None:
    tasks = subcommands.add_parser(
        "tasks",
        help="list a progress update stream's migration tasks (status, progress, detail, last update)",
    )
    tasks.add_argument("--stream", default=DEFAULT_STREAM, metavar="NAME", help=f"default: {DEFAULT_STREAM}")
    tasks.set_defaults(handler=run_tasks)


def run_tasks(args: argparse.Namespace) -> int:
    try:
        stream = validate_stream(args.stream)
    except StreamNameError as error:
        raise UsageError(f"--stream: {error}") from None
    try:
        view = stream_tasks(stream)
    except UnknownStream as error:
        raise UsageError(f"--stream: {error}") from None
    except HubUnavailable as error:
        raise UsageError(str(error)) from None
    except (ClientError, BotoCoreError) as error:
        raise UsageError(f"cannot read Migration Hub: {describe_error(error)}") from None
    print_tasks(view, sys.stdout)
    return EXIT_OK


def print_tasks(view: StreamView, out: IO[str]) -> None:
    from rich.text import Text

    from maptag.console import TABLE_STYLE, Column, fitted_table, make_console

    console = make_console(out)
    columns = [
        Column("Migration task"),
        Column("Status"),
        Column("Progress", drop=1, justify="right"),
        Column("Detail", drop=3, wrap="free"),
        Column("Last update", drop=2),
    ]
    rows = []
    for task in view.tasks:
        status = task.status or "—"
        progress = "—" if task.progress_percent is None else f"{task.progress_percent} %"
        updated = task.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if task.updated_at else "—"
        style = STATUS_STYLE.get(status, "")
        # Text, not markup: a task's detail may hold brackets from an error message.
        rows.append([Text(task.task), Text(status, style=style), Text(progress), Text(task.detail or ""),
                     Text(updated)])  # fmt: skip
    title = f"Migration Hub · stream {view.stream} · home region {view.home_region}"
    console.print(fitted_table(console, columns, rows, title=title, **TABLE_STYLE))
    if not view.tasks:
        console.print(f"No migration tasks in stream {view.stream} yet.")
