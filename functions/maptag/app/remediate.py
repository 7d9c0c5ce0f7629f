"""The deployed remediation: RemediateRequest → the run's fix plan, run by app.fix → RemediateResult.

The remediate Lambda (maptag:remediation=plan or apply) plans the fixes of a published run from
its shards in S3 and runs them through `app.fix.run`, exactly as `maptag fix --apply` does (the
same cap, re-read, write and journal); what differs is only where things go: the plan, the
journal and the summary to the reports bucket, one event per change to EventBridge, a digest
to the topic (docs/fix.md).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from maptag.app import fix
from maptag.app.workflow import Deployment
from maptag.deploy_config import TAGGER_ROLE_NAME
from maptag.fix.apply import APPLIED, Journal, Outcome
from maptag.fix.plan import plan_fixes
from maptag.names import EVENT_SOURCE
from maptag.run_store import RunStore
from maptag.scan import AccountAccess
from maptag.sinks import events

# EventBridge detail type of one tag change made by remediation (source "maptag").
TAG_CHANGED = "maptag.tag.changed"
_LISTED = 50  # changes named in the summary and the digest; every one is in the journal


@dataclass(frozen=True)
class RemediateRequest:
    """The published run to fix: its id and when it scanned (the events' time)."""

    run_id: str
    started_at: datetime


@dataclass(frozen=True)
class RemediateResult:
    """The fix run's result, where its journal went and how many events were sent."""

    run_id: str
    mode: str  # maptag:remediation
    max_changes: int
    fixed: fix.FixResult
    journal_key: str | None = None  # with changes applied: the journal in the reports bucket
    events: str = ""  # with changes applied: "N of M sent"

    @property
    def complete(self) -> bool:
        """Nothing refused, and every change that was applied went through."""
        return not self.fixed.refused and not self.fixed.not_applied

    def summary(self) -> dict[str, Any]:
        """The run's fix summary: fix-summary.json, and the step's output."""
        plan = self.fixed.plan
        summary: dict[str, Any] = {
            "run_id": self.run_id,
            "mode": self.mode,
            "changes": len(plan.changes),
            "needs_decision": len(plan.decisions),
            "applied": 0,
            "not_applied": [],
        }
        if self.fixed.refused:
            summary["refused"] = (
                f"{len(plan.changes)} changes, more than remediation_max_changes "
                f"({self.max_changes}): nothing written"
            )
        elif self.journal_key is not None:
            summary["applied"] = self.fixed.applied
            summary["not_applied"] = [
                f"{o.result}: {o.change.arn}: {o.detail}" for o in self.fixed.not_applied
            ][:_LISTED]
            summary["journal_key"] = self.journal_key
            summary["events"] = self.events
        return summary


def run(deployed: Deployment, request: RemediateRequest) -> RemediateResult:
    """The run's fix plan (maptag:remediation=plan), or the plan applied (apply) through
    maptag-member-tagger in each account."""
    config, session = deployed.config, deployed.session
    store = deployed.store(request.run_id)
    results = store.read_results()
    counted = [unit for unit in store.read_units() if unit in results and results[unit].counts]
    plan = plan_fixes(store.read(counted), config.policy)
    store.put_report("fix-plan.json", json.dumps(plan.to_json(), indent=1).encode(), "application/json")
    # Every account, the scanner's own too, is written through its tagger role only.
    tagger = config.policy.model_copy(update={"role_name": TAGGER_ROLE_NAME})
    fixed = fix.run(
        fix.FixRequest(
            plan=plan,
            policy=config.policy,
            max_changes=config.remediation_max_changes,
            apply=config.remediation == "apply" and bool(plan.changes),
            journal=lambda: _UploadedJournal(Path(tempfile.mkdtemp()) / "fix-journal.jsonl", store),
            clients=lambda: AccountAccess(session, tagger, caller="").clients,
        )
    )
    journal_key, sent = None, ""
    if isinstance(fixed.journal, _UploadedJournal):  # changes were applied (never when refused)
        journal_key = fixed.journal.key
        sent = _change_events(deployed, list(fixed.outcomes), request.run_id, request.started_at)
    result = RemediateResult(
        request.run_id, config.remediation, config.remediation_max_changes, fixed, journal_key, sent
    )
    summary = result.summary()
    store.put_report("fix-summary.json", json.dumps(summary, indent=1).encode(), "application/json")
    if deployed.resources.topic_arn:
        _remediation_digest(deployed, deployed.resources.topic_arn, result)
    return result


class _UploadedJournal(Journal):
    """The journal written locally and put in the reports bucket after every row (the Lambda's
    /tmp does not outlive it)."""

    def __init__(self, path: Path, store: RunStore) -> None:
        super().__init__(path)
        self._store = store
        self.key = ""

    def record(self, outcomes: Iterable[Outcome]) -> None:
        super().record(outcomes)
        self.key = self._store.put_report("fix-journal.jsonl", self.path.read_bytes(), "application/x-ndjson")


def _change_events(deployed: Deployment, outcomes: list[Outcome], run_id: str, at: datetime) -> str:
    entries = (
        {
            "Time": at,
            "Source": EVENT_SOURCE,
            "DetailType": TAG_CHANGED,
            "Detail": json.dumps(
                {"run_id": run_id, **o.change.to_json(), "result": o.result, "detail": o.detail},
                separators=(",", ":"),
            ),
            "EventBusName": "default",
        }
        for o in outcomes
    )
    client = deployed.client("events")
    failed = 0
    for batch in events.batches(entries):
        try:
            failed += int(client.put_events(Entries=batch).get("FailedEntryCount", 0))
        except (ClientError, BotoCoreError):
            failed += len(batch)
    return f"{len(outcomes) - failed} of {len(outcomes)} sent"


def _remediation_digest(deployed: Deployment, topic_arn: str, result: RemediateResult) -> None:
    summary, plan, outcomes = result.summary(), result.fixed.plan, result.fixed.outcomes
    lines = [f"maptag remediation ({summary['mode']}), run {summary['run_id']}"]
    if "refused" in summary:
        lines.append(f"Refused: {summary['refused']}.")
    lines.append(f"Planned changes: {summary['changes']}; applied: {summary['applied']}.")
    lines += [
        f"  changed {o.change.arn}: {o.change.key} -> {o.change.after}"
        for o in outcomes[:_LISTED]
        if o.result == APPLIED
    ]
    lines += [f"  {line}" for line in summary["not_applied"]]
    lines.append(f"Needs a decision: {len(plan.decisions)}")
    lines += [f"  {d.arn}: {d.reason}" for d in plan.decisions[:_LISTED]]
    sns = deployed.client("sns")
    # SNS subjects: ASCII, at most 100 characters (SNS Publish API reference)
    sns.publish(TopicArn=topic_arn, Subject="maptag remediation", Message="\n".join(lines)[:250_000])
