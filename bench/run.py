"""maptag and Cloud Custodian side by side on one seeded moto server (issue 6).

    python -m bench.run --sizes 1000,10000 [--rounds 5] [--tools maptag,c7n]

For each size: start bench/server.py (moto seeded with the estate, a request counter in
front), run each tool once unmeasured (warm-up and a check that both work), then alternate
maptag, c7n, maptag, c7n... for --rounds rounds. Each run is a fresh child process; its wall
time, CPU time (user + sys) and peak RSS come from wait4's rusage, its API calls from the
server's counter. Medians over rounds go to bench/results.json; every sample, the per
operation call counts and the tools' findings go to bench/results-details.json.

The harness keeps its own memory small and never imports moto or maptag: a child's peak RSS
in rusage includes the parent's when it was forked, so a big harness would inflate the tools.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
C7N_ENV = BENCH / ".venv-c7n"
C7N_REQUIREMENTS = BENCH / "requirements-c7n.txt"
POLICIES = BENCH / "policies" / "map-migrated.yml"
REGIONS = ("us-east-1", "eu-west-1")
MPE_ID = "12345"
TOOLS = ("maptag", "c7n")
RUN_TIMEOUT_S = 3600


@dataclass
class Sample:
    """One measured run of one tool."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    api_calls: int
    flagged: int = 0
    flagged_by_type: dict[str, int] = field(default_factory=dict)
    operations: dict[str, int] = field(default_factory=dict)


class Estate:
    """bench/server.py as a child process: a seeded, counting moto server."""

    def __init__(self, size: int, replay: bool = True) -> None:
        self.size = size
        # The server is a sibling of the tools, never their parent.
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.server", "--size", str(size), *([] if replay else ["--no-replay"])],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise SystemExit(f"bench: the moto server for {size} resources did not start")
        info = json.loads(line)
        self.url: str = info["url"]
        self.seed_s: float = info["seed_s"]
        self.census: dict[tuple[str, str], int] = {(t, r): n for t, r, n in info["census"]}
        # the types the server can answer (computed there: this harness never imports maptag)
        self.types: list[str] = info["types"]
        self.paging_minimum: int = info["paging_minimum"]
        # what a correct checker reports as not compliant, per type (from the tags dealt)
        self.expected_flagged: dict[str, int] = dict(
            sum((Counter({t: n}) for t, verdict, n in info["expected"] if verdict != "compliant"), Counter())
        )

    @property
    def resources(self) -> int:
        return sum(self.census.values())

    def calls(self) -> Counter[str]:
        with urllib.request.urlopen(self.url + "/__bench__/calls", timeout=30) as response:  # noqa: S310
            return Counter(json.load(response))

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> Estate:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def ensure_c7n() -> Path:
    """Cloud Custodian in its own environment (bench/.venv-c7n), never in uv.lock."""
    custodian = C7N_ENV / "bin" / "custodian"
    if custodian.exists():
        return custodian
    uv = os.environ.get("UV") or shutil.which("uv") or f"{sys.executable} -m uv"
    print(f"bench: installing Cloud Custodian into {C7N_ENV.relative_to(ROOT)}", flush=True)
    subprocess.run([*uv.split(), "venv", "--quiet", "--python", sys.executable, str(C7N_ENV)], check=True)
    subprocess.run(
        [*uv.split(), "pip", "install", "--quiet", "--python", str(C7N_ENV / "bin" / "python"),
         "-r", str(C7N_REQUIREMENTS)],
        check=True,
        env={**os.environ, "UV_COMPILE_BYTECODE": "1"},
    )  # fmt: skip
    return custodian


def compile_maptag() -> None:
    """maptag's own modules compiled once, as Custodian's are (uv installs with bytecode).

    maptag is installed editable from functions/; with PYTHONDONTWRITEBYTECODE set (as on
    this machine) every maptag process would otherwise compile its ~60 modules again, a cost
    an installed wheel never pays. compileall writes the .pyc files whatever that variable says.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "functions" / "maptag")], check=True)


def tool_env(url: str) -> dict[str, str]:
    """The standard chain only: endpoint, fake credentials, region; nothing from the shell's AWS."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {
        **keep,
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGIONS[0],
        "AWS_REGION": REGIONS[0],
    }


def command(tool: str, out: Path, custodian: Path | None, types: Sequence[str] = ()) -> list[str]:
    if tool == "maptag":
        maptag = Path(sys.executable).parent / "maptag"
        chosen = ["--types", ",".join(types)] if types else []
        return [str(maptag), "scan", "--mpe-id", MPE_ID, "--regions", ",".join(REGIONS), *chosen,
                "--format", "json", "--output", str(out / "maptag.json")]  # fmt: skip
    assert custodian is not None
    regions = [arg for region in REGIONS for arg in ("--region", region)]
    # --cache-period 0: Custodian would otherwise answer later rounds from its local cache.
    return [str(custodian), "run", "-s", str(out), "--cache-period", "0", *regions, str(POLICIES)]


def measure(tool: str, estate: Estate, custodian: Path | None, out: Path) -> Sample:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    before = estate.calls()
    with open(out / "log.txt", "w") as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            command(tool, out, custodian, estate.types),
            env=tool_env(estate.url),
            stdout=log,
            stderr=log,
            cwd=out,
        )
        try:
            _, status, usage = _wait(process)
        finally:
            if process.returncode is None:  # interrupted: leave nothing running
                process.kill()
                process.wait()
        wall = time.perf_counter() - start
    after = estate.calls()
    after.subtract(before)
    code = os.waitstatus_to_exitcode(status)
    # maptag exits 1 when it has findings (docs/contracts.md); Custodian exits 0.
    if code not in ((0, 1) if tool == "maptag" else (0,)):
        tail = (out / "log.txt").read_text(errors="replace")[-2000:]
        raise SystemExit(f"bench: {tool} exited {code} at {estate.size} resources:\n{tail}")
    by_type = flagged_by_maptag(out / "maptag.json") if tool == "maptag" else flagged_by_c7n(out)
    return Sample(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        api_calls=sum(after.values()),
        flagged=sum(by_type.values()),
        flagged_by_type=by_type,
        operations={name: count for name, count in sorted(after.items()) if count},
    )


def _wait(process: subprocess.Popen[bytes]) -> tuple[int, int, Any]:
    """wait4 for the child's own rusage (not the sum over every child we ever had)."""
    watchdog = threading.Timer(RUN_TIMEOUT_S, process.kill)  # a hung tool cannot hang the bench
    watchdog.start()
    try:
        pid, status, usage = os.wait4(process.pid, 0)
    finally:
        watchdog.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    return pid, status, usage


def flagged_by_maptag(report: Path) -> dict[str, int]:
    """Non-compliant in-scope resources per type, from the report's header (before resources[])."""
    header = []
    with open(report, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith('  "resources": ['):
                break
            header.append(line)
        else:
            raise SystemExit(f"bench: no resources[] in {report}: has the report layout changed?")
    head = json.loads("".join(header).rstrip().rstrip(",") + "}")
    flagged: Counter[str] = Counter()
    for unit in head["units"]:
        for rtype, totals in unit["types"].items():
            flagged[rtype] += totals["in_scope"] - totals["compliant"]
    return dict(flagged)


# Custodian's policy name -> the maptag type it covers (bench/policies/map-migrated.yml).
C7N_TYPES = {
    "map-ec2-instance": "ec2:instance",
    "map-ec2-volume": "ec2:volume",
    "map-ec2-snapshot": "ec2:snapshot",
    "map-ec2-image": "ec2:image",
    "map-ec2-natgateway": "ec2:natgateway",
    "map-ec2-transit-gateway": "ec2:transit-gateway",
    "map-ec2-transit-gateway-attachment": "ec2:transit-gateway-attachment",
    "map-ec2-elastic-ip": "ec2:elastic-ip",
    "map-ec2-vpc-endpoint": "ec2:vpc-endpoint",
    "map-ec2-vpn-connection": "ec2:vpn-connection",
    "map-ec2-dedicated-host": "ec2:dedicated-host",
    "map-rds-db": "rds:db",
    "map-rds-cluster": "rds:cluster",
    "map-rds-snapshot": "rds:snapshot",
    "map-rds-cluster-snapshot": "rds:cluster-snapshot",
    "map-rds-db-proxy": "rds:db-proxy",
    "map-s3-bucket": "s3:bucket",
    "map-dynamodb-table": "dynamodb:table",
    "map-lambda-function": "lambda:function",
    "map-elb-loadbalancer": "elasticloadbalancing:loadbalancer",
    "map-efs-file-system": "elasticfilesystem:file-system",
    "map-autoscaling-group": "autoscaling:autoScalingGroup",
    "map-dax-cache": "dax:cache",
    "map-dms-rep": "dms:rep",
    "map-ecr-repository": "ecr:repository",
    "map-ecs-cluster": "ecs:cluster",
    "map-ecs-service": "ecs:service",
    "map-ecs-task": "ecs:task",
    "map-eks-cluster": "eks:cluster",
    "map-eks-nodegroup": "eks:nodegroup",
    "map-elasticache-cluster": "elasticache:cluster",
    "map-elasticache-replicationgroup": "elasticache:replicationgroup",
    "map-elasticbeanstalk-environment": "elasticbeanstalk:environment",
    "map-emr-cluster": "elasticmapreduce:cluster",
    "map-emr-serverless-application": "emr-serverless:application",
    "map-es-domain": "es:domain",
    "map-firehose-deliverystream": "firehose:deliverystream",
    "map-fsx-file-system": "fsx:file-system",
    "map-fsx-backup": "fsx:backup",
    "map-glacier-vault": "glacier:vault",
    "map-glue-job": "glue:job",
    "map-glue-crawler": "glue:crawler",
    "map-kafka-cluster": "kafka:cluster",
    "map-kinesis-stream": "kinesis:stream",
    "map-kms-key": "kms:key",
    "map-logs-log-group": "logs:log-group",
    "map-memorydb-cluster": "memorydb:cluster",
    "map-mq-broker": "mq:broker",
    "map-network-firewall": "network-firewall:firewall",
    "map-redshift-cluster": "redshift:cluster",
    "map-sagemaker-endpoint": "sagemaker:endpoint",
    "map-sagemaker-notebook-instance": "sagemaker:notebook-instance",
    "map-secretsmanager-secret": "secretsmanager:secret",
    "map-transfer-server": "transfer:server",
    "map-workspaces-workspace": "workspaces:workspace",
    "map-cloudfront-distribution": "cloudfront:distribution",
    "map-route53-hostedzone": "route53:hostedzone",
}


def flagged_by_c7n(out: Path) -> dict[str, int]:
    """Resources each policy matched, from Custodian's small metadata.json files."""
    flagged: Counter[str] = Counter()
    for metadata in out.glob("*/*/metadata.json"):
        data = json.loads(metadata.read_text())
        count = next(m["Value"] for m in data["metrics"] if m["MetricName"] == "ResourceCount")
        flagged[C7N_TYPES[metadata.parent.name]] += int(count)
    return dict(flagged)


def median_sample(samples: Sequence[Sample]) -> dict[str, float | int]:
    return {
        "wall_s": round(statistics.median(s.wall_s for s in samples), 3),
        "cpu_s": round(statistics.median(s.cpu_s for s in samples), 3),
        "peak_rss_mb": round(statistics.median(s.peak_rss_mb for s in samples), 1),
        "api_calls": round(statistics.median(s.api_calls for s in samples)),
    }


def bench_size(
    size: int, rounds: int, tools: Sequence[str], custodian: Path | None, replay: bool, warmup: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    print(f"bench: seeding {size} resources ...", flush=True)
    with Estate(size, replay) as estate:
        minimum = estate.paging_minimum
        print(f"bench: seeded {estate.resources} resources in {estate.seed_s:.0f} s", flush=True)
        print(f"bench: paging minimum {minimum} calls", flush=True)
        work = WORK / str(size)
        for tool in tools if warmup else ():  # unmeasured: fills the replay cache, proves each tool works
            measure(tool, estate, custodian, work / f"warmup-{tool}")
        samples: dict[str, list[Sample]] = {tool: [] for tool in tools}
        for round_index in range(rounds):
            for tool in tools:  # A B A B ...
                sample = measure(tool, estate, custodian, work / f"{tool}-{round_index}")
                samples[tool].append(sample)
                print(f"  round {round_index + 1}/{rounds} {tool:6} wall {sample.wall_s:7.2f} s  "
                      f"cpu {sample.cpu_s:7.2f} s  rss {sample.peak_rss_mb:6.0f} MB  "
                      f"calls {sample.api_calls:6}  flagged {sample.flagged}", flush=True)  # fmt: skip
        expected = sum(estate.expected_flagged.values())
        for tool in tools:
            wrong = {
                rtype: (samples[tool][0].flagged_by_type.get(rtype, 0), count)
                for rtype, count in estate.expected_flagged.items()
                if samples[tool][0].flagged_by_type.get(rtype, 0) != count
            }
            found = samples[tool][0].flagged
            differs = f"; differs on (found, seeded): {wrong}" if wrong else ""
            print(
                f"  {tool}: flagged {found} of the {expected} non-compliant resources seeded{differs}",
                flush=True,
            )
        run: dict[str, Any] = {"resources": estate.resources, "paging_minimum": minimum}
        if "maptag" in samples and "c7n" in samples:
            # median of the per-round ratios: each pair ran back to back, under the same load
            ratios = [c.wall_s / m.wall_s for m, c in zip(samples["maptag"], samples["c7n"], strict=True)]
            run["speedup"] = round(statistics.median(ratios), 2)
        for tool in tools:
            run[tool] = median_sample(samples[tool])
        details = {
            "resources": estate.resources,
            "requested": size,
            "seed_s": estate.seed_s,
            "census": {f"{t} {r}": n for (t, r), n in sorted(estate.census.items())},
            "paging_minimum": minimum,
            "expected_flagged": estate.expected_flagged,
            "samples": {tool: [asdict(s) for s in runs] for tool, runs in samples.items()},
        }
        return run, details


def judge_throughput() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.judge_throughput"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def table(runs: Sequence[Mapping[str, Any]]) -> str:
    lines = [
        "| resources | tool | wall s | CPU s | peak RSS MB | API calls | calls / paging minimum |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        minimum = run["paging_minimum"]
        for tool in TOOLS:
            if tool in run:
                m = run[tool]
                lines.append(
                    f"| {run['resources']:,} | {'maptag' if tool == 'maptag' else 'Cloud Custodian'} | "
                    f"{m['wall_s']:.2f} | {m['cpu_s']:.2f} | {m['peak_rss_mb']:.0f} | {m['api_calls']:,} | "
                    f"{m['api_calls'] / minimum:.2f}× |"
                )
        if "maptag" in run and "c7n" in run:
            m, c = run["maptag"], run["c7n"]
            lines.append(
                f"| {run['resources']:,} | **maptag / Custodian** | **{1 / run['speedup']:.2f}** "
                f"(speedup {run['speedup']:.1f}×) | {m['cpu_s'] / c['cpu_s']:.2f} | "
                f"{m['peak_rss_mb'] / c['peak_rss_mb']:.2f} | {m['api_calls'] / c['api_calls']:.2f} | |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="maptag vs Cloud Custodian on a seeded moto server")
    parser.add_argument("--sizes", default="1000,10000", help="estate sizes, comma-separated (1000,10000)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds per tool and size (5)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="maptag,c7n (default both)")
    parser.add_argument("--output", type=Path, default=BENCH / "results.json", help="bench/results.json")
    parser.add_argument(
        "--no-replay",
        dest="replay",
        action="store_false",
        help="let moto render every response (its XML serializer then dominates both tools' time)",
    )
    parser.add_argument(
        "--no-warmup",
        dest="warmup",
        action="store_false",
        help="skip the unmeasured first run of each tool (enough for memory; times then include moto)",
    )
    args = parser.parse_args(argv)
    try:
        sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        parser.error(f"--sizes: {args.sizes!r} is not a comma-separated list of numbers")
    if not sizes or any(size < 100 for size in sizes):
        parser.error(f"--sizes: {args.sizes!r}: each size must be at least 100")
    tools = [tool for tool in TOOLS if tool in args.tools.split(",")]
    unknown = set(args.tools.split(",")) - set(TOOLS)
    if unknown or not tools:
        parser.error(f"--tools: {args.tools!r} (known: {', '.join(TOOLS)})")
    if args.rounds < 1:
        parser.error(f"--rounds: {args.rounds} must be at least 1")

    # SIGTERM (make, timeout) unwinds like Ctrl-C, so the server and a running tool are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    custodian = ensure_c7n() if "c7n" in tools else None
    compile_maptag()
    load_before = os.getloadavg()
    runs, details = [], []
    for size in sizes:
        run, detail = bench_size(size, args.rounds, tools, custodian, args.replay, args.warmup)
        runs.append(run)
        details.append(detail)
    judge = judge_throughput()
    args.output.write_text(json.dumps({"runs": runs}, indent=2) + "\n")
    details_path = args.output.with_name(args.output.stem + "-details.json")
    details_path.write_text(
        json.dumps(
            {
                "command": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
                "rounds": args.rounds,
                "replay": args.replay,
                "warmup": args.warmup,
                "judge": judge,
                "machine": {
                    "cpus": os.cpu_count(),
                    "loadavg_before": load_before,
                    "loadavg_after": os.getloadavg(),
                },
                "runs": details,
            },
            indent=2,
        )
        + "\n"
    )
    print()
    print(table(runs))
    print()
    print(f"judge throughput (one core): {judge['judged_per_s']:,} resources/s judged, "
          f"{judge['evaluated_per_s']:,} resources/s scoped + judged")  # fmt: skip
    print(f"bench: wrote {args.output} and {details_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
