"""One unit of an empty account × region, every type the bench server answers, timed (issue 9).

    python -m bench.empty_unit [--latency-ms 0,80] [--repeat 5]

Issue 9's target: a unit of an empty account × region with every type finishes in ≤ 2 s. For
each latency, bench/server.py serves an empty account (``--size 0``) and adds that latency to
every call (80 ms: the mean AWS round trip bench/scale.py assumes, cross-region included);
then a fresh child process scans units as the scan_unit Lambda does (AccountAccess.clients,
scan_unit): the first unit of the process is "cold" (every client made, every service model
loaded: a Lambda cold start after its imports), the next ones "warm" (a reused container, new
clients). The seven types moto does not model (maptag.local.embedded.NOT_MODELLED) cannot be
asked of the bench server: they would fail the unit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from bench.run import REGIONS, ROOT, tool_env

ACCOUNT = "123456789012"  # moto's default account: the caller, no role to assume


def units_in_process(count: int) -> list[dict[str, Any]]:
    """In the child: ``count`` units scanned one after another, each timed (wall, calls)."""
    import boto3

    from maptag.local.embedded import EMBEDDED_TYPES
    from maptag.model import ScanUnit
    from maptag.policy import Policy
    from maptag.scan import AccountAccess, scan_unit

    policy = Policy.build(mpe_ids=["12345"], regions=list(REGIONS), types=list(EMBEDDED_TYPES))
    timings = []
    for index in range(count):
        unit = ScanUnit(ACCOUNT, REGIONS[index % len(REGIONS)])
        started, cpu = time.perf_counter(), time.process_time()
        clients = AccountAccess(boto3.Session(), policy, ACCOUNT).clients(unit)
        result = scan_unit(unit, clients, policy, lambda _finding: None)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        if result.status != "ok":
            raise SystemExit(f"bench: the empty unit {unit.key} failed: {result.error}")
        timings.append(
            {
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "types": len(EMBEDDED_TYPES),
                "skipped": len(result.skipped_types),
            }
        )
    return timings


def measure(latency_ms: float, repeat: int) -> dict[str, Any]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.server", "--size", "0", "--latency-ms", str(latency_ms)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = json.loads(server.stdout.readline())["url"]
        cold, warm, warm_cpu = [], [], []
        for _ in range(repeat):  # a fresh process each time: its first unit is a cold one
            done = subprocess.run(
                [sys.executable, "-m", "bench.empty_unit", "--child", "3"],
                cwd=ROOT,
                env=tool_env(url),
                capture_output=True,
                text=True,
                check=True,
            )
            timings = json.loads(done.stdout.strip().splitlines()[-1])
            cold.append(timings[0]["wall_s"])
            warm.extend(t["wall_s"] for t in timings[1:])
            warm_cpu.extend(t["cpu_s"] for t in timings[1:])
        return {
            "latency_ms": latency_ms,
            "types": timings[0]["types"],
            "cold_s": round(statistics.median(cold), 2),
            "warm_s": round(statistics.median(warm), 2),
            "cold_max_s": max(cold),
            "warm_cpu_s": round(statistics.median(warm_cpu), 3),
        }
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", default="0,80", help="added to every call, comma-separated (0,80)")
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per latency (5)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(units_in_process(args.child)))
        return 0
    try:
        latencies = [float(part) for part in args.latency_ms.split(",") if part.strip()]
    except ValueError:
        parser.error(f"--latency-ms: {args.latency_ms!r} is not a comma-separated list of numbers")
    if args.repeat < 1:
        parser.error(f"--repeat: {args.repeat} must be at least 1")
    for latency in latencies:
        found = measure(latency, args.repeat)
        print(
            f"empty unit, {found['types']} types, {latency:g} ms a call: cold {found['cold_s']:.2f} s "
            f"(max {found['cold_max_s']:.2f} s), warm {found['warm_s']:.2f} s, "
            f"{found['warm_cpu_s']:.2f} s of CPU (target ≤ 2 s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
