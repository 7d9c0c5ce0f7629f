"""Scan one account × region: assume the member role, scan, write the unit's shard to S3."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from handlers.observability import deployed, logger, metrics, tracer
from maptag.app.workflow import UnitRequest, scan_run_unit
from maptag.model import ScanUnit
from maptag.policy import ACCOUNT_ID, REGION_NAME


class UnitEvent(BaseModel):
    """One item of the Distributed Map (its ItemSelector)."""

    run_id: str
    account_id: str = Field(pattern=f"^{ACCOUNT_ID.pattern}$")
    region: str = Field(pattern=f"^{REGION_NAME.pattern}$")
    caller_account: str = Field(pattern=f"^{ACCOUNT_ID.pattern}$")
    # this run also counts the types the scan does not cover (maptag:inventory)
    inventory: bool = False


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=UnitEvent)
def handler(event: UnitEvent, _context: LambdaContext) -> dict[str, Any]:
    unit = ScanUnit(event.account_id, event.region)
    scanned = scan_run_unit(
        deployed(), UnitRequest(event.run_id, unit, event.caller_account, inventory=event.inventory)
    )
    in_scope = scanned.result.totals.in_scope
    metrics.add_metric(name="ResourcesInScope", unit=MetricUnit.Count, value=in_scope)
    if scanned.failed:
        logger.error("unit failed", extra={"unit": unit.key, "error": scanned.result.error})
    else:
        logger.info("unit scanned", extra={"unit": unit.key, "in_scope": in_scope})
    return scanned.summary()
