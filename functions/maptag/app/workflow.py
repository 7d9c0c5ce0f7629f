"""The deployed workflow's three steps as plain functions: plan, scan one unit, publish.

The Lambda handlers (functions/handlers/) are thin shells over these; the state machine
passes only S3 keys and small summaries between them (maptag.run_store).
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.app import fix
from maptag.aws import describe_error, make_client
from maptag.costs import athena_costs, cost_explorer_lines
from maptag.deploy_config import TAGGER_ROLE_NAME, DeployConfig
from maptag.fix.apply import APPLIED, Journal, Outcome
from maptag.fix.plan import FixPlan, plan_fixes
from maptag.migration_hub.outbox import DynamoDBOutbox
from maptag.migration_hub.publisher import HubSettings, next_update_seconds
from maptag.model import ScanUnit
from maptag.money import CostBook, CostError, Ledger, Money, cost_book
from maptag.names import EVENT_SOURCE
from maptag.report.html import TREND_RUNS
from maptag.report.model import ScanReport
from maptag.run_store import RunStore, run_id_of
from maptag.scan import AccountAccess, UnitResult, UnitUnreachable, plan, scan_unit
from maptag.sinks import events, history, migration_hub, registry, s3_report, sns_digest
from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded
from maptag.sinks.sink import Deliver, Delivery

logger = logging.getLogger(__name__)

# A unit whose result is missing and whose failure the Map did not record either.
NO_RESULT = "the unit's scan ended without writing a result (see the state machine's execution history)"
_ERROR_LIMIT = 500


@dataclass(frozen=True)
class Resources:
    """What the deployment created, as the handlers find it in their environment."""

    bucket: str
    table: str | None = None
    topic_arn: str | None = None
    outbox_table: str | None = None
    athena_workgroup: str | None = None  # with costs=athena (infra/constructs/costs.py)


def plan_run(
    config: DeployConfig,
    session: boto3.Session,
    resources: Resources,
    execution_name: str,
    started_at: datetime,
) -> dict[str, Any]:
    """Accounts × regions into the run's unit list in S3; returns the state for the Map."""
    run_id = run_id_of(execution_name, started_at)
    scan_plan = plan(config.policy, session)
    store = RunStore(_s3(session), resources.bucket, run_id)
    return {
        "run_id": run_id,
        "started_at": started_at.isoformat(),
        "caller_account": scan_plan.caller_account,
        "units_key": store.write_units(scan_plan.units),
        "inventory": config.inventory_due(started_at),
        "unit_count": len(scan_plan.units),
    }


def scan_run_unit(
    config: DeployConfig,
    session: boto3.Session,
    resources: Resources,
    run_id: str,
    unit: ScanUnit,
    caller_account: str,
    inventory: bool = False,
) -> dict[str, Any]:
    """Scan one unit, write its findings and result to S3; a failure is a failed result."""
    store = RunStore(_s3(session), resources.bucket, run_id)
    policy = config.policy.model_copy(update={"inventory": inventory}) if inventory else config.policy
    access = AccountAccess(session, policy, caller_account)
    try:
        clients = access.clients(unit)
        with store.findings_writer(unit) as emit:
            result = scan_unit(unit, clients, policy, emit)
    except UnitUnreachable as error:
        # The member role could not be assumed (not deployed there, trust wrong): loudly failed.
        result = UnitResult(unit=unit, status="failed", error=str(error))
    except (ClientError, BotoCoreError) as error:
        result = UnitResult(unit=unit, status="failed", error=describe_error(error))
    store.write_result(result)
    totals = result.totals
    return {
        "account_id": unit.account_id,
        "region": unit.region,
        "status": result.status,
        "error": result.error,
        "in_scope": totals.in_scope,
        "compliant": totals.compliant,
    }


@dataclass
class PublishedRun:
    """A finished run, reconstructed from S3, and how each sink fared."""

    run: RunInfo
    report: ScanReport
    outcomes: list[SinkOutcome] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run.run_id,
            "report_url": self.run.report_url,
            "units": len(self.report.units),
            "failed_units": len(self.report.failed_units),
            "totals": self.report.totals.to_report(),
            "sinks": {o.name: o.shown for o in self.outcomes},
        }


# A sink's deliver function (sinks/sink.py); the deployment's sinks by name, from the registry.
Sink = Deliver
SINKS: dict[str, Sink] = {sink.name: sink.deliver for sink in registry.deployed()}


def delivery(config: DeployConfig, session: boto3.Session, res: Resources) -> Delivery:
    """What the deployed sinks need: the settings of maptag:sinks' sinks and the resources."""
    hub = outbox = None
    if migration_hub.NAME in config.sinks:
        hub = HubSettings(
            stream=config.hub_stream,
            server_tasks=config.server_tasks,
            next_update_seconds=next_update_seconds(config.schedule_interval_seconds),
        )
        if res.outbox_table:
            outbox = DynamoDBOutbox(res.outbox_table, make_client(session, "dynamodb", _region(session)))
    return Delivery(
        session=session,
        deployed=True,
        securityhub_refresh_days=config.securityhub_refresh_days,
        hub=hub,
        outbox=outbox,
        topic_arn=res.topic_arn,
        unit_metrics=config.unit_metrics,
    )


def history_trend(session: boto3.Session, resources: Resources) -> list[tuple[str, float]] | None:
    """The earlier runs' overall coverage from the history table, for the HTML's trend line."""
    if not resources.table:
        return None
    try:
        rows = history.DynamoHistory(resources.table, session=session).trend(history.Scope(), TREND_RUNS)
    except history.HistoryError as error:
        logger.warning("no trend line in the report: %s", error)
        return None
    return [
        (row.scanned_at[:10], float(row.coverage_percent))
        for row in reversed(rows)
        if row.coverage_percent is not None
    ]


def publish_run(
    config: DeployConfig,
    session: boto3.Session,
    resources: Resources,
    run_id: str,
    started_at: datetime,
    map_result: Mapping[str, Any] | None,
    sinks: Mapping[str, Sink] = SINKS,
) -> PublishedRun:
    """Rebuild the run's report from S3, store it and its history, deliver it to every sink.

    Idempotent per sink: a sink an earlier attempt of this publish delivered (its completion
    marker in the run store) is not delivered again, so a Step Functions retry sends only
    what was not sent.
    """
    s3 = _s3(session)
    store = RunStore(s3, resources.bucket, run_id)
    planned = store.read_units()
    written = store.read_results()
    failures = map_failures(s3, map_result)
    results = [
        written.get(unit) or UnitResult(unit=unit, status="failed", error=failures.get(unit, NO_RESULT))
        for unit in planned
    ]
    counted = frozenset(result.unit for result in results if result.counts)
    report = ScanReport(
        policy=config.policy, units=results, spool=CountedShards(store, counted), generated_at=started_at
    )
    run = RunInfo(run_id=run_id, scanned_at=started_at)
    # Since when and how much before the report: every view shows them (docs/costs.md).
    report.money, money_failures = run_money(report, config, session, resources)
    report.trend = history_trend(session, resources)
    prior = report.money.ledger.prior
    delivered = store.published()

    def once(name: str, deliver: Callable[[], SinkOutcome]) -> SinkOutcome:
        if name in delivered:
            return delivered[name]
        outcome = guarded(name, deliver)
        if outcome.ok:
            # A marker that cannot be written fails publish: its retry delivers this sink again.
            store.mark_published(outcome)
        return outcome

    # The report first: every later sink links to it.
    stored = once(
        s3_report.NAME,
        partial(s3_report.put_reports, report, run, bucket=resources.bucket, session=session),
    )
    published = PublishedRun(
        run=run.with_report_url(stored.links.get("html")), report=report, outcomes=[*money_failures, stored]
    )
    if resources.table:
        table = resources.table

        def history_sink() -> SinkOutcome:
            store_ = history.DynamoHistory(table, session=session)
            return history.record_history(
                report, published.run, store_, retention_days=config.history_ttl_days, prior=prior
            )

        published.outcomes.append(once(history.NAME, history_sink))
    where = delivery(config, session, resources)
    # The digest last: it names the sinks skipped for this account, once per run.
    for name in sorted(config.sinks, key=lambda name: name == sns_digest.NAME):
        sink = sinks.get(name)
        if sink is None:
            published.outcomes.append(SinkOutcome(name, False, "this build has no such sink"))
            continue
        notices = tuple(f"{o.name} {o.detail}" for o in published.outcomes if o.skipped)
        # Each sink is guarded: one that fails never hides the others.
        deliver = partial(sink, report, published.run.with_notices(notices), where)
        published.outcomes.append(once(name, deliver))
    return published


def run_money(
    report: ScanReport, config: DeployConfig, session: boto3.Session, resources: Resources
) -> tuple[Money, list[SinkOutcome]]:
    """The run's since-when (the history table's open resources) and spend (config.costs); what
    could not be read is a failed outcome, loudly, and the report goes out without it."""
    failures: list[SinkOutcome] = []
    prior = None
    if resources.table:
        try:
            # one Query per unit that found something: most units of a large estate are empty
            counted = [r.unit for r in report.units if r.counts]
            prior = history.DynamoHistory(resources.table, session=session).resource_states(counted)
        except (history.HistoryError, ClientError, BotoCoreError) as error:
            failures.append(SinkOutcome("since-when", False, describe_error(error)))
    book = None
    if config.costs is not None:
        try:
            book = deployed_costs(
                config, session, resources, sorted({r.unit.account_id for r in report.units})
            )
        except (CostError, ClientError, BotoCoreError) as error:
            failures.append(SinkOutcome("costs", False, describe_error(error)))
    rate = config.credit_rate if book is not None else None
    return Money(Ledger(report.generated_at, prior), book, rate), failures


def deployed_costs(
    config: DeployConfig, session: boto3.Session, resources: Resources, accounts: list[str]
) -> CostBook:
    today = datetime.now(UTC).date()
    if config.costs == "cost-explorer":
        ce = make_client(session, "ce", "us-east-1")  # Cost Explorer's one endpoint
        return cost_book(cost_explorer_lines(ce, accounts, today), "cost-explorer")
    if not (resources.athena_workgroup and config.cur_database and config.cur_table):
        raise CostError("costs=athena but this deployment has no Athena workgroup (ATHENA_WORKGROUP)")
    return athena_costs(
        session,
        _region(session),
        database=config.cur_database,
        table=config.cur_table,
        workgroup=resources.athena_workgroup,
        accounts=accounts,
        today=today,
    )


@dataclass(frozen=True)
class CountedShards:
    """The run's findings (a FindingSource), read only for units that counted a resource.

    Every finding a unit emits is counted in its result, so a unit with no counts wrote an
    empty shard: with most regions of an estate empty, that skips most GETs of every pass.
    """

    store: RunStore
    counted: frozenset[ScanUnit]

    def read(self, units: list[ScanUnit]) -> Generator[dict[str, Any], None, None]:
        return self.store.read([unit for unit in units if unit in self.counted])


def map_failures(s3: Any, map_result: Mapping[str, Any] | None) -> dict[ScanUnit, str]:
    """Units the Distributed Map recorded as failed, from its ResultWriter files in S3."""
    details = (map_result or {}).get("ResultWriterDetails") or {}
    if not details.get("Bucket") or not details.get("Key"):
        return {}
    manifest = _json_object(s3, details["Bucket"], details["Key"])
    failures: dict[ScanUnit, str] = {}
    for status, files in (manifest.get("ResultFiles") or {}).items():
        for file in files:
            for execution in _json_object(
                s3, manifest.get("DestinationBucket", details["Bucket"]), file["Key"]
            ):
                unit, error = _failure_of(status, execution)
                if unit is not None:
                    failures[unit] = error
    return failures


def _failure_of(status: str, execution: Mapping[str, Any]) -> tuple[ScanUnit | None, str]:
    output = _loads(execution.get("Output"))
    item = _loads(execution.get("Input"))
    if isinstance(output, dict) and output.get("status") == "failed":
        source = output
        error = cause_text(output.get("error"))
    elif status != "SUCCEEDED":
        source = item
        error = cause_text(execution.get("Cause")) or str(execution.get("Error") or status)
    else:
        return None, ""
    if not isinstance(source, dict) or "account_id" not in source or "region" not in source:
        return None, ""
    return ScanUnit(str(source["account_id"]), str(source["region"])), error


def cause_text(cause: Any) -> str:
    """One line from a Step Functions error Cause (a Lambda error's JSON, or plain text)."""
    if cause is None:
        return ""
    parsed = _loads(cause)
    if isinstance(parsed, dict) and "errorMessage" in parsed:
        kind = parsed.get("errorType")
        text = f"{kind}: {parsed['errorMessage']}" if kind else str(parsed["errorMessage"])
    else:
        text = str(cause)
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:_ERROR_LIMIT]


def _loads(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _json_object(s3: Any, bucket: str, key: str) -> Any:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def _region(session: boto3.Session) -> str:
    return session.region_name or "us-east-1"


def _s3(session: boto3.Session) -> Any:
    return make_client(session, "s3", _region(session))


# EventBridge detail type of one tag change made by remediation (source "maptag").
TAG_CHANGED = "maptag.tag.changed"


def remediate_run(
    config: DeployConfig,
    session: boto3.Session,
    resources: Resources,
    run_id: str,
    scanned_at: datetime,
) -> dict[str, Any]:
    """The run's fix plan (maptag:remediation=plan), or the plan applied (apply) through
    maptag-member-tagger in each account; the plan, the journal and a summary go to the reports
    bucket, one event per change to EventBridge and a digest to the topic (docs/fix.md)."""
    s3 = _s3(session)
    store = RunStore(s3, resources.bucket, run_id)
    results = store.read_results()
    counted = [unit for unit in store.read_units() if unit in results and results[unit].counts]
    plan = plan_fixes(store.read(counted), config.policy)
    store.put_report("fix-plan.json", json.dumps(plan.to_json(), indent=1).encode(), "application/json")
    summary: dict[str, Any] = {
        "run_id": run_id,
        "mode": config.remediation,
        "changes": len(plan.changes),
        "needs_decision": len(plan.decisions),
        "applied": 0,
        "not_applied": [],
    }
    # Every account, the scanner's own too, is written through its tagger role only.
    tagger = config.policy.model_copy(update={"role_name": TAGGER_ROLE_NAME})
    result = fix.run(
        fix.FixRequest(
            plan=plan,
            policy=config.policy,
            max_changes=config.remediation_max_changes,
            apply=config.remediation == "apply" and bool(plan.changes),
            journal=lambda: _UploadedJournal(Path(tempfile.mkdtemp()) / "fix-journal.jsonl", store),
            clients=lambda: AccountAccess(session, tagger, caller="").clients,
        )
    )
    outcomes = list(result.outcomes)
    if result.refused:
        summary["refused"] = (
            f"{len(plan.changes)} changes, more than remediation_max_changes "
            f"({config.remediation_max_changes}): nothing written"
        )
    elif isinstance(result.journal, _UploadedJournal):
        summary["applied"] = result.applied
        summary["not_applied"] = [f"{o.result}: {o.change.arn}: {o.detail}" for o in result.not_applied][
            :_LISTED
        ]
        summary["journal_key"] = result.journal.key
        summary["events"] = _change_events(session, outcomes, run_id, scanned_at)
    store.put_report("fix-summary.json", json.dumps(summary, indent=1).encode(), "application/json")
    if resources.topic_arn:
        _remediation_digest(session, resources.topic_arn, summary, plan, outcomes)
    return summary


_LISTED = 50  # changes named in the summary and the digest; every one is in the journal


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


def _change_events(session: boto3.Session, outcomes: list[Outcome], run_id: str, at: datetime) -> str:
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
    client = make_client(session, "events", _region(session))
    failed = 0
    for batch in events.batches(entries):
        try:
            failed += int(client.put_events(Entries=batch).get("FailedEntryCount", 0))
        except (ClientError, BotoCoreError):
            failed += len(batch)
    return f"{len(outcomes) - failed} of {len(outcomes)} sent"


def _remediation_digest(
    session: boto3.Session, topic_arn: str, summary: dict[str, Any], plan: FixPlan, outcomes: list[Outcome]
) -> None:
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
    sns = make_client(session, "sns", _region(session))
    # SNS subjects: ASCII, at most 100 characters (SNS Publish API reference)
    sns.publish(TopicArn=topic_arn, Subject="maptag remediation", Message="\n".join(lines)[:250_000])
