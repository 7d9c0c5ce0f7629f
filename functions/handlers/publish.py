"""Publish: rebuild the run's report from S3, store it, and deliver it to every sink."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from handlers.observability import FAILED_UNITS, deployment, logger, metrics, session, tracer
from maptag.workflow import Sink, publish_run

# Sink name (DeployConfig.sinks) → the function delivering to it. The findings sinks are
# library code in maptag/sinks/; each is wired here as it lands.
SINKS: dict[str, Sink] = {}


class PublishEvent(BaseModel):
    """The state after the Map: plan's output plus the Map's ResultWriter details."""

    run_id: str
    started_at: datetime
    units_key: str
    unit_count: int
    map_result: dict[str, Any] | None = None


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=PublishEvent)
def handler(event: PublishEvent, _context: LambdaContext) -> dict[str, Any]:
    config, resources = deployment()
    run = publish_run(config, session(), resources, event.run_id, event.started_at, event.map_result, SINKS)
    totals = run.report.totals
    # The FailedUnits alarm watches this metric (infra/constructs/monitoring.py).
    metrics.add_metric(name=FAILED_UNITS, unit=MetricUnit.Count, value=len(run.report.failed_units))
    if totals.coverage_percent is not None:
        metrics.add_metric(name="CoveragePercent", unit=MetricUnit.Percent, value=totals.coverage_percent)
    for result in run.sinks:
        if not result.ok:
            logger.error("sink failed", extra={"sink": result.name, "detail": result.detail})
    summary = run.summary()
    logger.info("published", extra=summary)
    return summary
