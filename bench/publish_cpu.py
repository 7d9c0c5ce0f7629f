"""publish's CPU per resource: each pass the deployed publish makes over a run's findings.

    python -m bench.publish_cpu [--resources 50000]

Publish reads every finding back once per pass: the JSON report, the HTML report, and the
Security Hub sink (an ASFF finding and its fingerprint per non-compliant resource). This
times each pass over a spooled report (no AWS: the reads and imports are modelled in
bench/scale.py) and prints CPU seconds per resource per pass, one JSON line at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from maptag.model import Finding, Resource, ScanUnit, Verdict
from maptag.policy import Policy
from maptag.report.html import write_html
from maptag.report.json_csv import write_json
from maptag.report.model import FindingSpool, ScanReport
from maptag.scan import UnitResult
from maptag.sinks.outcome import RunInfo
from maptag.sinks.security_hub import SEVERITY, Hub, asff_finding, finding_id

REGION = "us-east-1"
NONCOMPLIANT_SHARE = 0.05  # as bench/scale.py assumes


def build_report(resources: int, units: int = 50) -> ScanReport:
    spool = FindingSpool()
    results = []
    per_unit = resources // units
    every = round(1 / NONCOMPLIANT_SHARE)
    for u in range(units):
        account = f"{100000000000 + u:012d}"
        unit = ScanUnit(account, REGION)
        write = spool.writer(unit)
        counts: dict[tuple[str, Verdict], int] = {}
        for n in range(per_unit):
            volume = f"vol-{u:06x}{n:011x}"
            verdict = Verdict.MISSING if n % every == 0 else Verdict.COMPLIANT
            tags = {} if verdict == Verdict.MISSING else {"map-migrated": "mig12345"}
            resource = Resource(
                f"arn:aws:ec2:{REGION}:{account}:volume/{volume}",
                "ec2:volume",
                account,
                REGION,
                volume,
                datetime(2026, 1, 2, tzinfo=UTC),
                tags,
            )
            key, value = ("map-migrated", "mig12345") if tags else (None, None)
            write(Finding(resource, verdict, "a reason of ordinary length for this verdict", key, value))
            counts[("ec2:volume", verdict)] = counts.get(("ec2:volume", verdict), 0) + 1
        results.append(UnitResult(unit=unit, status="ok", error=None, counts=counts))
    policy = Policy.build(mpe_ids="12345", regions=REGION)
    return ScanReport(policy=policy, units=results, spool=spool)


def security_hub_pass(report: ScanReport) -> None:
    run = RunInfo(run_id="bench", scanned_at=datetime(2026, 11, 23, tzinfo=UTC))
    hub = Hub(region=REGION, account_id="123456789012")
    for resource in report.resources():
        finding_id(resource["arn"])
        if resource["verdict"] in SEVERITY:
            asff_finding(resource, run, hub, None)


def cpu_of(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="publish's CPU per resource per pass")
    parser.add_argument("--resources", type=int, default=50_000)
    args = parser.parse_args(argv)
    report = build_report(args.resources)
    passes = {
        "json": cpu_of(lambda: write_json(report, io.StringIO())),
        "html": cpu_of(lambda: write_html(report, io.StringIO())),
        "security-hub": cpu_of(lambda: security_hub_pass(report)),
    }
    total = sum(sum(result.counts.values()) for result in report.units)
    per_resource = {name: seconds / total for name, seconds in passes.items()}
    for name, seconds in passes.items():
        print(f"{name:>13}: {seconds:6.2f} s CPU, {per_resource[name] * 1e6:6.1f} µs per resource")
    print(json.dumps({"resources": total, "cpu_per_resource_s": per_resource}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
