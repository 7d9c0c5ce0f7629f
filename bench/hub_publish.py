"""Migration Hub publish at scale, measured against the local Migration Hub in process.

    python -m bench.hub_publish [--accounts 200] [--regions 17] [--latency-ms 0] [--workers 10]

Publishes one task per account × region twice (a first run that imports every task, then
the next day's run) through the real publisher (maptag.migration_hub.publisher) with the local
hub attached to the session (no socket). Each mgh call can be held `--latency-ms` to stand
for the round trip to the home region. Prints, per run, the calls by operation, the wall
time and the CPU per call (the local hub's own request validation included, so an upper
bound), then one JSON line. bench/scale.py models 1,000 × 17 from these figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from maptag.coverage import Totals
from maptag.local.migration_hub import HubState, LocalMigrationHub, attach
from maptag.migration_hub.outbox import FileOutbox
from maptag.migration_hub.publisher import (
    HUB_WORKERS,
    HubSettings,
    MigrationHubPublisher,
    RetryPolicy,
    plan_updates,
)

HOME = "us-west-2"
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# the 17 regions bench/scale.py assumes an Organization scans
REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2",
    "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "sa-east-1",
)  # fmt: skip


def hub_report(accounts: int, regions: Sequence[str], at: datetime = T0) -> dict[str, Any]:
    """A parsed scan report with one unit per account × region (account n: n % 7 missing of 10 + n % 7)."""
    units = [
        {
            "account_id": f"{n:012d}",
            "region": region,
            "status": "ok",
            "error": None,
            "totals": Totals(compliant=10, missing=n % 7).to_report(),
        }
        for n in range(accounts)
        for region in regions
    ]
    return {
        "schema": "maptag/scan-report@1",
        "generated_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "units": units,
        "resources": [],
    }


def measure(accounts: int, regions: Sequence[str], latency_s: float, workers: int) -> list[dict[str, Any]]:
    state = HubState()
    hub = LocalMigrationHub(state)
    hub.set_home_region(HOME)
    # Placeholder credentials: the requests are signed as usual but never leave the process.
    session = boto3.Session(region_name=HOME, aws_access_key_id="bench", aws_secret_access_key="bench")  # noqa: S106
    if latency_s:
        session.events.register_first("before-send.migration-hub", lambda **_: time.sleep(latency_s))
    attach(session, hub)
    runs = []
    with tempfile.TemporaryDirectory() as work:
        outbox = FileOutbox(Path(work) / "outbox.json")
        publisher = MigrationHubPublisher(session, HOME, outbox=outbox, retry=RetryPolicy(), workers=workers)
        for name, day in (("first run", 0), ("next day", 1)):
            updates = plan_updates(hub_report(accounts, regions, T0 + timedelta(days=day)), [], HubSettings())
            state.calls.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            result = publisher.publish(updates)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if result.failed:
                raise SystemExit(f"publish failed: {result.error}")
            calls = Counter(call.operation for call in state.calls if call.service == "mgh")
            runs.append(
                {
                    "run": name,
                    "tasks": len(updates),
                    "calls": dict(sorted(calls.items())),
                    "calls_per_task": round(sum(calls.values()) / len(updates), 3),
                    "wall_s": round(wall, 2),
                    "cpu_per_call_ms": round(1000 * cpu / max(1, sum(calls.values())), 3),
                }
            )
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Migration Hub publish against the local hub, in process")
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--regions", type=int, default=len(REGIONS), choices=range(1, len(REGIONS) + 1))
    parser.add_argument("--latency-ms", type=float, default=0.0, help="held per mgh call (a round trip)")
    parser.add_argument("--workers", type=int, default=HUB_WORKERS)
    args = parser.parse_args(argv)
    runs = measure(args.accounts, REGIONS[: args.regions], args.latency_ms / 1000, args.workers)
    for run in runs:
        print(
            f"{run['run']}: {run['tasks']:,} tasks, {run['calls_per_task']} calls a task "
            f"({', '.join(f'{op} {n:,}' for op, n in run['calls'].items())}), {run['wall_s']} s "
            f"with {args.workers} workers at {args.latency_ms:.0f} ms a call, "
            f"{run['cpu_per_call_ms']} ms CPU a call"
        )
    print(json.dumps({"workers": args.workers, "latency_ms": args.latency_ms, "runs": runs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
