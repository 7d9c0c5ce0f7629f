"""Plan: the Organization's (or the configured) accounts × regions into the run's unit list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from handlers.observability import deployed, logger, metrics, tracer
from maptag.app.workflow import PlanRequest, plan_run


class PlanEvent(BaseModel):
    """The state machine passes its execution's name and start time."""

    execution_name: str
    started_at: datetime


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=PlanEvent)
def handler(event: PlanEvent, _context: LambdaContext) -> dict[str, Any]:
    planned = plan_run(deployed(), PlanRequest(event.execution_name, event.started_at))
    metrics.add_metric(name="Units", unit=MetricUnit.Count, value=planned.unit_count)
    logger.info("planned", extra={"run_id": planned.run_id, "units": planned.unit_count})
    return planned.summary()
