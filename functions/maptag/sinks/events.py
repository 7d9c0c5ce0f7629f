"""EventBridge: events for automation (ticketing, chat, remediation pipelines).

Source ``maptag``; two detail types:
- ``maptag.scan.completed``: one per run, with totals, coverage, per-type totals, the count and
  (first 100) names of failed units, and the report link;
- ``maptag.unit.failed``: one per unit that could not be evaluated, with its error.
Sent with PutEvents, at most 10 entries and 256 KB per call; refused entries are retried.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import Clients, describe_error
from maptag.names import EVENT_SOURCE
from maptag.report.model import ScanReport
from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded
from maptag.sinks.sink import Delivery, Sink
from maptag.sinks.sns_digest import status_of

logger = logging.getLogger(__name__)

NAME = "events"
SCAN_COMPLETED = "maptag.scan.completed"
UNIT_FAILED = "maptag.unit.failed"
BATCH = 10  # PutEvents: at most 10 entries per call
SIZE_LIMIT = 256 * 1024  # PutEvents: per entry and per call
FAILED_UNITS_LISTED = 100  # in the summary; every failed unit also gets its own event
ERROR_CHARS = 4000
ATTEMPTS = 3
# PutEvents entry errors worth sending again (the others will fail the same way)
RETRYABLE = frozenset({"InternalFailure", "ThrottlingException"})


def run_events(report: ScanReport, run: RunInfo, *, event_bus: str = "default") -> Iterator[dict[str, Any]]:
    """The PutEvents entries for one run (pure: no AWS)."""
    totals = report.totals
    failed = report.failed_units
    summary = {
        "run_id": run.run_id,
        "scanned_at": run.timestamp,
        "report_url": run.report_url,
        "status": status_of(report),
        "coverage_percent": totals.coverage_shown,
        "totals": totals.to_report(),
        "types": {name: t.to_report() for name, t in report.by_type.items()},
        "units": {"total": len(report.units), "failed": len(failed)},
        "failed_units": [
            {"account_id": r.unit.account_id, "region": r.unit.region} for r in failed[:FAILED_UNITS_LISTED]
        ],
        "failed_units_truncated": len(failed) > FAILED_UNITS_LISTED,
    }
    yield _entry(SCAN_COMPLETED, summary, run, event_bus)
    for result in failed:
        detail = {
            "run_id": run.run_id,
            "scanned_at": run.timestamp,
            "report_url": run.report_url,
            "account_id": result.unit.account_id,
            "region": result.unit.region,
            "error": (result.error or "unknown error")[:ERROR_CHARS],
            "partial_totals": result.totals.to_report(),
        }
        yield _entry(UNIT_FAILED, detail, run, event_bus)


def entry_size(entry: dict[str, Any]) -> int:
    """PutEvents entry size as EventBridge counts it (Time 14 bytes, then UTF-8 lengths)."""
    size = 14 if "Time" in entry else 0
    for key in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(key, "")).encode())
    return size + sum(len(resource.encode()) for resource in entry.get("Resources", []))


def put_run_events(
    report: ScanReport,
    run: RunInfo,
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
    event_bus: str = "default",
) -> SinkOutcome:
    """Send the run's events to ``event_bus`` (name or ARN); never raises."""

    def deliver() -> SinkOutcome:
        chosen = session or boto3.Session()
        client = Clients(chosen, region or chosen.region_name or report.policy.regions[0])("events")
        sender = _Sender(client)
        for batch in batches(run_events(report, run, event_bus=event_bus)):
            sender.send(batch)
        if sender.failed:
            first = next(iter(sender.failed))
            return SinkOutcome(
                NAME, False, f"{len(sender.failed)} of {sender.total} event(s) not delivered (first: {first})"
            )
        return SinkOutcome(NAME, True, f"{sender.total} event(s) sent to {event_bus}")

    return guarded(NAME, deliver)


def batches(entries: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """At most 10 entries and 256 KB per batch."""
    batch: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        cost = entry_size(entry)
        if batch and (len(batch) == BATCH or size + cost > SIZE_LIMIT):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += cost
    if batch:
        yield batch


class _Sender:
    def __init__(self, client: Any, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._sleep = sleep
        self.total = 0
        self.failed: list[str] = []

    def send(self, batch: list[dict[str, Any]]) -> None:
        self.total += len(batch)
        pending = batch
        for attempt in range(ATTEMPTS):
            if attempt:
                self._sleep(0.5 * 2**attempt)
            try:
                # botocore already retried throttling and 5xx on the call as a whole
                response = self._client.put_events(Entries=pending)
            except (ClientError, BotoCoreError) as error:
                self.failed.extend([describe_error(error)] * len(pending))
                return
            refused = [
                (entry, result)
                for entry, result in zip(pending, response["Entries"], strict=True)
                if result.get("ErrorCode")
            ]
            pending = [entry for entry, result in refused if result["ErrorCode"] in RETRYABLE]
            self.failed.extend(
                f"{result['ErrorCode']}: {result.get('ErrorMessage', '')}"
                for _, result in refused
                if result["ErrorCode"] not in RETRYABLE or attempt == ATTEMPTS - 1
            )
            if not pending:
                return
        logger.warning("eventbridge refused %d event(s) after %d attempts", len(pending), ATTEMPTS)


def _entry(detail_type: str, detail: dict[str, Any], run: RunInfo, event_bus: str) -> dict[str, Any]:
    entry = {
        "Time": run.scanned_at,
        "Source": EVENT_SOURCE,
        "DetailType": detail_type,
        "Detail": json.dumps(detail, separators=(",", ":")),
        "EventBusName": event_bus,
    }
    if entry_size(entry) > SIZE_LIMIT:
        # Only an absurdly long error text can get here: drop it rather than the event.
        detail = {**detail, "error": "(too long for an event: see the report)"}
        entry["Detail"] = json.dumps(detail, separators=(",", ":"))
    return entry


def _deliver(report: ScanReport, run: RunInfo, delivery: Delivery) -> SinkOutcome:
    return put_run_events(report, run, session=delivery.session)


SINK = Sink(NAME, "EventBridge events: the run, and each failed unit", _deliver, deployed=True, default=True)
