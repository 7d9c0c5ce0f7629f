"""`maptag history`: MAP tag coverage over time, from the deployed table or a local file.

    maptag history [--table NAME | --file PATH] [--account A] [--region R] [--type T]
                   [--runs N] [--format table|json]

Without --table or --file it reads the local file ($MAPTAG_HISTORY_FILE, else
~/.maptag/history.jsonl), written by `maptag scan --publish history`. The table is reached
through the standard chain (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL...).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from maptag.app.history import FORMATS, HistoryRequest
from maptag.commands import UsageError
from maptag.policy import ACCOUNT_ID, REGION_NAME
from maptag.sinks.history import FILE_VARIABLE, Scope

MAX_RUNS = 1000
_TYPE = re.compile(r"[a-z0-9-]+:[A-Za-z0-9-]+")  # autoscaling:autoScalingGroup, backup:recoveryPoint
_TABLE = re.compile(r"[A-Za-z0-9_.-]{3,255}")


def register(commands: Any) -> None:
    history = commands.add_parser(
        "history",
        help="MAP tag coverage over time (deployed history table or local file)",
        description="Print MAP tag coverage per run, oldest first, with the trend.",
    )
    source = history.add_mutually_exclusive_group()
    source.add_argument("--table", metavar="NAME", help="the deployed DynamoDB history table")
    source.add_argument(
        "--file",
        type=Path,
        metavar="PATH",
        help=f"a local history file (default: ${FILE_VARIABLE} or ~/.maptag/history.jsonl)",
    )
    history.add_argument("--account", metavar="ID", help="one account (12 digits)")
    history.add_argument("--region", metavar="NAME", help="one region, e.g. us-east-1")
    history.add_argument("--type", dest="rtype", metavar="TYPE", help="one resource type, e.g. ec2:volume")
    history.add_argument("--runs", default="20", metavar="N", help="how many recent runs (default 20)")
    history.add_argument("--format", default="table", metavar="FORMAT", help="table (default) or json")
    history.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from maptag.app import history

    scope, runs = _validated(args)
    request = HistoryRequest(
        scope=scope, runs=runs, rtype=args.rtype, table=args.table, file=args.file, format=args.format
    )
    return history.run(request, sys.stdout)


def _validated(args: argparse.Namespace) -> tuple[Scope, int]:
    if args.account is not None and not ACCOUNT_ID.fullmatch(args.account):
        raise UsageError(f"--account: {args.account!r} is not a 12-digit AWS account id")
    if args.region is not None and not REGION_NAME.fullmatch(args.region):
        raise UsageError(f"--region: {args.region!r} is not an AWS region name such as us-east-1")
    if args.rtype is not None and not _TYPE.fullmatch(args.rtype):
        raise UsageError(f"--type: {args.rtype!r} is not a resource type such as ec2:volume")
    if args.table is not None and not _TABLE.fullmatch(args.table):
        raise UsageError(f"--table: {args.table!r} is not a DynamoDB table name")
    if args.format not in FORMATS:
        raise UsageError(f"--format: unknown format {args.format!r} (known: {', '.join(FORMATS)})")
    try:
        runs = int(args.runs)
    except ValueError:
        raise UsageError(f"--runs: {args.runs!r} is not a number") from None
    if not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"--runs: {runs} is not between 1 and {MAX_RUNS}")
    return Scope(args.account, args.region), runs
