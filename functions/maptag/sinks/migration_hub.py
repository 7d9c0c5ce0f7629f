"""The migration-hub sink: a scan report published as Migration Hub task states
(docs/contracts.md, "Migration Hub mapping"); the parts live in maptag/migration_hub/.

On a laptop (`maptag scan --publish migration-hub`) it publishes in the caller's region (else
the first scanned), keeps unsent updates in the outbox file and fails loudly without a home
region; deployed (a default of `maptag:sinks`), an account without a home region is skipped
and said once in the digest and the run result (docs/reliability.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import make_client
from maptag.migration_hub.publisher import (
    HubSettings,
    MigrationHubPublisher,
    Outbox,
    PublishResult,
    RetryPolicy,
    plan_updates,
)
from maptag.sinks.outcome import SinkOutcome, guarded
from maptag.sinks.sink import Delivery, Sink

if TYPE_CHECKING:
    from maptag.report.model import ScanReport
    from maptag.sinks.outcome import RunInfo


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


NAME = "migration-hub"


def _deliver(report: ScanReport, _run: RunInfo, delivery: Delivery) -> SinkOutcome:
    settings = delivery.hub or HubSettings()
    session = delivery.session
    if not delivery.deployed:
        # GetHomeRegion is asked in the caller's region, else the first region scanned.
        region = session.region_name or os.environ.get("AWS_REGION") or report.policy.regions[0]
        result = publish(
            report, settings, session=session, region=region, outbox=delivery.outbox, dry_run=delivery.dry_run
        )
        lines = []
        for line in result.lines():
            # Every stderr line carries maptag's prefix, the dry run's call list included.
            if line.startswith("Migration Hub publish failed"):
                lines.append("maptag: error: " + line)
            elif line.startswith("skipped "):
                lines.append("maptag: warning: " + line)
            else:
                lines.append("maptag: " + line)
        if result.queued and delivery.outbox is not None:
            lines.append(f"maptag: outbox: {delivery.outbox.path}")
        return SinkOutcome(NAME, not result.failed, "; ".join(result.lines()), lines=tuple(lines))

    def deliver() -> SinkOutcome:
        result = publish(
            report, settings, session=session, outbox=delivery.outbox, skip_without_home_region=True
        )
        if result.skipped:
            # Migration Hub is a default sink: an account without a home region is told, not failed.
            return SinkOutcome(NAME, True, no_home_region(_account(session)), skipped=True)
        return SinkOutcome(NAME, not result.failed, "; ".join(result.lines()))

    return guarded(NAME, deliver)


def no_home_region(account: str) -> str:
    """The run result's and the digest's line for an account without a Migration Hub home region."""
    command = (
        "`aws migrationhub-config create-home-region-control --home-region REGION "
        f"--target Type=ACCOUNT,Id={account}`"
    )
    return (
        f"skipped: no Migration Hub home region in account {account} (set one with {command}, "
        f"or remove {NAME} from maptag:sinks)"
    )


def _account(session: boto3.Session) -> str:
    """The caller's account: GetCallerIdentity needs no IAM permission (STS API reference)."""
    try:
        region = session.region_name or "us-east-1"
        return str(make_client(session, "sts", region).get_caller_identity()["Account"])
    except (ClientError, BotoCoreError):
        return "(this account)"


SINK = Sink(
    NAME,
    "one AWS Migration Hub task per account × region, its state the coverage",
    _deliver,
    laptop=True,
    deployed=True,
    default=True,
)
