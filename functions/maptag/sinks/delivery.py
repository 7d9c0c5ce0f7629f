"""The findings sinks a laptop run can use without any settings (`maptag scan --publish`).

- ``history``: appends the run's coverage rows to the local history file;
- ``security-hub``: imports findings into the caller's Security Hub (AWS_REGION), resolving
  the ones fixed since the last run exactly as the deployed workflow does.
"""

from __future__ import annotations

import boto3

from maptag.report.model import ScanReport
from maptag.sinks.history import FileHistory, default_file, history_rows, record_history, resource_changes
from maptag.sinks.outcome import RunInfo, SinkOutcome
from maptag.sinks.security_hub import DEFAULT_REFRESH_DAYS, publish_findings

LOCAL_SINKS = ("history", "security-hub")


def publish_local(
    name: str, report: ScanReport, dry_run: bool = False, *, refresh_days: int = DEFAULT_REFRESH_DAYS
) -> SinkOutcome:
    """Deliver ``report`` to one settings-free sink; never raises.

    ``refresh_days``: how often Security Hub re-imports an unchanged finding (security_hub.py).
    """
    run = RunInfo.new(scanned_at=report.generated_at)
    if name == "history":
        store = FileHistory(default_file())
        # the open resources read before the report was written (commands/scan.py prior_for)
        prior = report.money.ledger.prior if report.money is not None else None
        if dry_run:
            rows = sum(1 for _ in history_rows(report, run))
            changes = sum(1 for _ in resource_changes(report, prior or {}, run))
            return SinkOutcome(
                name,
                True,
                f"dry run: would append {rows} coverage row(s) and {changes} resource verdict change(s) "
                f"to {store.where}",
            )
        return record_history(report, run, store, prior=prior)
    if name == "security-hub":
        # A dry run reads the active findings (GetFindings) to say exactly what would be sent.
        return publish_findings(
            report, run, session=boto3.Session(), refresh_days=refresh_days, dry_run=dry_run
        )
    return SinkOutcome(name, False, f"no such settings-free sink {name!r} (known: {', '.join(LOCAL_SINKS)})")
