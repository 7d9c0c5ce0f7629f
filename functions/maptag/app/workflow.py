"""The deployed workflow's steps as use cases: plan, scan one unit, publish (remediation: app/remediate.py).

Each Lambda handler (functions/handlers/) parses its event into a request here and returns the
result's `summary()`, the state machine's payload; the steps pass only S3 keys and small
summaries between them (maptag.run_store). Where the deployed path shares the laptop's
application layer and where it does not: docs/architecture.md, "The application layer".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.app import publish as publishing
from maptag.aws import describe_error, make_client
from maptag.costs import athena_costs, cost_explorer_lines
from maptag.deploy_config import DeployConfig
from maptag.migration_hub.outbox import DynamoDBOutbox
from maptag.migration_hub.publisher import HubSettings, next_update_seconds
from maptag.model import ScanUnit
from maptag.money import CostBook, CostError, Ledger, Money, cost_book
from maptag.report.html import TREND_RUNS
from maptag.report.model import ScanReport
from maptag.run_store import RunStore, run_id_of
from maptag.scan import AccountAccess, UnitResult, UnitUnreachable, plan, scan_unit
from maptag.sinks import history, migration_hub, registry, s3_report, sns_digest
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


@dataclass(frozen=True)
class Deployment:
    """Where a deployed step runs: the deployment's configuration, the function's session and
    what the stack created (handlers/observability.py `deployed`)."""

    config: DeployConfig
    session: boto3.Session
    resources: Resources

    @property
    def region(self) -> str:
        return self.session.region_name or "us-east-1"

    def client(self, service: str) -> Any:
        return make_client(self.session, service, self.region)

    def store(self, run_id: str) -> RunStore:
        return RunStore(self.client("s3"), self.resources.bucket, run_id)


# ---- plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRequest:
    """The state machine's execution: its name and start time."""

    execution_name: str
    started_at: datetime


@dataclass(frozen=True)
class PlanResult:
    """The run's id and its units' list in S3: the state for the Distributed Map."""

    run_id: str
    started_at: datetime
    caller_account: str
    units_key: str
    inventory: bool
    unit_count: int

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "caller_account": self.caller_account,
            "units_key": self.units_key,
            "inventory": self.inventory,
            "unit_count": self.unit_count,
        }


def plan_run(deployed: Deployment, request: PlanRequest) -> PlanResult:
    """Accounts × regions into the run's unit list in S3."""
    run_id = run_id_of(request.execution_name, request.started_at)
    scan_plan = plan(deployed.config.policy, deployed.session)
    return PlanResult(
        run_id=run_id,
        started_at=request.started_at,
        caller_account=scan_plan.caller_account,
        units_key=deployed.store(run_id).write_units(scan_plan.units),
        inventory=deployed.config.inventory_due(request.started_at),
        unit_count=len(scan_plan.units),
    )


# ---- scan one unit -------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRequest:
    """One item of the Distributed Map: the unit, its run, who plans (the caller's account)."""

    run_id: str
    unit: ScanUnit
    caller_account: str
    inventory: bool = False  # this run also counts the types the scan does not cover


@dataclass(frozen=True)
class UnitRunResult:
    """The unit's result, as written to the run store; its summary is the Map item's output."""

    result: UnitResult

    @property
    def failed(self) -> bool:
        return self.result.status == "failed"

    def summary(self) -> dict[str, Any]:
        totals = self.result.totals
        return {
            "account_id": self.result.unit.account_id,
            "region": self.result.unit.region,
            "status": self.result.status,
            "error": self.result.error,
            "in_scope": totals.in_scope,
            "compliant": totals.compliant,
        }


def scan_run_unit(deployed: Deployment, request: UnitRequest) -> UnitRunResult:
    """Scan one unit, write its findings and result to S3; a failure is a failed result.

    Not app.scan.run: one unit per Lambda, through the member role, its findings a shard in S3.
    """
    unit, config = request.unit, deployed.config
    store = deployed.store(request.run_id)
    policy = config.policy.model_copy(update={"inventory": True}) if request.inventory else config.policy
    access = AccountAccess(deployed.session, policy, request.caller_account)
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
    return UnitRunResult(result)


# ---- publish -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishRunRequest:
    """The state after the Map: the run, and the Map's ResultWriter details (its failures)."""

    run_id: str
    started_at: datetime
    map_result: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PublishRunResult:
    """A finished run, reconstructed from S3, and how each sink fared."""

    run: RunInfo
    report: ScanReport
    outcomes: tuple[SinkOutcome, ...] = ()

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run.run_id,
            "report_url": self.run.report_url,
            "units": len(self.report.units),
            "failed_units": len(self.report.failed_units),
            "totals": self.report.totals.to_report(),
            "sinks": {o.name: o.shown for o in self.outcomes},
        }


# The deployment's sinks by name, from the registry (sinks/registry.py).
SINKS: dict[str, Deliver] = {sink.name: sink.deliver for sink in registry.deployed()}


def delivery(deployed: Deployment) -> Delivery:
    """What the deployed sinks need: the settings of maptag:sinks' sinks and the resources."""
    config, res = deployed.config, deployed.resources
    hub = outbox = None
    if migration_hub.NAME in config.sinks:
        hub = HubSettings(
            stream=config.hub_stream,
            server_tasks=config.server_tasks,
            next_update_seconds=next_update_seconds(config.schedule_interval_seconds),
        )
        if res.outbox_table:
            outbox = DynamoDBOutbox(res.outbox_table, deployed.client("dynamodb"))
    return Delivery(
        session=deployed.session,
        deployed=True,
        securityhub_refresh_days=config.securityhub_refresh_days,
        hub=hub,
        outbox=outbox,
        topic_arn=res.topic_arn,
        unit_metrics=config.unit_metrics,
    )


def history_trend(deployed: Deployment) -> list[tuple[str, float]] | None:
    """The earlier runs' overall coverage from the history table, for the HTML's trend line."""
    if not deployed.resources.table:
        return None
    try:
        table = history.DynamoHistory(deployed.resources.table, session=deployed.session)
        rows = table.trend(history.Scope(), TREND_RUNS)
    except history.HistoryError as error:
        logger.warning("no trend line in the report: %s", error)
        return None
    return [
        (row.scanned_at[:10], float(row.coverage_percent))
        for row in reversed(rows)
        if row.coverage_percent is not None
    ]


def publish_run(
    deployed: Deployment, request: PublishRunRequest, sinks: Mapping[str, Deliver] = SINKS
) -> PublishRunResult:
    """Rebuild the run's report from S3, store it and its history, deliver it to every sink.

    Idempotent per sink: a sink an earlier attempt of this publish delivered (its completion
    marker in the run store) is not delivered again, so a Step Functions retry sends only
    what was not sent. The sinks are delivered as the laptop's are (app.publish.each).
    """
    config, session, resources = deployed.config, deployed.session, deployed.resources
    s3 = deployed.client("s3")
    store = RunStore(s3, resources.bucket, request.run_id)
    planned = store.read_units()
    written = store.read_results()
    failures = map_failures(s3, request.map_result)
    results = [
        written.get(unit) or UnitResult(unit=unit, status="failed", error=failures.get(unit, NO_RESULT))
        for unit in planned
    ]
    counted = frozenset(result.unit for result in results if result.counts)
    spool = CountedShards(store, counted)
    report = ScanReport(policy=config.policy, units=results, spool=spool, generated_at=request.started_at)
    run = RunInfo(run_id=request.run_id, scanned_at=request.started_at)
    # Since when and how much before the report: every view shows them (docs/costs.md).
    report.money, money_failures = run_money(report, deployed)
    report.trend = history_trend(deployed)
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
    run = run.with_report_url(stored.links.get("html"))
    # The history (with a table), then maptag:sinks' sinks, the digest last: it names the
    # sinks skipped for this account, once per run.
    chosen: list[tuple[str, Deliver | None]] = [
        (name, sinks.get(name)) for name in sorted(config.sinks, key=lambda name: name == sns_digest.NAME)
    ]
    if resources.table:
        table = resources.table

        def history_sink(report: ScanReport, run: RunInfo, _: Delivery, /) -> SinkOutcome:
            store_ = history.DynamoHistory(table, session=session)
            return history.record_history(
                report, run, store_, retention_days=config.history_ttl_days, prior=prior
            )

        chosen.insert(0, (history.NAME, history_sink))
    earlier = [*money_failures, stored]
    outcomes = publishing.each(report, run, delivery(deployed), chosen, earlier=earlier, once=once)
    return PublishRunResult(run=run, report=report, outcomes=(*earlier, *outcomes))


def run_money(report: ScanReport, deployed: Deployment) -> tuple[Money, list[SinkOutcome]]:
    """The run's since-when (the history table's open resources) and spend (config.costs); what
    could not be read is a failed outcome, loudly, and the report goes out without it."""
    config, resources = deployed.config, deployed.resources
    failures: list[SinkOutcome] = []
    prior = None
    if resources.table:
        try:
            # one Query per unit that found something: most units of a large estate are empty
            counted = [r.unit for r in report.units if r.counts]
            prior = history.DynamoHistory(resources.table, session=deployed.session).resource_states(counted)
        except (history.HistoryError, ClientError, BotoCoreError) as error:
            failures.append(SinkOutcome("since-when", False, describe_error(error)))
    book = None
    if config.costs is not None:
        try:
            book = deployed_costs(deployed, sorted({r.unit.account_id for r in report.units}))
        except (CostError, ClientError, BotoCoreError) as error:
            failures.append(SinkOutcome("costs", False, describe_error(error)))
    rate = config.credit_rate if book is not None else None
    return Money(Ledger(report.generated_at, prior), book, rate), failures


def deployed_costs(deployed: Deployment, accounts: list[str]) -> CostBook:
    config, resources = deployed.config, deployed.resources
    today = datetime.now(UTC).date()
    if config.costs == "cost-explorer":
        ce = make_client(deployed.session, "ce", "us-east-1")  # Cost Explorer's one endpoint
        return cost_book(cost_explorer_lines(ce, accounts, today), "cost-explorer")
    if not (resources.athena_workgroup and config.cur_database and config.cur_table):
        raise CostError("costs=athena but this deployment has no Athena workgroup (ATHENA_WORKGROUP)")
    return athena_costs(
        deployed.session,
        deployed.region,
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
