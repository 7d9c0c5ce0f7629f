"""Publish a laptop scan's report to the sinks asked for (`maptag scan --publish`, `maptag demo`).

The deployed publish (app/workflow.py `publish_run`, the publish Lambda) rebuilds its report
from S3 and delivers to the deployment's sinks through the same loop, `each`, with its per-sink
completion markers (docs/architecture.md, "The application layer").
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded
from maptag.sinks.security_hub import DEFAULT_REFRESH_DAYS
from maptag.sinks.sink import Delivery

if TYPE_CHECKING:
    from maptag.migration_hub.outbox import FileOutbox
    from maptag.migration_hub.publisher import HubSettings
    from maptag.report.model import ScanReport
    from maptag.sinks.sink import Deliver


@dataclass(frozen=True)
class PublishRequest:
    """Where a scan's report goes besides its file, and how."""

    sinks: tuple[str, ...] = ()
    dry_run: bool = False
    hub: HubSettings | None = None  # with migration-hub
    outbox: FileOutbox | None = None  # with migration-hub
    securityhub_refresh_days: int = DEFAULT_REFRESH_DAYS


@dataclass(frozen=True)
class PublishResult:
    """Each sink's outcome, in the order delivered."""

    outcomes: tuple[SinkOutcome, ...] = ()

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


def run(report: ScanReport, request: PublishRequest) -> PublishResult:
    """Deliver to each sink asked for (in the registry's order), telling the user; one failing
    never stops the others."""
    import boto3

    from maptag.sinks.registry import laptop

    wanted = [sink for sink in laptop() if sink.name in request.sinks]
    if not wanted:
        return PublishResult()
    delivery = Delivery(
        session=boto3.Session(),
        dry_run=request.dry_run,
        securityhub_refresh_days=request.securityhub_refresh_days,
        hub=request.hub,
        outbox=request.outbox,
    )
    run_info = RunInfo.new(scanned_at=report.generated_at)
    outcomes = []
    for outcome in each(report, run_info, delivery, [(sink.name, sink.deliver) for sink in wanted]):
        tell(outcome)
        outcomes.append(outcome)
    return PublishResult(tuple(outcomes))


def each(
    report: ScanReport,
    run: RunInfo,
    delivery: Delivery,
    sinks: Iterable[tuple[str, Deliver | None]],
    *,
    earlier: Sequence[SinkOutcome] = (),
    once: Callable[[str, Callable[[], SinkOutcome]], SinkOutcome] = guarded,
) -> Iterator[SinkOutcome]:
    """Deliver to each sink in turn (None: this build has no sink of that name), each guarded:
    one that fails never hides the others. A sink's run carries the sinks skipped before it
    (the digest names them); ``once`` runs one delivery (the deployed publish's skips what an
    earlier attempt delivered)."""
    outcomes = list(earlier)
    for name, deliver in sinks:
        if deliver is None:
            outcome = SinkOutcome(name, False, "this build has no such sink")
        else:
            notices = tuple(f"{o.name} {o.detail}" for o in outcomes if o.skipped)
            outcome = once(name, partial(deliver, report, run.with_notices(notices), delivery))
        outcomes.append(outcome)
        yield outcome


def tell(outcome: SinkOutcome) -> None:
    """A sink's outcome on stderr: its own lines, else one line naming it."""
    from maptag.console import note

    for line in outcome.lines:
        if line.startswith(("maptag: error: ", "maptag: warning: ")):
            print(line, file=sys.stderr)
        else:
            note(line)
    if outcome.lines:
        return
    if outcome.ok:
        note(f"maptag: {outcome.name}: {outcome.detail}")
    else:
        print(f"maptag: error: {outcome.name}: {outcome.detail}", file=sys.stderr)
