"""The migration-hub sink: a thin adapter over the Migration Hub publisher (sinks/migration_hub.py).

On a laptop (`maptag scan --publish migration-hub`) it publishes in the caller's region (else
the first scanned), keeps unsent updates in the outbox file and fails loudly without a home
region; deployed (a default of `maptag:sinks`), an account without a home region is skipped
and said once in the digest and the run result (docs/reliability.md).
"""

from __future__ import annotations

import os

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import make_client
from maptag.sinks import migration_hub
from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded
from maptag.sinks.report import ScanReport
from maptag.sinks.sink import Delivery, Sink

NAME = "migration-hub"


def _deliver(report: ScanReport, _run: RunInfo, delivery: Delivery) -> SinkOutcome:
    settings = delivery.hub or migration_hub.HubSettings()
    session = delivery.session
    if not delivery.deployed:
        # GetHomeRegion is asked in the caller's region, else the first region scanned.
        region = session.region_name or os.environ.get("AWS_REGION") or report.policy.regions[0]
        result = migration_hub.publish(
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
        result = migration_hub.publish(
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
