"""The migration-hub sink: a scan report published as Migration Hub task states
(docs/contracts.md, "Migration Hub mapping"); the parts live in maptag/migration_hub/."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import boto3

from maptag.migration_hub.publisher import (
    HubSettings,
    MigrationHubPublisher,
    Outbox,
    PublishResult,
    RetryPolicy,
    plan_updates,
)

if TYPE_CHECKING:
    from maptag.report.model import ScanReport


def publish(
    report: ScanReport | Mapping[str, Any],
    settings: HubSettings | None = None,
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
    outbox: Outbox | None = None,
    dry_run: bool = False,
    retry: RetryPolicy | None = None,
    skip_without_home_region: bool = False,
) -> PublishResult:
    """Publish a scan report: a ScanReport (report/model.py) or a parsed JSON report.

    The entry point for the CLI, the demo and the publish Lambda (which skips an account
    without a home region: Migration Hub is a default sink of the deployment).
    """
    settings = settings or HubSettings()
    header: Mapping[str, Any]
    resources: Iterable[Mapping[str, Any]]
    if isinstance(report, Mapping):
        header, resources = report, report.get("resources", [])
    else:
        header, resources = report.header(), report.resources()
    updates = plan_updates(header, resources, settings)
    publisher = MigrationHubPublisher(session, region, outbox=outbox, retry=retry)
    return publisher.publish(
        updates, dry_run=dry_run, stream=settings.stream, skip_without_home_region=skip_without_home_region
    )
