"""`maptag scan`: scan accounts × regions and report MAP tag coverage (docs/contracts.md, "CLI").

Every setting comes from a flag or from the TOML file named by --config; flags win. Bad
input of any kind is a UsageError: one line that names the bad value, exit code 2.
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
import re
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from maptag import sinks
from maptag.commands import EXIT_FINDINGS, EXIT_OK, EXIT_UNIT_FAILED, EXIT_USAGE, UsageError, warn
from maptag.commands.hints import scan_hints
from maptag.files import STDOUT, OutputFile
from maptag.migration_hub.names import DEFAULT_STREAM, StreamNameError, validate_stream
from maptag.migration_hub.outbox import FileOutbox
from maptag.migration_hub.publisher import DEFAULT_NEXT_UPDATE_SECONDS, HubSettings
from maptag.resources.declarations import TYPE_NAMES
from maptag.rules import quote
from maptag.sinks.security_hub import DEFAULT_REFRESH_DAYS, MAX_REFRESH_DAYS

if TYPE_CHECKING:
    from maptag.console import ScanConsole
    from maptag.coverage import Totals
    from maptag.model import ScanUnit
    from maptag.money import CostBook, SinceState
    from maptag.policy import Policy
    from maptag.report.model import ScanReport

FORMATS = ("table", "json", "csv", "html")

# How a setting's value is spelled: "items" is a list of strings (one string is one item),
# "list" a list of strings or one comma-separated string.
Kind = Literal["items", "list", "bool", "int", "number", "text", "date"]


@dataclass(frozen=True)
class Setting:
    """One setting of `maptag scan`: its flag, its key in the config file, its kind."""

    name: str  # the Policy field, or the command's own option
    flag: str | None  # None: config file only
    key: str  # TOML key; the same with `_` for `-` is accepted too
    kind: Kind
    aliases: tuple[str, ...] = ()


SETTINGS = (
    Setting("mpe_ids", "--mpe-id", "mpe-id", "items", ("mpe-ids",)),
    Setting("regions", "--regions", "regions", "list"),
    Setting("accounts", "--accounts", "accounts", "list"),
    Setting("organization", "--org", "org", "bool", ("organization",)),
    Setting("role_name", "--role-name", "role-name", "text"),
    Setting("agreement_start", "--agreement-start", "agreement-start", "date"),
    Setting("types", "--types", "types", "list"),
    Setting("exclusions", "--exclude", "exclude", "items", ("exclusions",)),
    Setting("accept_legacy", "--accept-legacy", "accept-legacy", "bool"),
    Setting("inventory", "--inventory", "inventory", "bool"),
    Setting("max_concurrency", "--max-concurrency", "max-concurrency", "int"),
    Setting("prefixes", None, "prefixes", "list"),
    Setting("format", "--format", "format", "text"),
    Setting("output", "--output", "output", "text"),
    Setting("publish", "--publish", "publish", "list"),
    Setting("dry_run", "--dry-run", "dry-run", "bool"),
    Setting("fail_under", "--fail-under", "fail-under", "number"),
    # since when and how much (docs/costs.md)
    Setting("costs", "--costs", "costs", "text"),
    Setting("credit_rate", "--credit-rate", "credit-rate", "number"),
    # Migration Hub (with --publish migration-hub)
    Setting("stream", "--stream", "stream", "text"),
    Setting("server_tasks", "--server-tasks", "server-tasks", "bool"),
    Setting("next_update_seconds", "--next-update-seconds", "next-update-seconds", "int"),
    Setting("outbox", "--outbox", "outbox", "text"),
    # Security Hub (with --publish security-hub); config file only
    Setting("securityhub_refresh_days", None, "securityhub-refresh-days", "int"),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}
BY_CONFIG_KEY = {
    spelling: setting
    for setting in SETTINGS
    for key in (setting.key, *setting.aliases)
    for spelling in (key, key.replace("-", "_"))
}
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def register(commands: Any) -> None:
    scan = commands.add_parser(
        "scan",
        help="scan accounts × regions and report MAP tag coverage",
        description="Find migrated resources whose map-migrated tag is missing or wrong.",
        epilog="Every flag can also be set in the --config file (TOML, keys named like the flags); "
        "flags win. Exit codes: 0 every in-scope resource compliant (or coverage >= --fail-under, or "
        "nothing in scope); 1 findings; 2 usage or configuration error; 3 a unit (account x region) "
        "failed, the report is still written.",
    )
    add_scope_flags(scan)
    scan.add_argument(
        "--inventory",
        action=argparse.BooleanOptionalAction,
        help="also count, per unit, the tagged resources of types maptag does not scan (Tagging API; "
        "it cannot see resources that never had a tag)",
    )
    scan.add_argument("--max-concurrency", type=int, metavar="N", help="units scanned at once (default 8)")
    scan.add_argument("--format", metavar="|".join(FORMATS), help="report format (default: table)")
    scan.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (default: stdout)")
    scan.add_argument(
        "--publish",
        type=_csv,
        metavar="SINK,...",
        help=f"also publish to these sinks ({', '.join(sorted(sinks.SINKS))})",
    )
    scan.add_argument(
        "--dry-run",
        action=argparse.BooleanOptionalAction,
        help="with --publish: say what would be sent, send nothing",
    )
    scan.add_argument(
        "--fail-under",
        type=float,
        metavar="PCT",
        help="exit 0 when overall coverage is at least PCT percent (default: only at 100 %%)",
    )
    money = scan.add_argument_group("spend and credits (docs/costs.md)")
    money.add_argument(
        "--costs",
        metavar="SOURCE",
        help="spend per resource from cost-explorer (resource-level data on; $0.01 a request), "
        "a CUR 2.0 file (.csv, .csv.gz, .parquet) or an s3://BUCKET/PREFIX of them",
    )
    money.add_argument(
        "--credit-rate",
        type=_credit_rate,
        metavar="PCT",
        help="the engagement's MAP credit rate in percent (from its agreement): adds the credits "
        "at risk a month; maptag never assumes one",
    )
    hub = scan.add_argument_group("Migration Hub (with --publish migration-hub)")
    hub.add_argument("--stream", metavar="NAME", help=f"progress update stream (default: {DEFAULT_STREAM})")
    hub.add_argument(
        "--server-tasks",
        action=argparse.BooleanOptionalAction,
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
        metavar="FILE",
        help="where unsent updates wait for the next run (default: ~/.maptag/migration-hub-outbox.json)",
    )
    scan.set_defaults(handler=run)


def add_scope_flags(parser: Any) -> None:
    """The flags that say what to scan and how to judge it (`maptag scan`, `maptag fix`)."""
    parser.add_argument(
        "--mpe-id",
        dest="mpe_ids",
        action="extend",
        type=_ids,
        metavar="ID[,ID]",
        help="MPE id (12345, ABCDE12345: every documented prefix) or a full tag value "
        "(mig12345: only that value); several comma-separated, or repeat the flag",
    )
    parser.add_argument("--regions", type=_csv, metavar="R1,R2", help="regions (default: AWS_REGION)")
    parser.add_argument("--accounts", type=_csv, metavar="A1,A2", help="account ids (default: the caller's)")
    parser.add_argument(
        "--org",
        dest="organization",
        action=argparse.BooleanOptionalAction,
        help="scan every active account of the Organization (needs --role-name)",
    )
    parser.add_argument("--role-name", metavar="NAME", help="role to assume in each account but the caller's")
    parser.add_argument(
        "--agreement-start",
        metavar="YYYY-MM-DD",
        help="MAP agreement start: resources created before it are out of scope",
    )
    parser.add_argument(
        "--types", type=_csv, metavar="T1,T2", help=f"resource types (default: all: {', '.join(TYPE_NAMES)})"
    )
    parser.add_argument(
        "--exclude",
        dest="exclusions",
        action="append",
        metavar="RULE",
        help="out of scope: tag:KEY, tag:KEY=VALUE or an ARN glob (arn:aws:s3:::cdk-*); repeatable",
    )
    parser.add_argument(
        "--accept-legacy",
        action=argparse.BooleanOptionalAction,
        help="count legacy d-server-… values (older MAP terms) as compliant",
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="TOML file holding any of these settings")


def _credit_rate(text: str) -> float:
    from maptag.money import parse_credit_rate

    try:
        return parse_credit_rate(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _csv(text: str) -> list[str]:
    """A comma-separated flag value (`--regions us-east-1,eu-west-1`); empty is an error."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError(f"{quote(text)} is empty")
    return parts


def _ids(text: str) -> list[str]:
    """`--mpe-id a,b`: split on commas only; each id is kept exactly as typed, so the policy
    names a stray space instead of it being silently trimmed."""
    parts = text.split(",")
    if not all(parts):
        raise argparse.ArgumentTypeError(f"{quote(text)} has an empty id")
    return parts


@dataclass
class Settings:
    """The merged settings and where each came from, to name it in an error."""

    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def label(self, name: str) -> str:
        setting = BY_NAME.get(name)
        if setting is None:
            return name
        return self.origin.get(name) or setting.flag or f"'{setting.key}'"


def load_config(path: Path) -> Settings:
    """The settings in a TOML file, each checked for its kind (one-line UsageError if not)."""
    shown = quote(str(path), 200)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--config: file {shown} not found") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise UsageError(f"--config: cannot read {shown}: {reason}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"--config {shown}: invalid TOML: {_toml_problem(error, text)}") from None
    loaded = Settings()
    for key, value in data.items():
        setting = BY_CONFIG_KEY.get(key)
        if setting is None:
            known = ", ".join(s.key for s in SETTINGS)
            raise UsageError(f"--config {shown}: unknown setting {quote(key)} (known: {known})")
        where = f"{setting.key!r} in {shown}"
        if setting.name in loaded.values:
            raise UsageError(f"{where}: given twice (as {quote(key)} and another spelling)")
        loaded.values[setting.name] = _of_kind(value, setting.kind, where)
        loaded.origin[setting.name] = where
    return loaded


def _toml_problem(error: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message plus the offending line, so the message shows the bad value."""
    message = str(error)
    lines = text.splitlines()
    position = _TOML_POSITION.search(message)
    if position is not None:
        number = int(position.group(1))
        line = lines[number - 1].strip() if 0 < number <= len(lines) else ""
    else:  # "at end of document": the last line is where it went wrong
        line = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return f"{message}: {quote(line, 120)}" if line else message


def _of_kind(value: Any, kind: Kind, where: str) -> Any:
    """A config value checked against its kind (TOML has types; flags are strings)."""
    wrong = UsageError(f"{where}: {_shown(value)} is not {_KIND_WORDS[kind]}")
    if kind in ("items", "list"):
        if isinstance(value, str):
            items = [value] if kind == "items" else [part.strip() for part in value.split(",")]
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            items = value
        else:
            raise wrong
        items = [item for item in items if item.strip()] if kind == "list" else items
        if not items:
            raise UsageError(f"{where}: {_shown(value)} is empty")
        return items
    if kind == "bool":
        if not isinstance(value, bool):
            raise wrong
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        return float(value)
    if kind == "date":
        # TOML's own date type, or a string the policy parses.
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        if not isinstance(value, str):
            raise wrong
        return value
    if not isinstance(value, str):
        raise wrong
    return value


_KIND_WORDS: dict[str, str] = {
    "items": "a string or a list of strings",
    "list": "a list of strings or a comma-separated string",
    "bool": "true or false",
    "int": "an integer",
    "number": "a number",
    "text": "a string",
    "date": "a date (YYYY-MM-DD)",
}


def _shown(value: Any) -> str:
    """A TOML value as the user wrote it: strings quoted, everything else bare."""
    if isinstance(value, str):
        return quote(value, 80)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return quote(repr(value), 80)[1:-1]


def merge(args: argparse.Namespace) -> Settings:
    """The config file's settings with the flags given on the command line on top."""
    merged = load_config(args.config) if args.config is not None else Settings()
    given = {s.name for s in SETTINGS if s.flag is not None and getattr(args, s.name, None) is not None}
    if {"accounts", "organization"} <= given and args.organization:
        raise UsageError(f"--org: not allowed with --accounts {','.join(args.accounts)}: give one")
    for name in given:
        merged.values[name] = getattr(args, name)
        merged.origin[name] = BY_NAME[name].flag or name
    # Flags win: an account list on the command line replaces the file's `org`, and back.
    if "accounts" in given and "organization" not in given:
        merged.values.pop("organization", None)
    if merged.get("organization") and "organization" in given:
        merged.values.pop("accounts", None)
    return merged


def build_policy(chosen: Settings, default_region: str | None) -> Policy:
    from maptag.policy import Policy, PolicyError

    raw = {name: chosen.values[name] for name in Policy.model_fields if name in chosen.values}
    if not raw.get("regions"):
        if not default_region:
            raise UsageError("--regions: none given, and no AWS_REGION or profile region is set")
        raw["regions"] = [default_region]
    if not raw.get("mpe_ids"):
        raise UsageError("--mpe-id: required (your MPE id, e.g. --mpe-id 12345 or --mpe-id mig12345)")
    try:
        policy = Policy.build(**raw)
    except PolicyError as error:
        raise usage_error(error, chosen) from None
    start = policy.agreement_start
    if start is not None and start > datetime.now(UTC).date():
        raise UsageError(
            f"{chosen.label('agreement_start')}: {start.isoformat()} is in the future: every resource "
            "would be out of scope (give the date the MAP agreement was signed)"
        )
    return policy


def check_regions(policy: Policy, chosen: Settings, session: Any) -> None:
    """Each region is in botocore's partition data, or maptag is pointed at a custom endpoint
    (moto, a local stand-in), where any name is the endpoint's business: then only a warning."""
    from maptag.aws import custom_endpoint, known_regions

    known = known_regions()
    for region in policy.regions:
        if region in known:
            continue
        close = difflib.get_close_matches(region, sorted(known), n=1)
        guess = f"; did you mean {close[0]}?" if close else ""
        problem = f"{chosen.label('regions')}: {quote(region)} is not an AWS region botocore knows"
        endpoint = custom_endpoint(session)
        if endpoint is None:
            raise UsageError(f"{problem} (a region newer than this boto3 needs an upgrade){guess}")
        warn(f"{problem}; scanning it anyway through the custom endpoint {endpoint}")


def usage_error(error: Exception, chosen: Settings) -> UsageError:
    """A PolicyError ("field: message") reworded with the flag or config key it came from."""
    name, _, message = str(error).partition(": ")
    if name == "policy":
        return UsageError(f"{chosen.label('accounts')}/{chosen.label('organization')}: {message}")
    return UsageError(f"{chosen.label(name)}: {message}")


@dataclass(frozen=True)
class Options:
    """What the command does with the results, beyond the policy."""

    format: str
    output: Path | None
    publish: tuple[str, ...]
    dry_run: bool
    fail_under: float | None
    hub: HubSettings | None = None
    outbox: FileOutbox | None = None
    securityhub_refresh_days: int = DEFAULT_REFRESH_DAYS
    costs: str | None = None
    credit_rate: float | None = None


def options(chosen: Settings) -> Options:
    output_format = chosen.get("format", "table")
    if output_format not in FORMATS:
        known = ", ".join(FORMATS)
        raise UsageError(f"{chosen.label('format')}: unknown format {quote(output_format)} (known: {known})")
    fail_under = chosen.get("fail_under")
    if fail_under is not None and not (math.isfinite(fail_under) and 0 <= fail_under <= 100):
        raise UsageError(f"{chosen.label('fail_under')}: {fail_under:g} is not a percentage from 0 to 100")
    publish = tuple(dict.fromkeys(chosen.get("publish") or ()))
    for name in publish:
        if name not in sinks.SINKS:
            known = ", ".join(sorted(sinks.SINKS))
            raise UsageError(f"{chosen.label('publish')}: unknown sink {quote(name)} (known: {known})")
    hub = hub_settings(chosen) if "migration-hub" in publish else None
    refresh_days = chosen.get("securityhub_refresh_days", DEFAULT_REFRESH_DAYS)
    if not 0 <= refresh_days <= MAX_REFRESH_DAYS:
        raise UsageError(
            f"{chosen.label('securityhub_refresh_days')}: {refresh_days} is not a number of days "
            f"from 0 to {MAX_REFRESH_DAYS}"
        )
    costs, credit_rate = money_settings(chosen)
    outbox = chosen.get("outbox")
    output = chosen.get("output")
    if output is not None and not output.strip():
        raise UsageError(f"{chosen.label('output')}: {quote(output)} is not a file name")
    return Options(
        format=output_format,
        # `--output -` is stdout, as no --output is (progress and the closing line alike).
        output=Path(output) if output not in (None, STDOUT) else None,
        publish=publish,
        dry_run=bool(chosen.get("dry_run", False)),
        fail_under=fail_under,
        hub=hub,
        outbox=FileOutbox(Path(outbox).expanduser() if outbox else None) if hub else None,
        securityhub_refresh_days=refresh_days,
        costs=costs,
        credit_rate=credit_rate,
    )


def money_settings(chosen: Settings) -> tuple[str | None, float | None]:
    """--costs checked for its form and --credit-rate for its range, before anything is scanned."""
    from maptag.costs import describe_source
    from maptag.money import CostError, parse_credit_rate

    costs = chosen.get("costs")
    if costs is not None:
        try:
            describe_source(str(costs))
        except CostError as error:
            raise UsageError(f"{chosen.label('costs')}: {error}") from None
    rate = chosen.get("credit_rate")
    if rate is not None:
        try:
            rate = parse_credit_rate(rate)
        except ValueError as error:
            raise UsageError(f"{chosen.label('credit_rate')}: {error}") from None
        if costs is None:
            raise UsageError(
                f"{chosen.label('credit_rate')}: {rate:g} needs --costs (credits are a share of spend)"
            )
    return costs, rate


def hub_settings(chosen: Settings) -> HubSettings:
    """Migration Hub settings from flags and config, checked before anything is scanned."""
    stream = chosen.get("stream", DEFAULT_STREAM)
    try:
        validate_stream(str(stream))
    except StreamNameError as error:
        raise UsageError(f"{chosen.label('stream')}: {error}") from None
    seconds = chosen.get("next_update_seconds", DEFAULT_NEXT_UPDATE_SECONDS)
    if seconds < 0:
        raise UsageError(
            f"{chosen.label('next_update_seconds')}: {seconds!r} is not a number of seconds (0 or more)"
        )
    return HubSettings(
        stream=str(stream), server_tasks=bool(chosen.get("server_tasks")), next_update_seconds=seconds
    )


def open_report(path: Path, label: str) -> OutputFile:
    """The --output file, opened before the scan so an unwritable path fails at once (exit 2).

    maptag.files: a regular file is replaced only when the report is complete; a device, a
    FIFO, a symlink's target or `-` (stdout) is written directly, never replaced.
    """
    shown = quote(str(path), 200)
    try:
        return OutputFile(path)
    except IsADirectoryError:
        raise UsageError(f"{label}: {shown} is a directory") from None
    except OSError as error:
        raise UsageError(f"{label}: cannot write {shown}: {error.strerror}") from None


@contextmanager
def report_destination(opts: Options, chosen: Settings) -> Iterator[OutputFile | None]:
    if opts.output is None:
        yield None
        return
    target = open_report(opts.output, chosen.label("output"))
    try:
        yield target
    except BaseException:
        target.discard()
        raise
    try:
        target.commit()
    except OSError as error:
        shown = quote(str(opts.output), 200)
        raise UsageError(f"{chosen.label('output')}: cannot write {shown}: {error.strerror}") from None


def run(args: argparse.Namespace) -> int:
    from maptag.console import ScanConsole, Settings, note
    from maptag.report.model import overall_line
    from maptag.report.writers import write_report

    chosen = merge(args)
    opts = options(chosen)
    # docs/contracts.md: progress only for the table, on a terminal, never into piped output.
    progress = opts.format == "table" and (opts.output is not None or sys.stdout.isatty())
    console = ScanConsole(enabled=progress and not Settings.quiet)
    with report_destination(opts, chosen) as destination, scanned(chosen, console) as report:
        write_report(report, opts.format, destination.stream if destination else sys.stdout)
        labels = {name: chosen.label(name) for name in ("mpe_ids", "exclusions")}
        for hint in scan_hints(report.policy, report.resources(), labels):
            warn(hint)
        overall = overall_line(report)
        for failed in report.failed_units:
            print(f"maptag: error: unit {failed.unit.key} failed: {failed.error}", file=sys.stderr)
        code = exit_code(report.totals, bool(report.failed_units), opts.fail_under)
        if not publish(report, opts):
            # The report is written; a publish that failed is a configuration or service
            # problem the run must not hide (3 stays 3).
            code = max(code, EXIT_USAGE)
    if opts.output is not None:
        note(f"maptag: wrote the {opts.format} report to {opts.output}")
        note(overall)  # the report went to a file: the one-line summary still reaches the user
    return code


@contextmanager
def scanned(values: Settings | dict[str, Any], console: ScanConsole) -> Iterator[ScanReport]:
    """Scan with these settings and yield the ScanReport (its findings live until the block ends).

    `maptag scan` writes one format from it; `maptag demo` writes several from one scan.
    ``values`` holds settings by name (see SETTINGS), e.g. {"mpe_ids": ["12345"]}.
    """
    import boto3

    from maptag.money import Ledger, Money
    from maptag.policy import PolicyError
    from maptag.report.model import FindingSpool, ScanReport
    from maptag.scan import plan, run_scan

    chosen = values if isinstance(values, Settings) else Settings(values=dict(values))
    session = boto3.Session()
    # botocore reads AWS_DEFAULT_REGION and profiles; AWS_REGION is the SDKs' newer name.
    policy = build_policy(chosen, session.region_name or os.environ.get("AWS_REGION"))
    check_regions(policy, chosen, session)
    if session.get_credentials() is None:
        raise UsageError(
            "no AWS credentials found: set AWS_PROFILE, or run `aws configure` / `aws sso login`"
        )
    for warning in policy.warnings:
        print(f"maptag: warning: {warning}", file=sys.stderr)
    try:
        scan_plan = plan(policy, session)
    except PolicyError as error:
        raise usage_error(error, chosen) from None
    costs, credit_rate = money_settings(chosen)
    book = load_costs_for(costs, chosen, session, scan_plan.units, policy.regions[0])
    prior = prior_for(chosen, scan_plan.units)
    spool = FindingSpool()
    try:
        with console.progress(scan_plan.units) as progress:
            results = []
            for result in run_scan(
                policy, session, scan_plan.units, scan_plan.caller_account, spool.writer, progress.update
            ):
                progress.finish(result)
                results.append(result)
        report = ScanReport(policy=policy, units=results, spool=spool)
        report.money = Money(Ledger(report.generated_at, prior), book, credit_rate)
        yield report
    finally:
        spool.close()


def load_costs_for(
    costs: str | None, chosen: Settings, session: Any, units: list[ScanUnit], region: str
) -> CostBook | None:
    """The --costs source read before the scan (a source that cannot be read: exit 2)."""
    from maptag.costs import load_costs
    from maptag.money import CostError

    if costs is None:
        return None
    accounts = sorted({unit.account_id for unit in units})
    try:
        return load_costs(costs, session=session, accounts=accounts, region=region)
    except CostError as error:
        raise UsageError(f"{chosen.label('costs')}: {error}") from None


def prior_for(chosen: Settings, units: list[ScanUnit]) -> dict[str, SinceState] | None:
    """The open non-compliant resources the local history knows (with --publish history);
    None without it: every since-when is then unknown, never guessed."""
    from maptag.sinks.history import FileHistory, HistoryError, default_file

    if "history" not in (chosen.get("publish") or ()):
        return None
    try:
        return FileHistory(default_file()).resource_states(units)
    except HistoryError as error:
        raise UsageError(f"{chosen.label('publish')}: {error}") from None


def publish(report: ScanReport, opts: Options) -> bool:
    """Publish to each sink asked for; one failing never stops the others. True if all worked."""
    ok = True
    if opts.hub is not None and opts.outbox is not None:
        ok = publish_to_hub(report, opts.hub, opts.outbox, opts.dry_run) and ok
    for name in ("history", "security-hub"):
        if name in opts.publish:
            ok = publish_finding_sink(name, report, opts.dry_run, opts.securityhub_refresh_days) and ok
    return ok


def publish_finding_sink(
    name: str, report: ScanReport, dry_run: bool, refresh_days: int = DEFAULT_REFRESH_DAYS
) -> bool:
    """The local history file or the caller's Security Hub (sinks/history.py, security_hub.py)."""
    from maptag.console import note
    from maptag.sinks.delivery import publish_local

    outcome = publish_local(name, report, dry_run, refresh_days=refresh_days)
    if outcome.ok:
        note(f"maptag: {name}: {outcome.detail}")
    else:
        print(f"maptag: error: {name}: {outcome.detail}", file=sys.stderr)
    return outcome.ok


def publish_to_hub(report: ScanReport, settings: HubSettings, outbox: FileOutbox, dry_run: bool) -> bool:
    """Publish the report to Migration Hub, telling the user what happened; True when it worked."""
    import boto3

    from maptag.sinks.migration_hub import publish

    # GetHomeRegion is asked in the caller's region, else the first region scanned.
    session = boto3.Session()
    region = session.region_name or os.environ.get("AWS_REGION") or report.policy.regions[0]
    result = publish(report, settings, session=session, region=region, outbox=outbox, dry_run=dry_run)
    from maptag.console import note

    for line in result.lines():
        # Every stderr line carries maptag's prefix, the dry run's call list included.
        if line.startswith("Migration Hub publish failed"):
            print("maptag: error: " + line, file=sys.stderr)
        elif line.startswith("skipped "):
            print("maptag: warning: " + line, file=sys.stderr)
        else:
            note("maptag: " + line)
    if result.queued:
        note(f"maptag: outbox: {outbox.path}")
    return not result.failed


def exit_code(totals: Totals, failed: bool, fail_under: float | None) -> int:
    """docs/contracts.md: 3 a unit failed; 0 all compliant, nothing in scope, or coverage ≥
    --fail-under; 1 findings."""
    if failed:
        return EXIT_UNIT_FAILED
    coverage = totals.coverage_percent
    if coverage is None:
        return EXIT_OK
    if fail_under is not None:
        return EXIT_OK if coverage >= fail_under else EXIT_FINDINGS
    return EXIT_OK if totals.non_compliant == 0 else EXIT_FINDINGS
