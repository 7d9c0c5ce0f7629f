"""`maptag scan`: scan accounts × regions and report MAP tag coverage (docs/contracts.md, "CLI").

Argument parsing only: flags and --config → settings (app/settings.py) → ScanRequest →
app.scan.run → exit code. Bad input of any kind is a UsageError: one line that names the bad
value, exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from maptag.app.settings import FORMATS
from maptag.migration_hub.names import DEFAULT_STREAM
from maptag.resources.declarations import TYPE_NAMES
from maptag.rules import quote
from maptag.sinks.registry import LAPTOP_NAMES


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
        help=f"also publish to these sinks ({', '.join(sorted(LAPTOP_NAMES))})",
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


def run(args: argparse.Namespace) -> int:
    from maptag.app import scan
    from maptag.app.settings import resolve
    from maptag.console import ScanConsole, Settings, note

    request = scan.ScanRequest.of(resolve(vars(args), args.config))
    # docs/contracts.md: progress only for the table, on a terminal, never into piped output.
    progress = request.format == "table" and (request.output is not None or sys.stdout.isatty())
    result = scan.run(request, ScanConsole(enabled=progress and not Settings.quiet), sys.stdout)
    if request.output is not None:
        note(f"maptag: wrote the {request.format} report to {request.output}")
        note(result.overall)  # the report went to a file: the one-line summary still reaches the user
    return result.code
