"""Organization scale: the time and AWS bill of one full deployed scan, from measured unit costs.

    python -m bench.scale [--accounts 1000] [--regions 17] [--concurrency 64] ...

A model, not a measurement. maptag's own costs (CPU per resource, API calls per resource,
start-up CPU) come from the benchmark (bench/results.json), publish's CPU per resource from
bench/publish_cpu.py; AWS latency and prices are stated assumptions. The shape is the
deployed workflow (infra/constructs/scan_workflow.py): plan → a Distributed Map over the
units (account × region) in Express (or Standard) child workflows, one scan_unit Lambda per
unit writing its result and findings to S3 → one publish Lambda that reads them back 16 at a
time and delivers the sinks, Migration Hub's tasks 10 at a time (bench/hub_publish.py measures
that against the local hub). Each printed number names the settings that move it.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

from bench.paging import paging_minimum
from maptag.scan import UNIT_THREADS

RESULTS = Path(__file__).resolve().parent / "results.json"

# Public list prices, us-east-1 (the services' pricing pages, 2025); free tiers ignored.
PRICE = {
    "lambda_gb_s_x86": 0.0000166667,
    "lambda_gb_s_arm": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    "sfn_transition": 0.025 / 1000,  # Standard workflows
    "sfn_express_request": 1.00 / 1e6,
    "sfn_express_gb_s": 0.00001667,  # Express duration, billed in 64 MB steps
    "dynamodb_write": 0.625 / 1e6,  # on-demand write request unit (item ≤ 1 KB)
    "s3_put": 0.005 / 1000,
    "s3_get": 0.0004 / 1000,
    "logs_gb": 0.50,  # CloudWatch Logs ingestion
    "xray_trace": 5.00 / 1e6,
    "securityhub_finding": 0.00003,  # finding ingestion event
    "metric_month_first_10k": 0.30,  # custom metric; "prorated by the hour": an hour per scan
    "metric_month_next": 0.10,
}
HOURS_PER_MONTH = 730
LAMBDA_VCPU_MB = 1769  # Lambda gives a full vCPU at 1,769 MB and proportionally less below
LAMBDA_TIMEOUT_S = 900
# What one try of a unit may take (infra/constructs/scan_workflow.py UNIT_LIMITS).
UNIT_TIMEOUT_S = {"express": 90, "standard": 900}
ORGANIZATIONS_PAGE = 20  # ListAccounts returns at most 20 accounts a call
SECURITY_HUB_BATCH = 100  # BatchImportFindings takes 100 findings a call, GetFindings returns 100
METRICS_PER_UNIT = 4
S3_LIST_PAGE = 1000  # ListObjectsV2 keys a call
CHILD_LOG_KB = 4.0  # a child execution's events at log level ALL (execution data included)
LAMBDA_LOG_KB = 4.0  # an invocation's START/END/REPORT and Powertools lines
UNIT_RECORD_KB = 0.25  # publish's maptag.unit log line for a unit in scope or failed (no unit metrics)
MGH_LIST_PAGE = 100  # ListMigrationTasks returns at most 100 tasks a call (API reference)


@dataclass(frozen=True)
class Measured:
    """maptag's own costs at one vCPU (defaults: measured on the current engine, see
    docs/performance.md, "Organization scale": `python -m bench.run --sizes 1000,10000`)."""

    cpu_fixed_s: float = 0.93  # interpreter, imports, set-up: paid at each cold start
    cpu_per_resource_s: float = 0.00022  # parsing, tag reads, judge, findings, per resource
    # API calls per resource beyond one list call per type: S3, DynamoDB and Lambda tags come
    # 100 at a time through the Tagging API (66 calls at 10,002 resources, 33 at 1,002)
    calls_per_resource: float = 0.0037
    # An empty unit of every type (its 38 services' clients and its ~70 list calls) when the
    # process's botocore loader already holds the service models (a session kept across warm
    # invocations; assumed-role sessions share the caller's loader): 0.78 s of CPU measured by
    # `python -m bench.empty_unit` (warm, 0 ms a call); with a new session per invocation,
    # parsing the 38 models again adds ~1.2 s (cProfile, json decoding), an estimate.
    cpu_per_unit_s: float = 2.0
    cpu_per_unit_shared_s: float = 0.78
    # publish, per resource and pass (JSON report, HTML report, Security Hub): bench/publish_cpu.py
    publish_cpu_per_resource_pass_s: float = 0.0000055
    # publish, per Migration Hub call (botocore, the local hub's validation included): bench/hub_publish.py
    hub_cpu_per_call_s: float = 0.001

    @classmethod
    def from_results(cls, path: Path) -> Measured:
        """A straight line through maptag's median CPU and calls at the smallest and largest estate."""
        runs = sorted(
            (r for r in json.loads(path.read_text())["runs"] if "maptag" in r), key=lambda r: r["resources"]
        )
        if len(runs) < 2:
            return cls()
        small, large = runs[0], runs[-1]
        span = large["resources"] - small["resources"]
        slope = (large["maptag"]["cpu_s"] - small["maptag"]["cpu_s"]) / span
        calls = (large["maptag"]["api_calls"] - small["maptag"]["api_calls"]) / span
        fixed = small["maptag"]["cpu_s"] - slope * small["resources"]
        return cls(
            cpu_fixed_s=max(0.1, fixed),
            cpu_per_resource_s=max(0.0, slope),
            calls_per_resource=max(0.0, calls),
        )


@dataclass(frozen=True)
class Settings:
    """The estate, the deployment's settings (defaults: as deployed) and the assumptions."""

    accounts: int = 1000
    regions: int = 17
    active_regions: int = 2  # regions of an account holding its resources; the rest are empty
    resources_per_account: int = 500
    # the Distributed Map's MaxConcurrency: the units up to maptag's ceiling (maptag:max_concurrency)
    concurrency: int = 64
    memory_mb: int = 1024  # scan_unit Lambda
    publish_memory_mb: int = 2048
    arm64: bool = True  # every function on Graviton
    children: str = "express"  # maptag:child_workflow: express | standard
    units_per_child: int = 1  # ItemBatcher: units one child (and one Lambda call) scans
    publish_threads: int = 16  # parallel S3 reads when publish rebuilds the report
    skip_empty_shards: bool = True  # publish reads no shard of a unit that counted nothing
    report_passes: int = 3  # reads of every finding: JSON and HTML reports, Security Hub (+1: migration-hub)
    securityhub_changed_only: bool = True  # import only new, changed, resolved and due findings
    securityhub_refresh_days: int = (
        7  # maptag:securityhub_refresh_days: unchanged ones re-sent (0: every run)
    )
    shared_client_models: bool = True  # the handler keeps its boto3 session across invocations
    unit_metrics: bool = False  # maptag:unit_metrics: 4 metrics per account × region (else a log line)
    unit_metrics_in_scope_only: bool = True  # ... only for units with something in scope or that failed
    migration_hub: bool = True  # "migration-hub" in maptag:sinks: a task per unit, notified each run
    hub_workers: int = 10  # tasks sent at once (maptag.migration_hub.publisher.HUB_WORKERS)
    hub_list_tasks: bool = True  # existing tasks from ListMigrationTasks, else a DescribeMigrationTask each
    arm_cpu_factor: float = 1.0  # CPU time on Graviton relative to x86 for this pure-Python work
    # assumptions
    latency_ms: float = 80.0  # mean AWS API round trip from the scanner, cross-region included
    s3_ms: float = 25.0  # one S3 GET or PUT from Lambda
    noncompliant_share: float = 0.05
    changed_share: float = 0.02  # of the findings, those that change between two daily scans


@dataclass(frozen=True)
class Estimate:
    units: int
    wall_s: float
    map_s: float
    publish_s: float
    hub_s: float  # Migration Hub's part of publish on a daily run
    hub_first_s: float  # ... on the first run, when every task is imported
    hub_calls: int
    hub_first_calls: int
    active_unit_s: float  # one try of a unit holding resources, at the scan function's memory
    api_calls: int
    lambda_invocations: int
    lambda_gb_s: float
    sfn_transitions: int
    dynamodb_writes: int
    s3_requests: int
    findings_imported: int
    metrics: int
    bill: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.bill.values())


def empty_unit_calls() -> int:
    """One list call per type in a region with nothing in it, plus the AssumeRole."""
    return paging_minimum({}, ["any-region"]) + 1


def empty_unit_wait_s(latency: float) -> float:
    """An empty unit's calls at ``latency`` each: families of types list UNIT_THREADS at a time
    (maptag.scan), so the wait is the calls divided among them (bench.empty_unit measures it)."""
    return empty_unit_calls() * latency / UNIT_THREADS


def imported_findings(s: Settings, findings: int) -> int:
    """Findings sent to Security Hub per scan: all of them, or the new, changed and resolved ones
    plus the unchanged ones whose refresh is due (spread evenly over the refresh period)."""
    if not s.securityhub_changed_only or s.securityhub_refresh_days <= 0:
        return findings
    changed = findings * s.changed_share
    return round(changed + (findings - changed) / s.securityhub_refresh_days)


def hub_publish(s: Settings, m: Measured, first: bool) -> tuple[int, float]:
    """Migration Hub's calls and seconds in publish (tasks, then the pool).

    A daily run notifies each task (NotifyMigrationTaskState); the first run imports each one
    before (ImportMigrationTask). Which exist comes from ListMigrationTasks, 100 a call, or
    (hub_list_tasks=false, the serial publisher) a DescribeMigrationTask per task. The pool
    sends hub_workers tasks at once; its CPU shares one Lambda. Migration Hub's API has no charge.
    """
    if not s.migration_hub:
        return 0, 0.0
    tasks = s.accounts * s.regions
    latency = s.latency_ms / 1000
    serial = 2 + first  # GetHomeRegion, ListProgressUpdateStreams (+ CreateProgressUpdateStream)
    per_task = 1 + first
    if s.hub_list_tasks:
        serial += max(1, math.ceil((0 if first else tasks) / MGH_LIST_PAGE))
    else:
        per_task += 1
    pooled = tasks * per_task
    cpu_scale = LAMBDA_VCPU_MB / min(s.publish_memory_mb, LAMBDA_VCPU_MB)
    pool_s = max(pooled * latency / s.hub_workers, pooled * m.hub_cpu_per_call_s * cpu_scale)
    return serial + pooled, serial * latency + pool_s


def simulate(s: Settings, m: Measured) -> Estimate:
    units = s.accounts * s.regions
    active = s.accounts * s.active_regions
    per_active = s.resources_per_account / max(1, s.active_regions)
    latency, s3 = s.latency_ms / 1000, s.s3_ms / 1000
    cpu_scale = max(1.0, LAMBDA_VCPU_MB / s.memory_mb) * (s.arm_cpu_factor if s.arm64 else 1.0)

    # A unit: its calls (families of types UNIT_THREADS at a time), its CPU (clients, then per
    # resource) at the Lambda's share of a vCPU, and two S3 writes (result and findings).
    fixed_calls = empty_unit_calls()
    active_calls = fixed_calls + m.calls_per_resource * per_active
    unit_cpu = m.cpu_per_unit_shared_s if s.shared_client_models else m.cpu_per_unit_s
    empty_s = empty_unit_wait_s(latency) + unit_cpu * cpu_scale + 2 * s3
    active_s = (
        empty_s + (active_calls - fixed_calls) * latency + m.cpu_per_resource_s * per_active * cpu_scale
    )
    unit_seconds = (units - active) * empty_s + active * active_s

    invocations = math.ceil(units / s.units_per_child)
    init_s = m.cpu_fixed_s * cpu_scale  # the INIT phase is billed like the handler
    scan_busy = unit_seconds + min(invocations, s.concurrency) * init_s
    map_s = max(scan_busy / s.concurrency, s.units_per_child * active_s + init_s)

    findings = round(s.accounts * s.resources_per_account * s.noncompliant_share)
    imported = imported_findings(s, findings)
    history_rows = 1 + s.accounts + s.regions + units  # run, accounts, regions, units
    shards_read = active if s.skip_empty_shards else units
    publish_cpu_scale = LAMBDA_VCPU_MB / min(s.publish_memory_mb, LAMBDA_VCPU_MB)
    publish_s = (
        # list the results, then read each back; each pass reads the shards again
        math.ceil(units / S3_LIST_PAGE) * s3
        + (units + s.report_passes * shards_read) * s3 / s.publish_threads
        # Security Hub: the active findings (to compare), then the imports
        + (math.ceil(findings / SECURITY_HUB_BATCH) if s.securityhub_changed_only else 0) * latency
        + math.ceil(imported / SECURITY_HUB_BATCH) * latency
        + math.ceil(history_rows / 25) * latency  # BatchWriteItem, 25 items a call
        + m.publish_cpu_per_resource_pass_s
        * s.accounts
        * s.resources_per_account
        * s.report_passes
        * publish_cpu_scale
    )
    hub_calls, hub_s = hub_publish(s, m, first=False)
    hub_first_calls, hub_first_s = hub_publish(s, m, first=True)
    publish_s += hub_s
    plan_s = math.ceil(s.accounts / ORGANIZATIONS_PAGE) * latency + init_s
    wall = plan_s + map_s + publish_s

    if s.children == "standard":
        transitions = 5 + 3 * invocations  # the deploy README's count: ~3 per child + 5
        children_cost = transitions * PRICE["sfn_transition"]
    else:
        transitions = 5
        # an Express child lives as long as its Lambda call, billed at the 64 MB step
        children_cost = (
            invocations * PRICE["sfn_express_request"] + scan_busy * 0.0625 * PRICE["sfn_express_gb_s"]
        )
        children_cost += transitions * PRICE["sfn_transition"]

    gb_s = scan_busy * s.memory_mb / 1024 + (publish_s + plan_s) * s.publish_memory_mb / 1024
    s3_puts = 2 * units + 4  # unit results and findings, the unit list, JSON and HTML reports
    s3_gets = units + s.report_passes * shards_read + math.ceil(units / S3_LIST_PAGE) + 1
    metric_units = active if s.unit_metrics_in_scope_only else units
    unit_records = 0 if s.unit_metrics else metric_units
    log_kb = invocations * (LAMBDA_LOG_KB + CHILD_LOG_KB) + transitions * 2 + unit_records * UNIT_RECORD_KB
    log_gb = log_kb / 1024 / 1024
    traced = min(invocations, wall) + 0.05 * max(0, invocations - wall)  # X-Ray: 1/s + 5 %
    metrics = metric_units * METRICS_PER_UNIT if s.unit_metrics else METRICS_PER_UNIT
    metric_month = (
        min(metrics, 10_000) * PRICE["metric_month_first_10k"]
        + max(0, metrics - 10_000) * PRICE["metric_month_next"]
    )
    bill = {
        "Lambda (GB-s, INIT included)": gb_s * PRICE["lambda_gb_s_arm" if s.arm64 else "lambda_gb_s_x86"],
        "Lambda requests": (invocations + 2) * PRICE["lambda_request"],
        "Step Functions": children_cost,
        "DynamoDB writes (history)": history_rows * PRICE["dynamodb_write"],
        "S3 requests": s3_puts * PRICE["s3_put"] + s3_gets * PRICE["s3_get"],
        "CloudWatch Logs": log_gb * PRICE["logs_gb"],
        "X-Ray": traced * PRICE["xray_trace"],
        "Security Hub ingestion": imported * PRICE["securityhub_finding"],
        "CloudWatch metrics": metric_month / HOURS_PER_MONTH,
        "Migration Hub API (no charge)": 0.0,
    }
    api_calls = round((units - active) * fixed_calls + active * active_calls)
    return Estimate(
        units=units,
        wall_s=wall,
        map_s=map_s,
        publish_s=publish_s,
        hub_s=hub_s,
        hub_first_s=hub_first_s,
        hub_calls=hub_calls,
        hub_first_calls=hub_first_calls,
        active_unit_s=active_s * s.units_per_child,
        api_calls=api_calls,
        lambda_invocations=invocations + 2,
        lambda_gb_s=gb_s,
        sfn_transitions=transitions,
        dynamodb_writes=history_rows,
        s3_requests=s3_puts + s3_gets,
        findings_imported=imported,
        metrics=metrics,
        bill=bill,
    )


def largest_unit(s: Settings, m: Measured) -> int:
    """Resources one unit can hold and still finish a try within the child type's time limit."""
    latency = s.latency_ms / 1000
    cpu_scale = max(1.0, LAMBDA_VCPU_MB / s.memory_mb) * (s.arm_cpu_factor if s.arm64 else 1.0)
    unit_cpu = m.cpu_per_unit_shared_s if s.shared_client_models else m.cpu_per_unit_s
    # a cold start, the empty unit's calls, then each resource's share of calls and CPU
    fixed = m.cpu_fixed_s * cpu_scale + empty_unit_wait_s(latency) + unit_cpu * cpu_scale + 2 * s.s3_ms / 1000
    per_resource = m.calls_per_resource * latency + m.cpu_per_resource_s * cpu_scale
    return max(0, math.floor((UNIT_TIMEOUT_S[s.children] - fixed) / per_resource))


# The deployment as it ships (with any flags given), the deployment before the scale work
# and before issue 13's defaults (flags to model them); docs/deploy.md has the figures.
DEPLOYED = Settings()
# Until issue 13: a fixed MaxConcurrency of 8, 4 custom metrics per unit with something in scope,
# and Migration Hub not a default sink.
PREVIOUS = {"concurrency": 8, "unit_metrics": True, "migration_hub": False}
# Issue 13's Migration Hub sink as first written: one task after another, each described first.
SERIAL_HUB = {"hub_workers": 1, "hub_list_tasks": False}
BEFORE = {
    **PREVIOUS,
    "children": "standard",
    "memory_mb": 1024,
    "arm64": False,
    "shared_client_models": False,
    "publish_threads": 1,
    "skip_empty_shards": False,
    "securityhub_changed_only": False,
    "unit_metrics_in_scope_only": False,
}


def scenarios(base: Settings) -> dict[str, Settings]:
    return {
        "before (Standard children, 1 GB x86, a session per unit, serial publish, every finding re-sent)": (
            replace(base, **BEFORE)  # type: ignore[arg-type]
        ),
        "previous defaults (max_concurrency=8, unit_metrics=true, no migration-hub)": replace(
            base, **PREVIOUS
        ),  # type: ignore[arg-type]
        "migration-hub sent serially (hub_workers=1, hub_list_tasks=false)": replace(base, **SERIAL_HUB),  # type: ignore[arg-type]
        "as deployed": base,
    }


TARGET_WALL_S = 15 * 60
TARGET_BILL = 1.00


def compare(scenarios: dict[str, Settings], m: Measured) -> str:
    estimates = {name: simulate(s, m) for name, s in scenarios.items()}
    largest = {name: largest_unit(s, m) for name, s in scenarios.items()}
    names = list(estimates)
    rows: list[tuple[str, str, object]] = [
        ("wall time, min", "max_concurrency, latency, regions", lambda e: f"{e.wall_s / 60:.1f}"),
        ("  of which the Map, min", "max_concurrency, memory, session kept", lambda e: f"{e.map_s / 60:.1f}"),
        ("  of which publish, min", "publish threads, report passes", lambda e: f"{e.publish_s / 60:.1f}"),
        (
            "    of which Migration Hub, min (first run)",
            "hub_workers, hub_list_tasks, latency, units",
            lambda e: f"{e.hub_s / 60:.1f} ({e.hub_first_s / 60:.1f})",
        ),
        ("a unit with resources, s", "memory, latency, resources", lambda e: f"{e.active_unit_s:.1f}"),
        ("AWS API calls (free)", "regions, resources", lambda e: f"{e.api_calls:,}"),
        (
            "Migration Hub calls (free), daily (first run)",
            "units, hub_list_tasks",
            lambda e: f"{e.hub_calls:,} ({e.hub_first_calls:,})",
        ),
        ("Lambda invocations", "units per child", lambda e: f"{e.lambda_invocations:,}"),
        ("Lambda GB-seconds", "memory, latency, regions, session kept", lambda e: f"{e.lambda_gb_s:,.0f}"),
        ("Step Functions transitions", "child workflow type", lambda e: f"{e.sfn_transitions:,}"),
        ("DynamoDB writes", "accounts × regions (history rows)", lambda e: f"{e.dynamodb_writes:,}"),
        ("S3 requests", "accounts × regions, skipped empty shards", lambda e: f"{e.s3_requests:,}"),
        (
            "Security Hub findings imported",
            "changed findings only, refresh days",
            lambda e: f"{e.findings_imported:,}",
        ),
        ("custom metrics", "unit_metrics (in-scope units only)", lambda e: f"{e.metrics:,}"),
    ]
    lines = [
        "| per full scan | " + " | ".join(names) + " | moved by |",
        "|---|" + "---:|" * len(names) + "---|",
    ]
    for label, moved_by, show in rows:
        cells = " | ".join(show(estimates[n]) for n in names)  # type: ignore[operator]
        lines.append(f"| {label} | {cells} | {moved_by} |")
    cells = " | ".join(f"{largest[n]:,}" for n in names)
    lines.append(f"| largest unit a try can hold, resources | {cells} | child workflow type, memory |")
    for item in estimates[names[0]].bill:
        cells = " | ".join(f"{estimates[n].bill[item]:.3f}" for n in names)
        lines.append(f"| {item}, USD | {cells} | |")
    lines.append(
        "| **AWS bill per scan, USD** | "
        + " | ".join(f"**{estimates[n].total:.2f}**" for n in names)
        + " | |"
    )
    met = [
        ("yes" if e.wall_s <= TARGET_WALL_S and e.total <= TARGET_BILL else "no") for e in estimates.values()
    ]
    lines.append("| **meets ≤ 15 min and ≤ $1** | " + " | ".join(f"**{m_}**" for m_ in met) + " | |")
    for name, e in estimates.items():
        s = scenarios[name]
        first_run_s = e.publish_s - e.hub_s + e.hub_first_s
        if first_run_s > LAMBDA_TIMEOUT_S:
            lines.append(
                f"\n⚠ {name}: publish needs {e.publish_s / 60:.0f} min ({first_run_s / 60:.0f} on the "
                "first run), past Lambda's 15-minute limit."
            )
        if e.active_unit_s > UNIT_TIMEOUT_S[s.children]:
            lines.append(
                f"\n⚠ {name}: a unit needs {e.active_unit_s:.0f} s, past the {UNIT_TIMEOUT_S[s.children]} s "
                f"one try may take with maptag:child_workflow={s.children}."
            )
    return "\n".join(lines)


def monthly(s: Settings, m: Measured, runs: int) -> str:
    """The per-scan bill of ``s`` times ``runs`` scans a month (the README's cost table)."""
    e = simulate(s, m)
    lines = [
        f"| item | per scan, USD | per month ({runs} scans), USD |",
        "|---|---:|---:|",
        *(f"| {item} | {cost:.4f} | {cost * runs:.2f} |" for item, cost in e.bill.items()),
        f"| **total** | **{e.total:.4f}** | **{e.total * runs:.2f}** |",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Organization-scale estimate of a deployed maptag scan")
    for f in fields(Settings):
        value = getattr(DEPLOYED, f.name)
        flag = "--" + f.name.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, choices=("true", "false"), help=f"(as deployed: {str(value).lower()})")
        else:
            parser.add_argument(flag, type=type(value), help=f"(as deployed: {value})")
    parser.add_argument("--results", type=Path, default=RESULTS, help="bench/results.json for measured costs")
    parser.add_argument(
        "--monthly",
        type=int,
        metavar="RUNS",
        help="print the as-deployed bill for RUNS scans a month instead",
    )
    args = parser.parse_args(argv)
    changes = {
        f.name: (
            getattr(args, f.name) == "true"
            if isinstance(getattr(DEPLOYED, f.name), bool)
            else getattr(args, f.name)
        )
        for f in fields(Settings)
        if getattr(args, f.name) is not None
    }
    if changes.get("children", "express") not in UNIT_TIMEOUT_S:
        parser.error(f"--children: {changes['children']!r} is neither express nor standard")
    measured = Measured.from_results(args.results) if args.results.exists() else Measured()
    s = replace(DEPLOYED, **changes)
    print(
        f"{s.accounts:,} accounts × {s.regions} regions = {s.accounts * s.regions:,} units; "
        f"{s.resources_per_account:,} resources per account in {s.active_regions} of its regions; "
        f"AWS round trip {s.latency_ms:.0f} ms"
    )
    print(
        f"measured ({'bench/results.json' if args.results.exists() else 'defaults'}): "
        f"{measured.cpu_fixed_s:.2f} s CPU to start, {measured.cpu_per_unit_s:.3f} s per unit "
        f"({measured.cpu_per_unit_shared_s:.3f} s with the session kept), "
        f"{measured.cpu_per_resource_s * 1000:.2f} ms CPU and "
        f"{measured.calls_per_resource:.3f} API calls per resource"
    )
    print()
    print(monthly(s, measured, args.monthly) if args.monthly else compare(scenarios(s), measured))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
