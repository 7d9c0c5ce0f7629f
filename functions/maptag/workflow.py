"""The deployed workflow's three steps as plain functions: plan, scan one unit, publish.

The Lambda handlers (functions/handlers/) are thin shells over these; the state machine
passes only S3 keys and small summaries between them (maptag.run_store).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import CLIENT_CONFIG, describe_error
from maptag.deploy_config import DeployConfig
from maptag.model import ScanUnit
from maptag.run_store import RunStore, run_id_of
from maptag.scan import AccountAccess, UnitResult, plan, scan_unit
from maptag.sinks.report import ScanReport, write_html, write_json

# A unit whose result is missing and whose failure the Map did not record either.
NO_RESULT = "the unit's scan ended without writing a result (see the state machine's execution history)"
_ERROR_LIMIT = 500


@dataclass(frozen=True)
class Resources:
    """What the deployment created, as the handlers find it in their environment."""

    bucket: str
    table: str | None = None
    topic_arn: str | None = None


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
        "unit_count": len(scan_plan.units),
    }


def scan_run_unit(
    config: DeployConfig,
    session: boto3.Session,
    resources: Resources,
    run_id: str,
    unit: ScanUnit,
    caller_account: str,
) -> dict[str, Any]:
    """Scan one unit, write its findings and result to S3; a failure is a failed result."""
    store = RunStore(_s3(session), resources.bucket, run_id)
    access = AccountAccess(session, config.policy, caller_account)
    try:
        clients = access.clients(unit)
        with store.findings_writer(unit) as emit:
            result = scan_unit(unit, clients, config.policy, emit, buckets=access.buckets(unit, clients))
    except (ClientError, BotoCoreError) as error:
        # The member role could not be assumed, or the account is closed: loudly failed.
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


@dataclass(frozen=True)
class SinkResult:
    name: str
    ok: bool
    detail: str


@dataclass
class PublishedRun:
    """A finished run, reconstructed from S3: what every sink is given."""

    run_id: str
    started_at: datetime
    report: ScanReport
    report_keys: dict[str, str]
    report_url: str
    sinks: list[SinkResult] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        totals = self.report.totals
        return {
            "run_id": self.run_id,
            "units": len(self.report.units),
            "failed_units": len(self.report.failed_units),
            "totals": totals.to_report(),
            "report": self.report_keys,
            "sinks": {s.name: ("ok" if s.ok else f"failed: {s.detail}") for s in self.sinks},
        }


Sink = Callable[[PublishedRun, DeployConfig, boto3.Session, Resources], SinkResult]


def publish_run(
    config: DeployConfig,
    session: boto3.Session,
    resources: Resources,
    run_id: str,
    started_at: datetime,
    map_result: Mapping[str, Any] | None,
    sinks: Mapping[str, Sink],
) -> PublishedRun:
    """Rebuild the run's report from S3, store it, and deliver it to every configured sink."""
    s3 = _s3(session)
    store = RunStore(s3, resources.bucket, run_id)
    planned = store.read_units()
    written = store.read_results()
    failures = map_failures(s3, map_result)
    results = [
        written.get(unit) or UnitResult(unit=unit, status="failed", error=failures.get(unit, NO_RESULT))
        for unit in planned
    ]
    report = ScanReport(policy=config.policy, units=results, spool=store, generated_at=started_at)
    json_text, html_text = io.StringIO(), io.StringIO()
    write_json(report, json_text)
    write_html(report, html_text)
    keys = {
        "json": store.put_report("report.json", json_text.getvalue().encode(), "application/json"),
        "html": store.put_report("report.html", html_text.getvalue().encode(), "text/html; charset=utf-8"),
    }
    run = PublishedRun(
        run_id=run_id,
        started_at=started_at,
        report=report,
        report_keys=keys,
        report_url=f"s3://{resources.bucket}/{keys['html']}",
    )
    for name in config.sinks:
        sink = sinks.get(name)
        if sink is None:
            run.sinks.append(SinkResult(name, False, "this build has no such sink"))
            continue
        try:
            run.sinks.append(sink(run, config, session, resources))
        except Exception as error:
            # One sink's failure never hides the others' (they run one after another).
            run.sinks.append(SinkResult(name, False, describe_error(error)))
    return run


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


def _s3(session: boto3.Session) -> Any:
    return session.client("s3", config=CLIENT_CONFIG)
