"""The Sink protocol: what every sink module declares (one `SINK`), and what a delivery gets.

A sink takes a finished report and its run, and gives back a SinkOutcome; it never raises
(sinks/outcome.py `guarded`). Where it runs is part of its declaration: on a laptop
(`maptag scan --publish NAME`), deployed (`maptag:sinks`), or both. sinks/registry.py lists
every SINK; the CLI's --publish, deploy_config's sinks and the workflow's dispatch read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from maptag.report.model import ScanReport
    from maptag.sinks.outcome import RunInfo, SinkOutcome


@dataclass(frozen=True)
class Delivery:
    """Where and how a run is delivered: each sink reads the part it needs."""

    session: Any  # boto3.Session: the caller's (laptop) or the publish Lambda's
    deployed: bool = False  # the scheduled workflow, not a laptop's `maptag scan --publish`
    dry_run: bool = False  # say what would be sent, send nothing (laptop only)
    securityhub_refresh_days: int | None = None  # None: security_hub.DEFAULT_REFRESH_DAYS
    hub: Any = None  # Migration Hub settings (HubSettings), with migration-hub
    outbox: Any = None  # where unsent Migration Hub updates wait (a file, a DynamoDB table)
    topic_arn: str | None = None  # the digest topic (sns)
    unit_metrics: bool = False  # per account × region metrics (metrics)


class Deliver(Protocol):
    def __call__(self, report: ScanReport, run: RunInfo, delivery: Delivery, /) -> SinkOutcome: ...


@dataclass(frozen=True)
class Sink:
    """One sink, as its module declares it."""

    name: str
    help: str  # one line, for `maptag scan --help` and docs
    deliver: Deliver
    laptop: bool = False  # `maptag scan --publish NAME`
    deployed: bool = False  # CDK context `maptag:sinks`
    default: bool = False  # deployed unless maptag:sinks says otherwise
