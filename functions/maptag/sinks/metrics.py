"""CloudWatch metrics as Powertools EMF log lines (namespace ``maptag``), no API calls.

Per run (dimension ``service=maptag``): CoveragePercent, InScope, Compliant, NonCompliant,
Missing, NearMissKey, InvalidValue, Unreadable, Units, FailedUnits. They are stamped when
sent, not with the run's start: the deployment's FailedUnits alarm evaluates the latest
hour, and a datapoint dated to a run that started in an earlier hour would land in a period
already evaluated (docs/deploy.md, "Alarms and where they go"; alarm evaluation:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
Per unit (dimensions ``service``, ``AccountId``, ``Region``): CoveragePercent, NonCompliant,
InScope, UnitFailed (1 or 0), only for a unit with something in scope or that failed.
CoveragePercent is left out, not sent as 100, when nothing is in scope (docs/contracts.md).

Each per-unit metric is a CloudWatch custom metric of its own, billed for every hour it
receives data, and most units of an Organization scan are empty regions: a unit that was
scanned and has nothing in scope sends nothing, so it costs nothing. An alarm on one unit's
UnitFailed (or NonCompliant) must therefore treat missing data as not breaching: a unit that
failed and is now healthy but empty sends no 0, and missing data is exactly "not failed,
nothing to report". The run-level FailedUnits (always sent) sees every failed unit.
With ``per_unit=False`` (the deployment's default) the same per-unit figures are written as
plain JSON log lines (``"record": "maptag.unit"``) instead: no custom metric, read with
CloudWatch Logs Insights (docs/deploy.md).
"""

from __future__ import annotations

import json

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from maptag.coverage import Totals
from maptag.names import FAILED_UNITS_METRIC, METRICS_NAMESPACE, SERVICE
from maptag.report.model import ScanReport
from maptag.scan import UnitResult
from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded
from maptag.sinks.sink import Delivery, Sink

NAME = "metrics"
UNIT_RECORD = "maptag.unit"


def emit_metrics(
    report: ScanReport,
    run: RunInfo,
    *,
    per_unit: bool = True,
    namespace: str = METRICS_NAMESPACE,
) -> SinkOutcome:
    """Write the run's metrics to stdout as EMF (CloudWatch Logs turns them into metrics)."""

    def deliver() -> SinkOutcome:
        def batch(stamped: bool = True, **dimensions: str) -> EphemeralMetrics:
            # One metric set per dimension set: EMF puts one set of dimensions on a line.
            metrics = EphemeralMetrics(namespace=namespace, service=SERVICE)
            if stamped:
                metrics.set_timestamp(run.scanned_at)
            metrics.add_metadata("run_id", run.run_id)
            for name, value in dimensions.items():
                metrics.add_dimension(name=name, value=value)
            return metrics

        count = 0
        totals = report.totals
        overall = batch(stamped=False)  # stamped when sent: the FailedUnits alarm's latest hour
        count += _coverage(overall, totals)
        for name, value in (
            ("Compliant", totals.compliant),
            ("Missing", totals.missing),
            ("NearMissKey", totals.near_miss_key),
            ("InvalidValue", totals.invalid_value),
            ("Unreadable", totals.unreadable),
            ("Units", len(report.units)),
            (FAILED_UNITS_METRIC, len(report.failed_units)),
        ):
            overall.add_metric(name=name, unit=MetricUnit.Count, value=value)
            count += 1
        overall.flush_metrics()
        # An empty unit that was scanned has nothing to say: no custom metrics for it.
        reported = [r for r in report.units if r.failed or r.totals.in_scope]
        if not per_unit:
            for result in reported:
                print(json.dumps(_unit_record(run.run_id, result)))
            return SinkOutcome(
                NAME,
                True,
                f"{count} metric value(s) for the run in namespace {namespace}; "
                f"{len(reported)} unit record(s) in the log",
            )
        for result in reported:
            unit = batch(AccountId=result.unit.account_id, Region=result.unit.region)
            count += _coverage(unit, result.totals)
            unit.add_metric(name="UnitFailed", unit=MetricUnit.Count, value=1 if result.failed else 0)
            unit.flush_metrics()
            count += 1
        empty = len(report.units) - len(reported)
        scope = f"run and {len(reported)} unit(s) ({empty} empty unit(s) sent nothing)"
        return SinkOutcome(NAME, True, f"{count} metric value(s) for the {scope} in namespace {namespace}")

    return guarded(NAME, deliver)


def _coverage(metrics: EphemeralMetrics, totals: Totals) -> int:
    metrics.add_metric(name="InScope", unit=MetricUnit.Count, value=totals.in_scope)
    metrics.add_metric(name="NonCompliant", unit=MetricUnit.Count, value=totals.non_compliant)
    coverage = totals.coverage_shown
    if coverage is None:
        return 2
    metrics.add_metric(name="CoveragePercent", unit=MetricUnit.Percent, value=coverage)
    return 3


def _unit_record(run_id: str, result: UnitResult) -> dict[str, object]:
    """One unit's figures as a log line for Logs Insights (the per-unit metrics' values)."""
    totals = result.totals
    return {
        "record": UNIT_RECORD,
        "run_id": run_id,
        "account_id": result.unit.account_id,
        "region": result.unit.region,
        "in_scope": totals.in_scope,
        "non_compliant": totals.non_compliant,
        "coverage_percent": totals.coverage_shown,
        "failed": result.failed,
    }


def _deliver(report: ScanReport, run: RunInfo, delivery: Delivery) -> SinkOutcome:
    return emit_metrics(report, run, per_unit=delivery.unit_metrics)


SINK = Sink(NAME, "CloudWatch metrics: coverage and counts (per unit with maptag:unit_metrics)", _deliver,
            deployed=True, default=True)  # fmt: skip
