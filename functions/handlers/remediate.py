"""Remediate: the run's fix plan, applied through maptag-member-tagger with maptag:remediation=apply."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from handlers.observability import deployed, logger, metrics, tracer
from maptag.app import remediate


class RemediateEvent(BaseModel):
    """The state after publish: the run it fixes."""

    run_id: str
    started_at: datetime


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=RemediateEvent)
def handler(event: RemediateEvent, _context: LambdaContext) -> dict[str, Any]:
    result = remediate.run(deployed(), remediate.RemediateRequest(event.run_id, event.started_at))
    summary = result.summary()
    if result.complete:
        logger.info("remediated", extra=summary)
    else:
        logger.error("remediation incomplete", extra=summary)
    return summary
