"""`maptag scan`: scan accounts × regions and report MAP tag coverage (design.md, "CLI")."""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import boto3

from maptag.commands import EXIT_FINDINGS, EXIT_OK, EXIT_UNIT_FAILED, EXIT_USAGE, UsageError, csv_list
from maptag.policy import Policy, PolicyError
from maptag.resources.declarations import TYPE_NAMES
from maptag.sinks.migration_hub import (
    DEFAULT_NEXT_UPDATE_SECONDS,
    DEFAULT_STREAM,
    HubSettings,
    StreamNameError,
    validate_stream,
)
from maptag.sinks.outbox import FileOutbox

if TYPE_CHECKING:
    from maptag.console import ScanConsole
    from maptag.sinks.report import ScanReport

FORMATS = ("table", "json", "csv", "html")


def register(commands: Any) -> None:
    scan = commands.add_parser("scan", help="scan accounts × regions and report MAP tag coverage")
    scan.add_argument(
        "--mpe-id",
        dest="mpe_ids",
        action="append",
        metavar="ID",
        help="MPE id (12345, ABCDE12345) or full tag value (mig12345); repeatable",
    )
    scan.add_argument("--regions", type=csv_list, metavar="R1,R2", help="regions (default: AWS_REGION)")
    who = scan.add_mutually_exclusive_group()
    who.add_argument("--accounts", type=csv_list, metavar="A1,A2", help="account ids to scan")
    who.add_argument(
        "--org",
        dest="organization",
        action="store_true",
        default=None,
        help="scan every active account of the Organization",
    )
    scan.add_argument("--role-name", metavar="NAME", help="role to assume in each member account")
    scan.add_argument(
        "--agreement-start",
        metavar="YYYY-MM-DD",
        help="MAP agreement start: older resources are out of scope",
    )
    scan.add_argument(
        "--types",
        type=csv_list,
        metavar="T1,T2",
        help=f"resource types (default: all: {', '.join(TYPE_NAMES)})",
    )
    scan.add_argument(
        "--exclude",
        dest="exclusions",
        action="append",
        metavar="RULE",
        help="exclusion rule tag:KEY[=VALUE] or an ARN glob; repeatable",
    )
    scan.add_argument(
        "--accept-legacy",
        action="store_true",
        default=None,
        help="accept legacy d-server-… values as compliant",
    )
    scan.add_argument("--max-concurrency", type=int, metavar="N", help="units scanned at once (8)")
    scan.add_argument("--config", type=Path, metavar="FILE", help="TOML file with any of these settings")
    scan.add_argument("--format", choices=FORMATS, help="output format (default: table)")
    scan.add_argument("--output", type=Path, metavar="FILE", help="write the report here (default: stdout)")
    scan.add_argument(
        "--publish", type=csv_list, metavar="SINK,...", help="publish to sinks, e.g. migration-hub"
    )
    scan.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="with --publish: show what would be sent, send nothing",
    )
    scan.add_argument(
        "--fail-under", type=float, metavar="PCT", help="exit 0 when coverage is at least PCT percent"
    )
    hub = scan.add_argument_group("Migration Hub (with --publish migration-hub)")
    hub.add_argument("--stream", metavar="NAME", help="progress update stream (default: MAP-Tagging)")
    hub.add_argument(
        "--server-tasks",
        action="store_true",
        default=None,
        help="also one task per migrated server (MGN or Migration Hub source id)",
    )
    hub.add_argument(
        "--next-update-seconds",
        type=int,
        metavar="N",
        help="when the console should expect the next update (default: 90000, a day plus an hour)",
    )
    hub.add_argument(
        "--outbox",
        type=Path,
        metavar="FILE",
        help="where unsent updates wait for the next run (default: ~/.maptag/migration-hub-outbox.json)",
    )
    scan.set_defaults(handler=run)


# Settings a TOML config may hold; flags win over the file.
CONFIG_KEYS = {
    "mpe_ids", "regions", "accounts", "organization", "role_name", "agreement_start", "types",
    "exclusions", "accept_legacy", "max_concurrency", "prefixes", "format", "output", "publish",
    "dry_run", "fail_under", "stream", "server_tasks", "next_update_seconds", "outbox",
}  # fmt: skip
PUBLISH_SINKS = ("migration-hub",)
POLICY_KEYS = set(Policy.model_fields)
FLAG_OF = {
    "mpe_ids": "--mpe-id", "regions": "--regions", "accounts": "--accounts", "organization": "--org",
    "role_name": "--role-name", "agreement_start": "--agreement-start", "types": "--types",
    "exclusions": "--exclude", "accept_legacy": "--accept-legacy", "max_concurrency": "--max-concurrency",
}  # fmt: skip


def load_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--config: file not found: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"--config: cannot read {path}: {error}") from None
    aliases = {"mpe_id": "mpe_ids", "org": "organization", "exclude": "exclusions"}
    config = {aliases.get(key.replace("-", "_"), key.replace("-", "_")): value for key, value in data.items()}
    unknown = sorted(set(config) - CONFIG_KEYS)
    if unknown:
        raise UsageError(f"--config {path}: unknown setting {unknown[0]!r}")
    return config


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The config file's settings with the flags given on the command line on top."""
    merged = load_config(args.config)
    for key in CONFIG_KEYS:
        value = getattr(args, key, None)
        if value is not None:
            merged[key] = value
    return merged


def build_policy(values: dict[str, Any], default_region: str | None) -> Policy:
    raw = {key: values[key] for key in POLICY_KEYS if key in values}
    if not raw.get("regions") and default_region:
        raw["regions"] = [default_region]
    if not raw.get("regions"):
        raise UsageError("--regions: none given and no AWS_REGION/AWS_DEFAULT_REGION or profile region set")
    if not raw.get("mpe_ids"):
        raise UsageError("--mpe-id: required (your MPE id, e.g. --mpe-id 12345 or --mpe-id mig12345)")
    try:
        return Policy.build(**raw)
    except PolicyError as error:
        field, _, message = str(error).partition(": ")
        raise UsageError(f"{FLAG_OF.get(field, field)}: {message}") from None


def run(args: argparse.Namespace) -> int:
    values = settings(args)
    output_format = values.get("format", "table")
    if output_format not in FORMATS:
        raise UsageError(f"--format: unknown format {output_format!r} (known: {', '.join(FORMATS)})")
    fail_under = values.get("fail_under")
    if fail_under is not None and not (isinstance(fail_under, int | float) and 0 <= fail_under <= 100):
        raise UsageError(f"--fail-under: {fail_under!r} is not a percentage between 0 and 100")
    publish_to = _publish_sinks(values)
    hub = hub_settings(values) if "migration-hub" in publish_to else None
    outbox = FileOutbox(Path(values["outbox"]).expanduser() if values.get("outbox") else None)
    from maptag.console import ScanConsole

    console = ScanConsole(enabled=output_format == "table" and values.get("output") is None)
    with scanned(values, console) as report:
        _write(report, output_format, values.get("output"), console)
        for failed in report.failed_units:
            print(f"maptag: unit {failed.unit.key} failed: {failed.error}", file=sys.stderr)
        code = exit_code(report, fail_under)
        if hub is not None and not publish_to_hub(report, hub, outbox, bool(values.get("dry_run"))):
            # The report is written; a publish that failed is a configuration or service
            # problem the run must not hide (design.md exit codes; 3 stays 3).
            code = max(code, EXIT_USAGE)
        return code


@contextmanager
def scanned(values: dict[str, Any], console: ScanConsole) -> Iterator[ScanReport]:
    """Scan with these settings and yield the ScanReport (its findings live until the block ends).

    `maptag scan` writes one format from it; `maptag demo` writes several from one scan.
    """
    from maptag.scan import plan, run_scan
    from maptag.sinks.report import FindingSpool, ScanReport

    session = boto3.Session()
    # botocore reads AWS_DEFAULT_REGION and profiles; AWS_REGION is the SDKs' newer name.
    policy = build_policy(values, session.region_name or os.environ.get("AWS_REGION"))
    for warning in policy.warnings:
        print(f"maptag: warning: {warning}", file=sys.stderr)

    try:
        scan_plan = plan(policy, session)
    except PolicyError as error:
        field, _, message = str(error).partition(": ")
        raise UsageError(f"{FLAG_OF.get(field, field)}: {message}") from None
    spool = FindingSpool()
    try:
        with console.progress(scan_plan.units) as progress:
            results = []
            for result in run_scan(
                policy, session, scan_plan.units, scan_plan.caller_account, spool.writer, progress.update
            ):
                progress.finish(result)
                results.append(result)
        yield ScanReport(policy=policy, units=results, spool=spool)
    finally:
        spool.close()


def _publish_sinks(values: dict[str, Any]) -> list[str]:
    sinks = values.get("publish") or []
    sinks = csv_list(sinks) if isinstance(sinks, str) else list(sinks)
    for sink in sinks:
        if sink not in PUBLISH_SINKS:
            raise UsageError(f"--publish: unknown sink {sink!r} (known: {', '.join(PUBLISH_SINKS)})")
    return sinks


def hub_settings(values: dict[str, Any]) -> HubSettings:
    """Migration Hub settings from flags and config, checked before anything is scanned."""
    stream = values.get("stream", DEFAULT_STREAM)
    try:
        validate_stream(str(stream))
    except StreamNameError as error:
        raise UsageError(f"--stream: {error}") from None
    seconds = values.get("next_update_seconds", DEFAULT_NEXT_UPDATE_SECONDS)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        raise UsageError(f"--next-update-seconds: {seconds!r} is not a number of seconds (0 or more)")
    return HubSettings(
        stream=str(stream), server_tasks=bool(values.get("server_tasks")), next_update_seconds=seconds
    )


def publish_to_hub(report: ScanReport, settings: HubSettings, outbox: FileOutbox, dry_run: bool) -> bool:
    """Publish the report to Migration Hub, telling the user what happened; True when it worked."""
    from maptag.sinks.migration_hub import publish

    # GetHomeRegion is asked in the caller's region, else the first region scanned.
    session = boto3.Session()
    region = session.region_name or os.environ.get("AWS_REGION") or report.policy.regions[0]
    result = publish(report, settings, session=session, region=region, outbox=outbox, dry_run=dry_run)
    for line in result.lines():
        failed = line.startswith("Migration Hub publish failed")
        print(
            line if line.startswith("  ") else ("maptag: error: " if failed else "maptag: ") + line,
            file=sys.stderr,
        )
    if result.queued:
        print(f"maptag: outbox: {outbox.path}", file=sys.stderr)
    return not result.failed


def exit_code(report: Any, fail_under: float | None) -> int:
    if report.failed_units:
        return EXIT_UNIT_FAILED
    coverage = report.totals.coverage_percent
    if coverage is None:
        return EXIT_OK
    if fail_under is not None:
        return EXIT_OK if coverage >= fail_under else EXIT_FINDINGS
    return EXIT_OK if report.totals.non_compliant == 0 else EXIT_FINDINGS


def _write(report: Any, output_format: str, output: Path | None, console: Any) -> None:
    from maptag.sinks import report as writers

    def emit(out: IO[str]) -> None:
        if output_format == "json":
            writers.write_json(report, out)
        elif output_format == "csv":
            writers.write_csv(report, out)
        elif output_format == "html":
            writers.write_html(report, out)
        else:
            console.table(report, out)

    if output is None:
        emit(sys.stdout)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as out:
            emit(out)
    except OSError as error:
        raise UsageError(f"--output: cannot write {output}: {error.strerror}") from None
    print(f"maptag: wrote {output_format} report to {output}", file=sys.stderr)
