"""`maptag report --latest`: the deployed workflow's latest report, from the reports bucket.

    maptag report --latest [--stack NAME | --bucket NAME] [--format html|json] [-o FILE]

The publish step also writes each run's report under the stable key `reports/latest/`
(sinks/s3_report.py), so the newest one is found without listing the bucket. The bucket
comes from the stack's `ReportsBucket` output unless --bucket names it.
"""

from __future__ import annotations

import argparse
import codecs
import sys
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import describe_error
from maptag.commands import EXIT_OK, UsageError
from maptag.commands.run import add_stack_flag, stack_output
from maptag.names import LATEST_PREFIX, REPORTS_PREFIX
from maptag.rules import quote

FORMATS = ("html", "json")


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


def latest_key(report_format: str) -> str:
    return f"{REPORTS_PREFIX}{LATEST_PREFIX}report.{report_format}"


def fetch(args: argparse.Namespace) -> int:
    import boto3

    from maptag.app.scan import open_report
    from maptag.console import note

    if args.format not in FORMATS:
        raise UsageError(f"--format: unknown format {quote(args.format)} (known: {', '.join(FORMATS)})")
    bucket = args.bucket or stack_output(args.stack, "ReportsBucket")
    key = latest_key(args.format)
    try:
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in ("NoSuchKey", "404"):
            raise UsageError(
                f"no report at s3://{bucket}/{key} yet: run `maptag run` (or wait for the schedule)"
            ) from None
        raise UsageError(f"cannot read s3://{bucket}/{key}: {describe_error(error)}") from None
    except BotoCoreError as error:
        raise UsageError(f"cannot read s3://{bucket}/{key}: {describe_error(error)}") from None
    if args.output is None:
        _copy(body, sys.stdout)
        return EXIT_OK
    # Written next to the target and moved into place: a failed download never leaves half a file.
    target = open_report(args.output, "--output")
    try:
        _copy(body, target.stream)
    except BaseException:
        target.discard()
        raise
    target.commit()
    note(f"maptag: wrote the latest {args.format} report (s3://{bucket}/{key}) to {args.output}")
    return EXIT_OK


def _copy(body: Any, out: IO[str]) -> None:
    """The object's bytes as text, chunk by chunk (a large report is never all in memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in body.iter_chunks():
        out.write(decoder.decode(chunk))
    out.write(decoder.decode(b"", final=True))
