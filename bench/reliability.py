"""The reliability suite: the demo estate scanned through the CLI behind a fault-injecting proxy.

    python -m bench.reliability [--resources 1000] [--seed 13] [--scenarios NAME,...] [--json FILE]

The demo estate (2 accounts × 2 regions, functions/maptag/local/estate.py) is seeded into an
embedded moto server; every scan is `maptag scan` in a child process reaching AWS through
a loopback proxy (bench/fault_proxy.py) that answers a share of the requests, drawn with a
fixed seed, with the service's own errors in its wire protocol, resets, stalls or garbage.
Each scenario is compared resource for resource with a clean scan through the same proxy;
the figures and the verdict of each scenario are printed (docs/reliability.md).

One transport setting differs from a user's run: the child lowers botocore's read timeout
from maptag's 60 s to READ_TIMEOUT seconds (the proxy stalls STALL_SECONDS), so that a read
timeout costs seconds, not minutes. Nothing of maptag's own code is replaced.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fault_proxy import FaultProxy, Request, Rule

ROOT = Path(__file__).resolve().parent.parent
SEED = 17  # its first 100 draws under 0.1 are exactly 10: the shares are what they say
READ_TIMEOUT = 2.0
STALL_SECONDS = READ_TIMEOUT + 1.5
CHILD_TIMEOUT = 1200  # 80 % throttling takes minutes: botocore backs off up to 20 s a retry
# Exit codes of docs/contracts.md.
EXIT_FINDINGS, EXIT_UNIT_FAILED = 1, 3


# --- the child: `maptag scan` with a short read timeout -------------------------------------


def child_main(argv: Sequence[str]) -> int:
    """Run maptag's CLI with botocore's read timeout lowered (the only change from a user's run)."""
    import botocore.session
    from botocore.config import Config

    create_client: Any = botocore.session.Session.create_client

    def with_short_read_timeout(self: Any, *args: Any, config: Config | None = None, **kwargs: Any) -> Any:
        short = Config(read_timeout=READ_TIMEOUT, connect_timeout=READ_TIMEOUT)
        return create_client(self, *args, config=(config or Config()).merge(short), **kwargs)

    botocore.session.Session.create_client = with_short_read_timeout  # type: ignore[method-assign]
    from maptag.cli import main

    return main(list(argv))


# --- running scans --------------------------------------------------------------------------


@dataclass
class CliRun:
    """One `maptag scan` child: its exit code, output, time and report (None when none written)."""

    exit_code: int
    seconds: float
    stderr: str
    report: dict[str, Any] | None
    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)  # requests per API operation

    def resources(self) -> dict[str, dict[str, Any]]:
        return {str(r["arn"]): r for r in (self.report or {}).get("resources", [])}

    def units(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(u["account_id"], u["region"]): u for u in (self.report or {}).get("units", [])}


@dataclass
class Lab:
    """The embedded AWS with the seeded estate, the proxy in front of it, the local hub."""

    proxy: FaultProxy
    hub: Any  # maptag.local.migration_hub.HubState
    hub_url: str
    scan_args: list[str]
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    work: Path
    manifest: Any  # maptag.local.estate.Manifest: every seeded resource's intended verdict

    def environment(self, directory: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "AWS_ENDPOINT_URL": self.proxy.url,
                "AWS_ENDPOINT_URL_MIGRATION_HUB": self.hub_url,
                "AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG": self.hub_url,
                "MAPTAG_HISTORY_FILE": str(directory / "history.jsonl"),
                "TMPDIR": str(directory / "tmp"),
                "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT)]),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def scan(
        self,
        name: str,
        rules: Sequence[Rule] = (),
        *,
        extra: Sequence[str] = (),
        delay: float = 0.0,
        interrupt: tuple[int, int] | None = None,
    ) -> CliRun:
        """`maptag scan` of the estate into <work>/<name>/report.json, with ``rules`` on the wire.

        ``interrupt``: (signal, n) sends that signal to the child once the proxy has seen n
        of its requests (the scan is under way, whatever the machine's speed).
        """
        directory = self.work / name
        (directory / "tmp").mkdir(parents=True, exist_ok=True)
        output = directory / "report.json"
        output.unlink(missing_ok=True)
        args = ["scan", *self.scan_args, *extra, "--format", "json", "--output", str(output)]
        self.proxy.reset(list(rules), seed=SEED, delay_seconds=delay)
        command = [sys.executable, "-m", "bench.reliability", "--child", *args]
        started = time.perf_counter()
        child = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.environment(directory),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if interrupt is not None:
            signum, after = interrupt
            while child.poll() is None and self.proxy.tally.total < after:
                time.sleep(0.05)
            child.send_signal(signum)
        try:
            _, stderr = child.communicate(timeout=CHILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            child.kill()
            _, stderr = child.communicate()
            stderr += f"\n(the harness killed the scan after {CHILD_TIMEOUT} s)"
        seconds = time.perf_counter() - started
        report = json.loads(output.read_text()) if output.exists() else None
        tally = self.proxy.tally
        faults: Counter[str] = Counter()
        for (kind, _), count in tally.faults.items():
            faults[kind] += count
        return CliRun(child.returncode, seconds, stderr, report, tally.total, faults, Counter(tally.requests))


# moto moves an ECS task's lastStatus on at every DescribeTasks (RUNNING, DEACTIVATING, …,
# STOPPED): each scan of the same estate sees fewer live tasks, whatever the faults. The suite
# compares scans of one estate, so it leaves ECS tasks out (tests/integration/resources cover them).
MOVING_TYPES = ("ecs:task",)


def _without_moving_types(manifest: Any) -> Any:
    kept = [r for r in manifest.resources if r.type not in MOVING_TYPES]
    return dataclasses.replace(manifest, resources=kept)


def _scan_args(manifest: Any) -> list[str]:
    args = list(manifest.scan_args())
    where = args.index("--types") + 1
    args[where] = ",".join(t for t in args[where].split(",") if t not in MOVING_TYPES)
    return args


@contextmanager
def lab(resources: int, seed: int, work: Path) -> Iterator[Lab]:
    """Seed the demo estate in an embedded AWS; a fault proxy and a local hub in front of it."""
    from maptag.local.demo import embedded_aws, set_home_region
    from maptag.local.estate import seed_estate
    from maptag.local.migration_hub import HubState, running_hub

    with ExitStack() as stack:
        aws = stack.enter_context(embedded_aws(with_hub=False))
        hub = HubState()
        hub_url = stack.enter_context(running_hub(hub))
        os.environ["AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG"] = hub_url
        manifest = _without_moving_types(seed_estate(resources, seed))
        set_home_region(manifest.accounts[0])
        os.environ.pop("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG")
        proxy = stack.enter_context(
            FaultProxy(aws.endpoint, seed=SEED, stall_seconds=STALL_SECONDS).running()
        )
        yield Lab(
            proxy=proxy,
            hub=hub,
            hub_url=hub_url,
            scan_args=_scan_args(manifest),
            accounts=manifest.accounts,
            regions=manifest.regions,
            work=work,
            manifest=manifest,
        )


# --- judging a run against the clean one ----------------------------------------------------


@dataclass
class Outcome:
    """One scenario's figures and verdict."""

    name: str
    claim: str
    passed: bool = False
    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        shown = " · ".join(f"{k} {v}" for k, v in self.figures.items())
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name:<28} {shown}"


def figures_of(run: CliRun) -> dict[str, Any]:
    faults = ", ".join(f"{n} {kind}" for kind, n in sorted(run.faults.items())) or "none"
    return {
        "exit": run.exit_code,
        "time": f"{run.seconds:.1f} s",
        "requests": run.requests,
        "injected": faults,
    }


def compare(clean: CliRun, run: CliRun, *, exact: bool, denied: frozenset[str] = frozenset()) -> Outcome:
    """Every resource equal to the clean run's, or (unless ``exact``) `unreadable`, or absent
    because its unit failed loudly; every unit ok or failed with its reason; totals that match
    the resources listed. Units of a ``denied`` account must fail; the others stay equal."""
    outcome = Outcome(name="", claim="", figures=figures_of(run))
    problems = outcome.problems
    if run.report is None:
        problems.append(f"no report written (exit {run.exit_code}): {_last_line(run.stderr)}")
        return outcome
    units = run.units()
    failed = {key for key, unit in units.items() if unit["status"] == "failed"}
    for key, unit in units.items():
        if unit["status"] not in ("ok", "failed"):
            problems.append(f"unit {key}: status {unit['status']!r}")
        if unit["status"] == "failed" and not unit.get("error"):
            problems.append(f"unit {key} failed without a reason")
        if exact and (unit["status"] == "failed") != (key[0] in denied):
            problems.append(f"unit {key}: {unit['status']} ({unit.get('error')})")
    if set(units) != set(clean.units()):
        problems.append(f"units {sorted(units)} instead of {sorted(clean.units())}")
    seen, expected = run.resources(), clean.resources()
    counts: Counter[str] = Counter()
    for arn, want in expected.items():
        got = seen.get(arn)
        where = (str(want["account_id"]), str(want["region"]))
        if got is None:
            counts["absent (unit failed)" if where in failed else "silently missing"] += 1
            if where not in failed:
                problems.append(f"{arn}: missing from the report while its unit is ok")
        elif got == want:
            counts["equal"] += 1
        elif got["verdict"] == "unreadable" and not exact and where[0] not in denied:
            counts["unreadable"] += 1
        else:
            counts["different"] += 1
            changed = sorted(k for k in want.keys() | got.keys() if got.get(k) != want.get(k))
            shown = ", ".join(f"{k} {got.get(k)!r} instead of {want.get(k)!r}" for k in changed)
            problems.append(f"{arn}: {shown}")
    for arn in seen.keys() - expected.keys():
        problems.append(f"{arn}: not in the clean run")
    tallied = Counter(str(r["verdict"]) for r in seen.values())
    totals = run.report.get("totals") or {}
    mismatched = {v: (totals.get(v, 0), tallied[v]) for v in VERDICTS if totals.get(v, 0) != tallied[v]}
    if mismatched:
        problems.append(f"totals do not match the resources listed (total, listed): {mismatched}")
    want_exit = EXIT_UNIT_FAILED if failed else clean.exit_code
    if run.exit_code != want_exit:
        problems.append(f"exit {run.exit_code}, expected {want_exit}")
    outcome.figures.update(
        {
            "resources": ", ".join(f"{n} {label}" for label, n in sorted(counts.items())),
            "units failed": f"{len(failed)}/{len(units)}",
        }
    )
    outcome.passed = not problems
    return outcome


VERDICTS = ("compliant", "missing", "near_miss_key", "invalid_value", "unreadable", "excluded")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(nothing on stderr)"


# --- the scenarios --------------------------------------------------------------------------

Check = Callable[[Lab, CliRun], Outcome]


def is_read(request: Request) -> bool:
    """Every request of the scan but the identity calls (STS), which are not the estate."""
    return request.service != "sts"


def faults_scenario(name: str, claim: str, rules: Callable[[Lab], list[Rule]], exact: bool) -> Check:
    def check(lab: Lab, clean: CliRun) -> Outcome:
        run = lab.scan(name, rules(lab))
        outcome = compare(clean, run, exact=exact)
        outcome.name, outcome.claim = name, claim
        return outcome

    return check


def throttled(share: float) -> Callable[[Lab], list[Rule]]:
    return lambda _lab: [Rule("throttle", share, is_read)]


def mixed(share: float) -> Callable[[Lab], list[Rule]]:
    # ``share`` of the requests get a fault: 5xx, reset and read timeout in turn
    return lambda _lab: [Rule(("5xx", "reset", "timeout"), share, is_read)]


def garbage(kind: str, operation: str) -> Callable[[Lab], list[Rule]]:
    return lambda _lab: [Rule(kind, 1.0, lambda r: r.operation == operation)]


def denied_account(lab: Lab, clean: CliRun) -> Outcome:
    member = lab.accounts[1]
    rule = Rule("deny", 1.0, lambda r: r.operation == "AssumeRole" and member.encode() in r.body)
    run = lab.scan("one-account-denied", [rule])
    kept = {
        arn: r for arn, r in clean.resources().items() if r["account_id"] != member
    }  # the clean run without the denied account's resources
    reference = CliRun(
        clean.exit_code,
        clean.seconds,
        clean.stderr,
        {**(clean.report or {}), "resources": list(kept.values())},
    )
    outcome = compare(reference, run, exact=True, denied=frozenset({member}))
    outcome.name = "one-account-denied"
    outcome.claim = "one account denied: its units fail loudly, the others equal the clean run, exit 3"
    if run.exit_code != EXIT_UNIT_FAILED and f"exit {run.exit_code}" not in " ".join(outcome.problems):
        outcome.problems.append(f"exit {run.exit_code}, expected {EXIT_UNIT_FAILED}")
        outcome.passed = False
    return outcome


def hub_outage(lab: Lab, _clean: CliRun) -> Outcome:
    """Migration Hub up, down for two runs, back for a partial run and a full one: every task
    state the hub should hold is delivered once, in order, and nothing is left in the outbox."""
    outcome = Outcome(
        "hub-outage-recovery", "Migration Hub outage → recovery: every task state once, in order"
    )
    outbox = lab.work / "hub" / "outbox.json"
    outbox.parent.mkdir(parents=True, exist_ok=True)
    outbox.unlink(missing_ok=True)
    publish = ["--types", "s3:bucket", "--publish", "migration-hub", "--outbox", str(outbox)]
    first_region = lab.regions[0]
    steps = [  # (hub down, extra flags)
        (False, []),
        (True, []),
        (True, []),
        (False, ["--regions", first_region]),  # the other region's kept states are replayed
        (False, []),
    ]
    lab.hub.calls.clear()
    scans: list[tuple[str, CliRun]] = []
    for index, (down, flags) in enumerate(steps, 1):
        lab.hub.clear_faults()
        if down:
            lab.hub.inject_fault("ServiceUnavailableException", times=10**6)
        run = lab.scan(f"hub-{index}", extra=[*publish, *flags])
        scans.append(("down" if down else "up", run))
    lab.hub.clear_faults()
    times = [_scan_time(run) for _, run in scans]
    delivered: dict[str, list[float]] = {}
    for call in lab.hub.calls:
        if call.operation == "NotifyMigrationTaskState" and call.outcome == "ok":
            moment = call.params["UpdateDateTime"]
            delivered.setdefault(call.params["MigrationTaskName"], []).append(float(moment))
    tasks = sorted(delivered)
    expected_tasks = {f"map-tagging-{a}-{r}" for a in lab.accounts for r in lab.regions}
    if set(tasks) != expected_tasks:
        outcome.problems.append(f"tasks {tasks} instead of {sorted(expected_tasks)}")
    for task, moments in delivered.items():
        if len(set(moments)) != len(moments):
            outcome.problems.append(f"{task}: a state delivered twice ({moments})")
        if moments != sorted(moments):
            outcome.problems.append(f"{task}: states delivered out of order ({moments})")
        in_first = task.endswith(f"-{first_region}")
        # up: 1st scan; after the outage: the 4th scan's own state, or the 3rd's replayed; then the 5th
        wanted = [times[0], times[3] if in_first else times[2], times[4]]
        if [round(m) for m in moments] != [round(t) for t in wanted]:
            outcome.problems.append(f"{task}: delivered scans {moments}, expected {wanted}")
    if outbox.exists() and json.loads(outbox.read_text()).get("updates"):
        outcome.problems.append(f"the outbox still holds updates: {outbox}")
    outcome.figures = {
        "scans": " → ".join(f"{state} exit {run.exit_code}" for state, run in scans),
        "states delivered": sum(len(m) for m in delivered.values()),
        "tasks": len(delivered),
    }
    outcome.passed = not outcome.problems
    return outcome


def _scan_time(run: CliRun) -> float:
    from datetime import datetime

    stamp = str((run.report or {}).get("generated_at", "1970-01-01T00:00:00Z")).replace("Z", "+00:00")
    return datetime.fromisoformat(stamp).timestamp()


def interrupted(signum: int) -> Check:
    name = f"killed-by-{signal.Signals(signum).name}"

    def check(lab: Lab, _clean: CliRun) -> Outcome:
        outcome = Outcome(name, f"{signal.Signals(signum).name} mid-scan: no partial report, history intact")
        directory = lab.work / name
        directory.mkdir(parents=True, exist_ok=True)
        history = directory / "history.jsonl"
        outbox = directory / "outbox.json"
        # a history and an outbox from an earlier run (the hub refuses at once: the updates are kept)
        lab.hub.inject_fault("AccessDeniedException", times=10**6)
        extra = ["--publish", "history,migration-hub", "--outbox", str(outbox)]
        lab.scan(name, extra=[*extra, "--types", "s3:bucket"])
        before = {path: path.read_bytes() if path.exists() else None for path in (history, outbox)}
        # slow answers from AWS, and the signal once the scan has made 10 requests: mid-scan
        run = lab.scan(name, extra=extra, delay=0.2, interrupt=(signum, 10))
        lab.hub.clear_faults()
        expected = 128 + signum
        if run.exit_code != expected:
            outcome.problems.append(f"exit {run.exit_code}, expected {expected} (128 + {signum})")
        if run.report is not None:
            outcome.problems.append("a report was written by an interrupted scan")
        leftovers = [p.name for p in directory.iterdir() if p.name.endswith(".part")]
        leftovers += [f"tmp/{p.name}" for p in (directory / "tmp").iterdir()]
        if leftovers:
            outcome.problems.append(f"left behind: {', '.join(sorted(leftovers))}")
        for path, old in before.items():
            now = path.read_bytes() if path.exists() else None
            if now != old and not _valid(path):
                outcome.problems.append(f"{path.name} is no longer readable after the signal")
        if "interrupted" not in run.stderr and "maptag:" not in run.stderr:
            outcome.problems.append(f"nothing said on stderr: {run.stderr!r}")
        outcome.figures = {
            "exit": run.exit_code,
            "time": f"{run.seconds:.1f} s",
            "stderr": _last_line(run.stderr),
        }
        outcome.passed = not outcome.problems
        return outcome

    return check


def _valid(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".jsonl":
            for line in text.splitlines():
                json.loads(line)
        else:
            json.loads(text)
    except ValueError:
        return False
    return True


# The identity calls of a scan (STS): not a list or tag read of the estate.
IDENTITY_OPERATIONS = frozenset({"GetCallerIdentity", "AssumeRole"})
# Stand-ins for the read operations before a clean scan has shown them (`--list`).
EXAMPLE_READS = ("DescribeInstances", "GetResources", "ListTables")


def scenarios(reads: Sequence[str] = EXAMPLE_READS) -> dict[str, Check]:
    """Every scenario of the suite, by name, in the order they run; ``reads``: the list and tag
    read operations of the scan (each gets its garbage-body scenarios)."""
    tolerant = "every resource equal to the clean run or unreadable, units ok or failed with a reason"
    chosen: dict[str, Check] = {
        "throttled-30": faults_scenario(
            "throttled-30", "30 % throttled: the report equals a clean run", throttled(0.3), exact=True
        ),
        "5xx-reset-timeout-10": faults_scenario(
            "5xx-reset-timeout-10", f"10 % 5xx, resets, read timeouts: {tolerant}", mixed(0.1), exact=False
        ),
        "throttled-60": faults_scenario("throttled-60", f"60 % throttled: {tolerant}", throttled(0.6), False),
        "throttled-80": faults_scenario("throttled-80", f"80 % throttled: {tolerant}", throttled(0.8), False),
    }
    for operation in reads:
        for kind in ("html", "empty"):
            name = f"garbage-{kind}-{operation}"
            claim = f"a 200 with {'an HTML page' if kind == 'html' else 'no body'} on {operation}: {tolerant}"
            chosen[name] = faults_scenario(name, claim, garbage(kind, operation), exact=False)
    chosen["one-account-denied"] = denied_account
    chosen["hub-outage-recovery"] = hub_outage
    chosen["killed-by-SIGTERM"] = interrupted(signal.SIGTERM)
    chosen["killed-by-SIGINT"] = interrupted(signal.SIGINT)
    return chosen


@dataclass
class Suite:
    resources: int
    clean: CliRun
    clean_check: str  # "ok", or how the clean scan differs from the seeded estate
    outcomes: list[Outcome]
    seconds: float

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    def to_json(self) -> dict[str, Any]:
        return {
            "resources": self.resources,
            "seed": SEED,
            "seconds": round(self.seconds, 1),
            "clean": {**figures_of(self.clean), "check": self.clean_check},
            "scenarios": [
                {
                    "name": o.name,
                    "claim": o.claim,
                    "passed": o.passed,
                    "figures": o.figures,
                    "problems": o.problems,
                }
                for o in self.outcomes
            ],
        }


def run_suite(
    names: Sequence[str] | None = None,
    *,
    resources: int = 1000,
    estate_seed: int = 2017,
    work: Path | None = None,
    say: Callable[[str], None] = lambda _text: None,
) -> Suite:
    """Seed the estate, scan it clean, then each chosen scenario (all by default)."""
    started = time.perf_counter()
    with ExitStack() as stack:
        where = work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="maptag-reliability-")))
        here = stack.enter_context(lab(resources, estate_seed, where))
        resources = len(here.manifest.resources)
        say(f"estate: {resources} resources, {len(here.accounts)} accounts × {len(here.regions)} regions")
        clean = here.scan("clean")
        if clean.report is None:
            raise RuntimeError(f"the clean scan wrote no report (exit {clean.exit_code}): {clean.stderr}")
        clean_check = _check_clean(here, clean)
        say(f"clean: {' · '.join(f'{k} {v}' for k, v in figures_of(clean).items())} · check {clean_check}")
        # every list and tag read the clean scan made gets its garbage-body scenarios
        every = scenarios(sorted(op for op in clean.operations if op not in IDENTITY_OPERATIONS))
        unknown = [name for name in names or () if name not in every]
        if unknown:
            raise ValueError(f"unknown scenario {unknown[0]!r} (known: {', '.join(every)})")
        outcomes = []
        for name in names or every:
            outcome = every[name](here, clean)
            say(outcome.line())
            for problem in outcome.problems[:5]:
                say(f"      {problem}")
            outcomes.append(outcome)
    return Suite(resources, clean, clean_check, outcomes, time.perf_counter() - started)


def _check_clean(lab: Lab, clean: CliRun) -> str:
    """The clean scan against the seeded estate: every resource with its intended verdict."""
    from maptag.local.demo import check_report

    check = check_report(lab.manifest, iter((clean.report or {}).get("resources", [])))
    if check.ok:
        return "ok"
    first = [*check.wrong, *check.unseen, *check.unexpected][:3]
    counts = f"{len(check.wrong)} wrong, {len(check.unseen)} unseen, {len(check.unexpected)} unexpected"
    return f"{counts}: {first}"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child"]:
        return child_main(args[1:])
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=1000, help="size of the demo estate (default 1000)")
    parser.add_argument("--estate-seed", type=int, default=2017, help="the estate's seed (default 2017)")
    parser.add_argument("--scenarios", help="comma-separated scenario names (default: all)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    options = parser.parse_args(args)
    if options.list:
        # the garbage-body scenarios are made for each read the clean scan shows; examples here
        print("\n".join(scenarios()))
        return 0
    names = options.scenarios.split(",") if options.scenarios else None
    suite = run_suite(
        names,
        resources=options.resources,
        estate_seed=options.estate_seed,
        say=lambda t: print(t, flush=True),
    )
    failed = [o.name for o in suite.outcomes if not o.passed]
    print(
        f"{len(suite.outcomes) - len(failed)}/{len(suite.outcomes)} scenarios passed in {suite.seconds:.0f} s"
    )
    if options.json:
        options.json.write_text(json.dumps(suite.to_json(), indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
