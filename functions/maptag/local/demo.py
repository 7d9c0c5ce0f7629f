"""`maptag demo`: the whole pipeline on an embedded AWS, from a laptop with no account.

An embedded moto server (and the local Migration Hub) on free loopback ports, reached the
standard way (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE_ID> and fake credentials in this
process's environment); a seeded migrated estate (estate.py); one scan through the
application layer `maptag scan` uses (app.scan.run: the same checks, the same publish, the
same exit code rules), its request built from the seeded engagement and shown as the
equivalent command line; the table, the HTML and JSON reports; and a check that every seeded
resource got the verdict it was seeded for. Nothing in the scanner knows it runs in a demo.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import os
import random
import shlex
import signal
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Any

from maptag.app.demo import DemoRequest, DemoResult, exit_code
from maptag.app.scan import ScanRequest
from maptag.app.settings import Sourced
from maptag.local.embedded import EMBEDDED_TYPES, WRITABLE_TYPES
from maptag.local.estate import Manifest
from maptag.migration_hub.names import ENDPOINT_VARIABLES

# Fake credentials: moto accepts any; the scan assumes ROLE_NAME into the member account.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
HOME_REGION = "us-east-1"
BUDGET_SECONDS = 60
HISTORY_VARIABLE = "MAPTAG_HISTORY_FILE"


@contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, unset) environment variables for the block; restore them after."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class EmbeddedAws:
    """The endpoints of a running embedded AWS, and the variables that point clients at them."""

    endpoint: str
    hub_endpoint: str | None = None
    variables: dict[str, str | None] = field(default_factory=dict)

    def exports(self) -> dict[str, str]:
        """What another shell needs to reach this embedded AWS (values set, in order)."""
        return {name: value for name, value in self.variables.items() if value is not None}


def _isolated(endpoint: str, hub: str | None) -> dict[str, str | None]:
    """Only the embedded endpoints and fake credentials: never a profile or real AWS."""
    variables: dict[str, str | None] = {
        name: None
        for name in os.environ
        if name.startswith("AWS_ENDPOINT_URL_") or name == "AWS_SESSION_TOKEN"
    }
    variables.update(
        {"AWS_PROFILE": None, "AWS_DEFAULT_PROFILE": None, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": None}
    )
    # A profile's region or endpoint_url in ~/.aws must not leak in either.
    variables.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    variables.update({"AWS_ENDPOINT_URL": endpoint, **FAKE_CREDENTIALS})
    variables.update({"AWS_REGION": HOME_REGION, "AWS_DEFAULT_REGION": HOME_REGION})
    # The endpoints are on loopback: a proxy from the user's shell must not get in between.
    variables.update(dict.fromkeys(("NO_PROXY", "no_proxy"), "127.0.0.1,localhost"))
    if hub is not None:
        variables.update(dict.fromkeys(ENDPOINT_VARIABLES, hub))
    return variables


@contextmanager
def embedded_aws(with_hub: bool = True) -> Iterator[EmbeddedAws]:
    """A moto server (and the local Migration Hub) on free 127.0.0.1 ports, for the block."""
    with ExitStack() as stack:
        # Set before moto builds its EC2 backends: its 1,301 public AMIs would double the time
        # and be scanned as the account's own (docs/toolchain.md).
        stack.enter_context(environment({"MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}))
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log on the terminal
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        stack.callback(server.stop)
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # moto's state is per process: start empty, and leave nothing behind for whatever runs
        # next in this process (a test suite's worker).
        _reset(endpoint)
        stack.callback(_reset, endpoint)
        hub = stack.enter_context(_local_hub()) if with_hub else None
        variables = _isolated(endpoint, hub)
        stack.enter_context(environment(variables))
        yield EmbeddedAws(endpoint, hub, variables)


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310 (loopback)
    with _DIRECT.open(request, timeout=30):
        pass


# Loopback only: never through a proxy from the user's environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@contextmanager
def _local_hub() -> Iterator[str]:
    from maptag.local.migration_hub import HubState, running_hub

    with running_hub(HubState()) as url:
        yield url


def set_home_region(account_id: str, region: str = HOME_REGION) -> None:
    """What a Migration Hub customer does once, through the API like `aws migrationhub-config`."""
    import boto3

    client = boto3.Session().client("migrationhub-config", region_name=region)
    client.create_home_region_control(HomeRegion=region, Target={"Type": "ACCOUNT", "Id": account_id})


# ---------------------------------------------------------------------------------------------


@dataclass
class Check:
    """The scan's verdicts against the seeded estate's intended ones."""

    expected: int
    matched: int = 0
    wrong: list[str] = field(default_factory=list)
    unseen: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.wrong or self.unseen or self.unexpected)


def check_report(manifest: Manifest, resources: Iterator[Mapping[str, Any]]) -> Check:
    """Every seeded ARN found once, with its intended verdict and parent; nothing else found."""
    wanted = manifest.by_arn()
    check = Check(expected=len(wanted))
    seen: set[str] = set()
    for row in resources:
        arn = str(row["arn"])
        seeded = wanted.get(arn)
        if seeded is None or arn in seen:
            check.unexpected.append(f"{arn}: {row['verdict']} ({row['reason']})")
            continue
        seen.add(arn)
        if row["verdict"] != seeded.verdict.value or (seeded.parent and row.get("parent") != seeded.parent):
            check.wrong.append(
                f"{arn}: seeded as {seeded.verdict.value} ({seeded.story}), scanned as "
                f"{row['verdict']} ({row['reason']}); parent {row.get('parent')}"
            )
        else:
            check.matched += 1
    check.unseen = [f"{arn}: {wanted[arn].story}" for arn in wanted.keys() - seen]
    return check


def run_demo(options: DemoRequest) -> DemoResult:
    """Seed, scan, report, check; with keep_running, serve until Ctrl-C."""
    from maptag.app import history, hub
    from maptag.local.estate import ACCOUNTS, seed_estate

    options.output_dir.mkdir(parents=True, exist_ok=True)
    # Coverage history stays with the demo's files, so `maptag history` shows the demo's
    # runs (and their trend over repeated demos), never mixed into the user's own history.
    history_file = (options.output_dir / "history.jsonl").resolve()
    with environment({HISTORY_VARIABLE: str(history_file)}), embedded_aws(options.with_hub) as aws:
        import moto

        say = _printer(sys.stdout)
        say(f"maptag demo: an embedded AWS (moto {moto.__version__} server) on {aws.endpoint}")
        if aws.hub_endpoint:
            set_home_region(ACCOUNTS[0])
            say(f"  and a local Migration Hub on {aws.hub_endpoint} (home region {HOME_REGION})")

        say(f"Seeding a migrated estate of about {options.resources:,} resources (seed {options.seed})…")
        started = time.perf_counter()
        manifest = seed_estate(options.resources, options.seed)
        seeded = time.perf_counter() - started
        (options.output_dir / "estate.json").write_text(json.dumps(manifest.to_json(), indent=1) + "\n")
        _describe_estate(say, manifest, seeded)

        cur_file = options.output_dir / CUR_FILE
        lines = seed_costs(manifest, cur_file, options.seed, datetime.now(UTC).date())
        opened = seed_history(manifest, history_file, options.seed, datetime.now(UTC))
        say(
            f"Seeded a CUR 2.0 export of the estate's last 14 days ({lines:,} lines, {cur_file}) and a "
            f"history in which maptag first saw {opened:,} of its resources untagged 1 to 60 days ago"
        )
        request = scan_request(manifest, options)
        shown = shown_command(request.settings.as_argv())
        say(f"Scanning it exactly as `maptag scan` does:\n  maptag scan {shown}\n")
        started = time.perf_counter()
        code, check, files = _scan(request, options.output_dir, manifest, sys.stdout)
        scanned = time.perf_counter() - started

        _report_check(say, check)
        say("Reports:")
        for label, path in files.items():
            say(f"  {label:<5} {path}")
        say(f"  estate {options.output_dir / 'estate.json'} (every seeded resource and its intended verdict)")
        say(f"  history {history_file} (coverage per run, unit and type)")
        if aws.hub_endpoint:
            say("\nMigration Hub now shows (maptag hub tasks):")
            code = max(code, hub.tasks(sys.stdout))
        say(f"\nCoverage over time (maptag history --file {history_file}):")
        code = max(code, history.run(history.HistoryRequest(file=history_file, runs=5), sys.stdout))
        if options.fix:
            code = max(code, fix_and_rescan(say, manifest, options.output_dir))
        total = seeded + scanned
        say(
            f"Time: seeding {seeded:.1f} s + scan {scanned:.1f} s = {total:.1f} s "
            f"(budget {BUDGET_SECONDS} s{'' if total <= BUDGET_SECONDS else ': OVER BUDGET'})"
        )
        if options.keep_running:
            keep_running(say, aws, manifest)
    return DemoResult(code=code, check_ok=check.ok)


# The demo fixes its whole estate in one run: the cap names its size (docs/fix.md).
DEMO_MAX_CHANGES = 100_000


def fix_and_rescan(say: Any, manifest: Manifest, output_dir: Path) -> int:
    """`maptag fix` on the demo's estate (app.fix): the plan, --apply, then a scan: coverage
    before and after."""
    from maptag.app import fix
    from maptag.app.settings import ScopeSettings, checked
    from maptag.console import ScanConsole
    from maptag.console import Settings as Console

    report = output_dir / "report.json"
    before = json.loads(report.read_text(encoding="utf-8"))["totals"]["coverage_percent"]
    journal = output_dir / "fix-journal.jsonl"
    journal.unlink(missing_ok=True)
    # the estate's scope, and the types moto can write (maptag.local.embedded)
    scope = Sourced(values={**engagement(manifest), "types": list(WRITABLE_TYPES)})
    shown = ["fix", *scope.as_argv()]
    say(f"\nThe fix plan (maptag {shown_command(shown)}):")
    console = ScanConsole(enabled=sys.stderr.isatty() and not Console.quiet)
    planned = fix.planned(fix.FixSource(scan=ScanRequest(settings=checked(ScopeSettings, scope))), console)
    code = fix.execute(planned, out=sys.stdout)
    apply = ["--apply", "--max-changes", str(DEMO_MAX_CHANGES), "--journal", str(journal)]
    say(f"\nApplying it (maptag {shown_command([*shown, *apply])}):")
    code = max(
        code, fix.execute(planned, out=sys.stdout, apply=True, max_changes=DEMO_MAX_CHANGES, journal=journal)
    )
    after = _coverage(ScanRequest.from_values(engagement(manifest)))
    say(
        f"\nCoverage before the fix {_percent(before)}, after {_percent(after)}; what is left needs a "
        f"decision. Undo: maptag fix --undo {journal} --apply --max-changes {DEMO_MAX_CHANGES}"
    )
    return code


def _coverage(request: ScanRequest) -> float | None:
    from maptag.app.scan import scanned
    from maptag.console import ScanConsole

    with scanned(request, ScanConsole(enabled=False)) as report:
        return report.totals.coverage_percent


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} %"


def engagement(manifest: Manifest) -> dict[str, Any]:
    """The seeded engagement as scan settings (app.settings.ScanSettings), every type the
    embedded AWS can list (maptag.local.embedded)."""
    values: dict[str, Any] = {
        "mpe_ids": [manifest.mpe_id],
        "regions": list(manifest.regions),
        "accounts": list(manifest.accounts),
        "role_name": manifest.role_name,
        "agreement_start": manifest.agreement_start.isoformat(),
        "types": list(EMBEDDED_TYPES),
    }
    if manifest.exclusions:
        values["exclusions"] = list(manifest.exclusions)
    return values


def scan_request(manifest: Manifest, options: DemoRequest) -> ScanRequest:
    """The seeded engagement's scan, publishing to history and the local hub."""
    values = engagement(manifest)
    # The seeded spend and the demo engagement's (fictional) credit rate: maptag assumes none.
    values |= {"costs": str(options.output_dir / CUR_FILE), "credit_rate": float(DEMO_CREDIT_RATE)}
    if not options.with_hub:
        return ScanRequest.from_values({**values, "publish": ["history"]})
    # The demo's own outbox: never the user's real ~/.maptag one.
    outbox = str(options.output_dir / "migration-hub-outbox.json")
    return ScanRequest.from_values({**values, "publish": ["migration-hub", "history"], "outbox": outbox})


def _scan(
    request: ScanRequest, output_dir: Path, manifest: Manifest, out: IO[str]
) -> tuple[int, Check, dict[str, Path]]:
    """One scan as `maptag scan` runs it (app.scan.run), the table on ``out`` and two report
    files; the exit code counts failed units, a failed check and a failed publish."""
    from maptag.app import scan
    from maptag.console import ScanConsole
    from maptag.report.writers import write_report

    files = {"HTML": output_dir / "report.html", "JSON": output_dir / "report.json"}
    checks: list[Check] = []

    def write_files_and_check(report: Any) -> None:
        for label, path in files.items():
            with open(path, "w", encoding="utf-8") as stream:
                write_report(report, label.lower(), stream)
        checks.append(check_report(manifest, report.resources()))

    result = scan.run(request, ScanConsole(enabled=True), out, write_files_and_check)
    out.flush()
    return exit_code(result, checks[0].ok), checks[0], files


# Spend a day by type in the demo's bill (low, high), in USD: the orders of magnitude AWS bills.
DAILY_SPEND = {
    "ec2:instance": (2.0, 30.0),
    "rds:db": (5.0, 40.0),
    "rds:cluster": (8.0, 50.0),
    "ec2:volume": (0.1, 3.0),
    "ec2:snapshot": (0.02, 1.0),
    "ec2:image": (0.02, 0.5),
    "rds:snapshot": (0.05, 1.5),
    "s3:bucket": (0.1, 6.0),
    "dynamodb:table": (0.3, 10.0),
    "lambda:function": (0.01, 2.0),
    "elasticloadbalancing:loadbalancer": (0.6, 2.5),
    "elasticfilesystem:file-system": (0.3, 4.0),
}
# What a bill holds beside the scanned types: the blind spot with a price (per unit).
UNSCANNED = (
    ("AmazonVPC", "natgateway/nat-0{:016x}", 1.1, 3),
    ("AmazonCloudWatch", "log-group:app-{:04x}", 0.4, 4),
)
CUR_FILE = "cur2-export.csv.gz"
DEMO_CREDIT_RATE = 25
CUR_COLUMNS = (
    "line_item_usage_account_id", "line_item_line_item_type", "line_item_usage_start_date",
    "line_item_product_code", "line_item_resource_id", "line_item_unblended_cost", "line_item_currency_code",
    "product_region_code",
)  # fmt: skip


def billed_id(arn: str, rtype: str) -> str:
    """The id a CUR bills a resource under: EC2's short ids, S3's bucket name, else the ARN."""
    if rtype.startswith("ec2:"):
        return arn.rsplit("/", 1)[-1]
    if rtype == "s3:bucket":
        return arn.rsplit(":", 1)[-1]
    return arn


def seed_costs(manifest: Manifest, path: Path, seed: int, today: date) -> int:
    """A gzip'd CUR 2.0 export of the estate's last 14 days; returns the number of lines."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible demo bill, not a secret
    rows = []
    for resource in manifest.resources:
        low, high = DAILY_SPEND.get(resource.type, (0.05, 1.0))
        daily = round(rng.uniform(low, high), 4)
        service = {"ec2": "AmazonEC2", "rds": "AmazonRDS", "s3": "AmazonS3", "dynamodb": "AmazonDynamoDB",
                   "lambda": "AWSLambda", "elasticloadbalancing": "AWSELB",
                   "elasticfilesystem": "AmazonEFS"}.get(resource.type.split(":")[0], "AWS")  # fmt: skip
        rows.append(
            (resource.account_id, resource.region, service, billed_id(resource.arn, resource.type), daily)
        )
    for account in manifest.accounts:
        for region in manifest.regions:
            for service, pattern, daily, count in UNSCANNED:
                for _ in range(count):
                    name = pattern.format(rng.getrandbits(64 if "nat" in pattern else 16))
                    arn = f"arn:aws:{'ec2' if 'nat' in pattern else 'logs'}:{region}:{account}:{name}"
                    rows.append((account, region, service, arn, round(daily * rng.uniform(0.5, 2), 4)))
    lines = 0
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CUR_COLUMNS)
        for account, region, service, billed, daily in rows:
            for back in range(1, 15):
                day = today - timedelta(days=back)
                writer.writerow((account, "Usage", f"{day}T00:00:00Z", service, billed, daily, "USD", region))
                lines += 1
    return lines


def seed_history(manifest: Manifest, history_file: Path, seed: int, now: datetime) -> int:
    """Earlier runs' verdict changes for the estate's untagged resources, as the history sink
    writes them (sinks/history.py), so the demo shows days; returns how many were opened."""
    from maptag.money import NON_COMPLIANT
    from maptag.sinks.history import RESOURCE_KIND, FileHistory, resource_key

    rng = random.Random(seed)  # noqa: S311 - a reproducible demo bill, not a secret
    rows = []
    for resource in manifest.resources:
        if resource.verdict.value not in NON_COMPLIANT:
            continue
        since = (now - timedelta(days=rng.randint(1, 60))).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append({
            "pk": resource_key(resource.account_id, resource.region), "sk": resource.arn,
            "kind": RESOURCE_KIND, "verdict": resource.verdict.value, "type": resource.type,
            "account_id": resource.account_id, "region": resource.region,
            "noncompliant_since": since, "changed_at": since, "run_id": "demo-seed",
        })  # fmt: skip
    return FileHistory(history_file).write(rows)


def _describe_estate(say: Any, manifest: Manifest, seconds: float) -> None:
    totals = manifest.totals
    by_type = sorted({r.type for r in manifest.resources})
    counts = {name: sum(1 for r in manifest.resources if r.type == name) for name in by_type}
    say(
        f"Seeded {len(manifest.resources):,} resources in {seconds:.1f} s: "
        f"{len(manifest.accounts)} accounts × {len(manifest.regions)} regions "
        f"({', '.join(manifest.accounts)}; {', '.join(manifest.regions)})"
    )
    say("  " + " · ".join(f"{name} {n}" for name, n in counts.items()))
    say(
        f"  seeded to be: {totals.compliant} compliant, {totals.missing} missing, "
        f"{totals.near_miss_key} near-miss key, {totals.invalid_value} invalid value, "
        f"{totals.excluded} excluded ({len(manifest.stories())} stories: every defect kind, "
        "untagged dependents, MGN tooling, pre-agreement resources, exclusion rules)"
    )
    start = manifest.agreement_start.isoformat()
    say(f"  agreement start {start} (the old data centre's resources predate it)")
    say("")


def _report_check(say: Any, check: Check) -> None:
    say("")
    if check.ok:
        say(f"Check: all {check.matched:,} seeded resources got the verdict they were seeded for.")
        return
    say(
        f"Check FAILED: {len(check.wrong)} wrong verdicts, {len(check.unseen)} seeded resources not found, "
        f"{len(check.unexpected)} found that were not seeded (first ones below)."
    )
    for line in (*check.wrong, *check.unseen, *check.unexpected)[:10]:
        say(f"  {line}")


def _printer(out: IO[str]) -> Any:
    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    return say


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def shown_command(args: list[str], types: str | None = None) -> str:
    """A scan's flags as a person reads them: the embedded AWS's long list of types (`--types`,
    maptag.local.embedded) shown by name, or as ``types`` (a shell variable) to paste."""
    shown = shlex.join(args).replace(
        ",".join(WRITABLE_TYPES), f"<the {len(WRITABLE_TYPES)} types moto can tag>"
    )
    placeholder = types or f"<the {len(EMBEDDED_TYPES)} types the embedded AWS lists>"
    return shown.replace(",".join(EMBEDDED_TYPES), placeholder)


def keep_running(say: Any, aws: EmbeddedAws, manifest: Manifest) -> None:
    """Serve until Ctrl-C (or SIGTERM), after printing how to reach the embedded AWS."""
    maptag = _maptag_command()
    say("")
    say("The embedded AWS keeps running until Ctrl-C. In another shell:")
    say("  unset AWS_PROFILE AWS_SESSION_TOKEN")
    for name, value in aws.exports().items():
        say(f"  export {name}={shlex.quote(value)}")
    # the types the embedded AWS can list, once, so the scan line stays short
    say(f"  export MAPTAG_DEMO_TYPES={','.join(EMBEDDED_TYPES)}")
    scan = shown_command(Sourced(values=engagement(manifest)).as_argv(), '"$MAPTAG_DEMO_TYPES"')
    say(f"  {maptag} scan {scan} --format csv")
    if aws.hub_endpoint:
        say(f"  {maptag} hub tasks")
        say("  aws mgh list-migration-tasks")
    # The classic gap: volumes without the exact key.
    without_key = "Volumes[?!contains(Tags[].Key || `[]`, `map-migrated`)].VolumeId"
    say(f"  aws ec2 describe-volumes --query '{without_key}'")
    say(
        f"  aws sts assume-role --role-arn arn:aws:iam::{manifest.accounts[1]}:role/{manifest.role_name} "
        "--role-session-name me"
    )
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        say("Stopped the embedded AWS.")
    finally:
        signal.signal(signal.SIGTERM, previous)


def _maptag_command() -> str:
    """How the user started maptag (`.venv/bin/maptag` from `make demo`), for copy-paste."""
    program = sys.argv[0] if sys.argv else ""
    if Path(program).name != "maptag":
        return "maptag"
    relative = os.path.relpath(program)
    return shlex.quote(program if relative.startswith("..") else relative)
