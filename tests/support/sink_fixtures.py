"""Finished runs for the findings-sink tests: real ScanReports, from a real scan or built
from real Finding objects (the same objects the scan engine emits)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

from maptag.model import Finding, Judgement, Resource, ScanUnit, Verdict
from maptag.names import TABLE_PARTITION_KEY, TABLE_SORT_KEY, TABLE_TTL_ATTRIBUTE
from maptag.policy import Policy
from maptag.report.model import FindingSpool, ScanReport
from maptag.scan import UnitResult, plan, run_scan

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"

REASONS = {
    Verdict.COMPLIANT: ("tagged map-migrated=mig12345", "map-migrated", "mig12345", None),
    Verdict.MISSING: ("no 'map-migrated' tag", None, None, "add tag map-migrated=mig12345"),
    Verdict.NEAR_MISS_KEY: (
        "key 'Map-Migrated' differs from 'map-migrated' by case",
        "Map-Migrated",
        "mig12345",
        "rename key 'Map-Migrated' to 'map-migrated'",
    ),
    Verdict.INVALID_VALUE: (
        "value 'MIG12345' has the wrong case",
        "map-migrated",
        "MIG12345",
        "set value to 'mig12345'",
    ),
    Verdict.UNREADABLE: ("tags could not be read: AccessDenied", None, None, None),
    Verdict.EXCLUDED: ("created before the agreement start", None, None, None),
}


def finding(
    unit: ScanUnit, verdict: Verdict, name: str, rtype: str = "ec2:volume", created: datetime | None = None
) -> Finding:
    """A finding as the engine makes it, with the reason/fix wording of judge.py."""
    reason, key, value, fix = REASONS[verdict]
    kind = rtype.split(":")[1]
    resource = Resource(
        arn=f"arn:aws:ec2:{unit.region}:{unit.account_id}:{kind}/{name}",
        type=rtype,
        account_id=unit.account_id,
        region=unit.region,
        resource_id=name,
        created=created,
        tags=None if verdict is Verdict.UNREADABLE else {},
    )
    return Finding.of(resource, Judgement(verdict, reason, key, value, fix))


@dataclass
class UnitSpec:
    unit: ScanUnit
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None


@contextmanager
def built_report(
    specs: Sequence[UnitSpec], policy: Policy | None = None, generated_at: datetime | None = None
) -> Iterator[ScanReport]:
    """A ScanReport whose units and spooled findings are exactly ``specs``."""
    spool = FindingSpool()
    results = []
    for spec in specs:
        write = spool.writer(spec.unit)
        counts: Counter[tuple[str, Verdict]] = Counter()
        for item in spec.findings:
            write(item)
            counts[(item.resource.type, item.verdict)] += 1
        results.append(
            UnitResult(
                unit=spec.unit,
                status="failed" if spec.error else "ok",
                error=spec.error,
                counts=dict(counts),
            )
        )
    regions = tuple(dict.fromkeys(spec.unit.region for spec in specs)) or ("us-east-1",)
    chosen = policy or Policy.build(mpe_ids=["mig12345"], regions=list(regions))
    report = ScanReport(
        policy=chosen, units=results, spool=spool, generated_at=generated_at or datetime.now(UTC)
    )
    try:
        yield report
    finally:
        spool.close()


def many(
    unit: ScanUnit, verdict: Verdict, count: int, prefix: str, rtype: str = "ec2:volume"
) -> list[Finding]:
    return [finding(unit, verdict, f"{prefix}-{index:05d}", rtype) for index in range(count)]


@contextmanager
def scanned_report(policy: Policy, session: boto3.Session | None = None) -> Iterator[ScanReport]:
    """Run the real scan engine (over moto) and hand back its report."""
    chosen = session or boto3.Session()
    scan_plan = plan(policy, chosen)
    spool = FindingSpool()
    try:
        results = list(run_scan(policy, chosen, scan_plan.units, scan_plan.caller_account, spool.writer))
        yield ScanReport(policy=policy, units=results, spool=spool)
    finally:
        spool.close()


def verdicts(report: ScanReport) -> Iterable[tuple[str, str]]:
    return [(item["arn"], item["verdict"]) for item in report.resources()]


def create_history_table(dynamodb: Any, name: str) -> None:
    """The history table as the deployment defines it (infra/constructs/history.py): pk/sk
    strings, on-demand, TTL on expires_at."""
    keys = ((TABLE_PARTITION_KEY, "HASH"), (TABLE_SORT_KEY, "RANGE"))
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in keys],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key, _ in keys],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TABLE_TTL_ATTRIBUTE}
    )
