"""`maptag report --latest`: the deployed workflow's latest report, from the reports bucket.

    maptag report --latest [--stack NAME | --bucket NAME] [--format html|json] [-o FILE]

The publish step also writes each run's report under the stable key `reports/latest/`
(sinks/s3_report.py), so the newest one is found without listing the bucket. The bucket
comes from the stack's `ReportsBucket` output unless --bucket names it (app/deployment.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from maptag.app.deployment import REPORT_FORMATS as FORMATS
from maptag.commands import UsageError
from maptag.commands.run import add_stack_flag
from maptag.rules import quote


def register(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="fetch the deployed workflow's latest report (html or json)",
        description="Download the latest report the deployed workflow wrote to its reports bucket.",
    )
    report.add_argument("--latest", action="store_true", required=True, help="the newest run's report")
    add_stack_flag(report)
    report.add_argument("--bucket", metavar="NAME", help="the reports bucket (default: from the stack)")
    report.add_argument("--format", default="html", metavar="|".join(FORMATS), help="default html")
    report.add_argument("-o", "--output", type=Path, metavar="FILE", help="write it to FILE (default stdout)")
    report.set_defaults(handler=fetch)


def fetch(args: argparse.Namespace) -> int:
    from maptag.app import deployment

    if args.format not in FORMATS:
        raise UsageError(f"--format: unknown format {quote(args.format)} (known: {', '.join(FORMATS)})")
    request = deployment.LatestReportRequest(
        stack=args.stack, bucket=args.bucket, format=args.format, output=args.output
    )
    return deployment.fetch_latest(request, sys.stdout)
