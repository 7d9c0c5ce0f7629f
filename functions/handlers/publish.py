"""Publish: rebuild the run's report from S3, store it, and deliver it to every sink."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from handlers.observability import deployed, logger, metrics, tracer
from maptag.app.workflow import PublishRunRequest, publish_run
from maptag.names import FAILED_UNITS_METRIC


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
    deployment = deployed()
    run = publish_run(deployment, PublishRunRequest(event.run_id, event.started_at, event.map_result))
    if "metrics" not in deployment.config.sinks:
        # The FailedUnits alarm watches this metric even when the metrics sink is off.
        metrics.add_metric(
            name=FAILED_UNITS_METRIC, unit=MetricUnit.Count, value=len(run.report.failed_units)
        )
    for outcome in run.outcomes:
        if not outcome.ok:
            logger.error("sink failed", extra={"sink": outcome.name, "detail": outcome.detail})
        elif outcome.skipped:
            # Not a failure (no alarm): the digest and the run result say it once.
            logger.warning("sink skipped", extra={"sink": outcome.name, "detail": outcome.detail})
        else:
            # what each sink did (e.g. Security Hub's created/updated/unchanged counts)
            logger.info("sink delivered", extra={"sink": outcome.name, "detail": outcome.detail})
    summary = run.summary()
    logger.info("published", extra=summary)
    return summary
