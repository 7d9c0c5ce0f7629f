"""Publish a laptop scan's report to the sinks asked for (`maptag scan --publish`, `maptag demo`).

The deployed publish (workflow.publish_run, the publish Lambda) rebuilds its report from S3
and delivers to the deployment's sinks; it shares the sinks, not this function
(docs/architecture.md, "The application layer").
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from maptag.sinks.outcome import SinkOutcome
from maptag.sinks.security_hub import DEFAULT_REFRESH_DAYS

if TYPE_CHECKING:
    from maptag.sinks.migration_hub import HubSettings
    from maptag.sinks.outbox import FileOutbox
    from maptag.sinks.report import ScanReport

MIGRATION_HUB = "migration-hub"


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
    """Publish to each sink asked for, telling the user; one failing never stops the others."""
    outcomes = []
    if MIGRATION_HUB in request.sinks and request.hub is not None and request.outbox is not None:
        outcomes.append(publish_to_hub(report, request.hub, request.outbox, request.dry_run))
    for name in ("history", "security-hub"):
        if name in request.sinks:
            outcomes.append(
                publish_finding_sink(name, report, request.dry_run, request.securityhub_refresh_days)
            )
    return PublishResult(tuple(outcomes))


def publish_finding_sink(
    name: str, report: ScanReport, dry_run: bool, refresh_days: int = DEFAULT_REFRESH_DAYS
) -> SinkOutcome:
    """The local history file or the caller's Security Hub (sinks/history.py, security_hub.py)."""
    from maptag.console import note
    from maptag.sinks.delivery import publish_local

    outcome = publish_local(name, report, dry_run, refresh_days=refresh_days)
    if outcome.ok:
        note(f"maptag: {name}: {outcome.detail}")
    else:
        print(f"maptag: error: {name}: {outcome.detail}", file=sys.stderr)
    return outcome


def publish_to_hub(
    report: ScanReport, settings: HubSettings, outbox: FileOutbox, dry_run: bool
) -> SinkOutcome:
    """Publish the report to Migration Hub, telling the user what happened."""
    import boto3

    from maptag.console import note
    from maptag.sinks.migration_hub import publish

    # GetHomeRegion is asked in the caller's region, else the first region scanned.
    session = boto3.Session()
    region = session.region_name or os.environ.get("AWS_REGION") or report.policy.regions[0]
    result = publish(report, settings, session=session, region=region, outbox=outbox, dry_run=dry_run)
    for line in result.lines():
        # Every stderr line carries maptag's prefix, the dry run's call list included.
        if line.startswith("Migration Hub publish failed"):
            print("maptag: error: " + line, file=sys.stderr)
        elif line.startswith("skipped "):
            print("maptag: warning: " + line, file=sys.stderr)
        else:
            note("maptag: " + line)
    if result.queued:
        note(f"maptag: outbox: {outbox.path}")
    return SinkOutcome(MIGRATION_HUB, not result.failed, "; ".join(result.lines()))
