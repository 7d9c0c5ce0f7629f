"""Reading a stream's tasks back from the home region (`maptag hub tasks`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
