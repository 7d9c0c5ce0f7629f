"""Reading a stream's tasks back from the home region (`maptag hub tasks`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import boto3

from maptag.migration_hub.names import DEFAULT_STREAM
from maptag.migration_hub.publisher import MigrationHubPublisher, RetryPolicy
from maptag.rules import quote


class UnknownStream(LookupError):
    """The stream does not exist in the home region; the message names the ones that do."""


@dataclass(frozen=True, slots=True)
class TaskView:
    """A migration task as the console lists it."""

    task: str
    status: str | None
    progress_percent: int | None
    detail: str | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class StreamView:
    stream: str
    home_region: str
    tasks: list[TaskView]


def stream_tasks(
    stream: str = DEFAULT_STREAM,
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
    retry: RetryPolicy | None = None,
) -> StreamView:
    """The stream's tasks from the home region, sorted by name (ListMigrationTasks has no
    stream filter, so the summaries are filtered here)."""
    publisher = MigrationHubPublisher(session, region, retry=retry)
    home = publisher.home_region()
    mgh: Any = publisher.client("mgh", home)
    streams = publisher.streams(mgh)
    if stream not in streams:
        known = ", ".join(sorted(streams)) or "none"
        raise UnknownStream(
            f"no progress update stream {quote(stream)} in home region {home} (streams: {known})"
        )
    tasks = [
        TaskView(
            task=str(summary.get("MigrationTaskName")),
            status=summary.get("Status"),
            progress_percent=summary.get("ProgressPercent"),
            detail=summary.get("StatusDetail"),
            updated_at=summary.get("UpdateDateTime"),
        )
        for summary in publisher.task_summaries(mgh)
        if summary.get("ProgressUpdateStream") == stream
    ]
    return StreamView(stream=stream, home_region=home, tasks=sorted(tasks, key=lambda t: t.task))


STATUS_STYLE = {"COMPLETED": "green", "IN_PROGRESS": "yellow", "FAILED": "red", "NOT_STARTED": "dim"}


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
