"""After `cdk deploy`: start the deployed workflow and follow it (`maptag run`), fetch its latest
report (`maptag report --latest`).

The state machine and the reports bucket are found from the stack's outputs (`StateMachineArn`,
`ReportsBucket`, infra/stacks.py), so nothing but the stack name is needed. Exit codes as
`maptag scan` (docs/contracts.md): 0 all compliant, 1 findings, 3 the run or a unit failed; 2 the
stack, the workflow or the report cannot be reached.
"""

from __future__ import annotations

import codecs
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError

from maptag.app.errors import UsageError
from maptag.app.exit_codes import EXIT_OK, EXIT_UNIT_FAILED, scan_exit_code
from maptag.aws import describe_error
from maptag.rules import quote
from maptag.sinks.s3_report import latest_key

DEFAULT_STACK = "Maptag"  # infra/constants.py SCANNER_STACK (not imported: the CLI never loads infra)
# DescribeExecution's final statuses (docs/cli.md, "maptag run"); RUNNING and PENDING_REDRIVE go on.
DONE = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
HEARTBEAT_SECONDS = 60  # a long run still says it is alive
REPORT_FORMATS = ("html", "json")


@dataclass(frozen=True)
class RunRequest:
    stack: str = DEFAULT_STACK
    wait: bool = True
    poll_seconds: float = 5.0  # > 0, checked by the caller


@dataclass(frozen=True)
class LatestReportRequest:
    stack: str = DEFAULT_STACK
    bucket: str | None = None  # None: the stack's ReportsBucket output
    format: str = "html"  # one of REPORT_FORMATS, checked by the caller
    output: Path | None = None  # None: ``out``


def stack_output(stack: str, name: str) -> str:
    """One output of the deployed stack; a UsageError naming the stack when it is not there."""
    import boto3

    try:
        stacks = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    except (ClientError, BotoCoreError) as error:
        raise UsageError(f"--stack: cannot read stack {quote(stack)}: {describe_error(error)}") from None
    outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in (stacks[0].get("Outputs") or ())}
    if not outputs.get(name):
        raise UsageError(f"--stack: stack {quote(stack)} has no output {name} (is it the maptag stack?)")
    return outputs[name]


def start_run(request: RunRequest, out: IO[str]) -> int:
    """Start the stack's state machine; unless told not to wait, follow it and print its result."""
    import boto3

    from maptag.console import note

    machine = stack_output(request.stack, "StateMachineArn")
    sfn = boto3.client("stepfunctions")
    try:
        execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"trigger": "cli"}))
    except (ClientError, BotoCoreError) as error:
        raise UsageError(f"cannot start {machine}: {describe_error(error)}") from None
    arn = execution["executionArn"]
    note(f"maptag: started {arn}")
    if not request.wait:
        print(arn, file=out)
        return EXIT_OK
    status, started, told = "RUNNING", time.monotonic(), time.monotonic()
    while True:
        try:
            described = sfn.describe_execution(executionArn=arn)
        except (ClientError, BotoCoreError) as error:
            raise UsageError(f"cannot follow {arn}: {describe_error(error)}") from None
        now = time.monotonic()
        if described["status"] != status or now - told >= HEARTBEAT_SECONDS:
            status, told = described["status"], now
            note(f"maptag: {status.lower().replace('_', ' ')} after {now - started:.0f} s")
        if status in DONE:
            break
        time.sleep(request.poll_seconds)
    return finished(status, described, out)


def finished(status: str, described: Mapping[str, Any], out: Any) -> int:
    """The run's one-line result and its exit code (docs/contracts.md, "CLI")."""
    if status != "SUCCEEDED":
        cause = described.get("cause") or described.get("error") or status
        print(f"maptag: error: the run {status.lower()}: {cause}", file=sys.stderr)
        return EXIT_UNIT_FAILED
    try:
        result = json.loads(described.get("output") or "{}")
    except json.JSONDecodeError:
        result = {}
    totals = result.get("totals") if isinstance(result, dict) else None
    if not isinstance(totals, dict):
        print("Run succeeded (its output carries no totals: see `maptag report --latest`).", file=out)
        return EXIT_OK
    failed = int(result.get("failed_units") or 0)
    coverage = totals.get("coverage_percent")
    to_fix = int(totals.get("in_scope", 0)) - int(totals.get("compliant", 0))
    shown = "n/a" if coverage is None else f"{coverage:.2f} %"
    print(
        f"Overall: {shown} coverage: {totals.get('compliant', 0)} of {totals.get('in_scope', 0)} in-scope "
        f"resources tagged correctly, {to_fix} to fix, {failed} of {result.get('units', '?')} unit(s) failed",
        file=out,
    )
    if result.get("report_url"):
        print(f"Report: {result['report_url']}", file=out)
    for sink, outcome in (result.get("sinks") or {}).items():
        if outcome != "ok":
            print(f"maptag: error: {sink}: {outcome}", file=sys.stderr)
    return scan_exit_code(failed_units=bool(failed), coverage=coverage, non_compliant=to_fix)


def fetch_latest(request: LatestReportRequest, out: IO[str]) -> int:
    """The newest run's report, copied to ``request.output`` (atomically) or ``out``."""
    import boto3

    from maptag.app.scan import open_report
    from maptag.console import note

    bucket = request.bucket or stack_output(request.stack, "ReportsBucket")
    key = latest_key(request.format)
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
    if request.output is None:
        _copy(body, out)
        return EXIT_OK
    # Written next to the target and moved into place: a failed download never leaves half a file.
    target = open_report(request.output, "--output")
    try:
        _copy(body, target.stream)
    except BaseException:
        target.discard()
        raise
    target.commit()
    note(f"maptag: wrote the latest {request.format} report (s3://{bucket}/{key}) to {request.output}")
    return EXIT_OK


def _copy(body: Any, out: IO[str]) -> None:
    """The object's bytes as text, chunk by chunk (a large report is never all in memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in body.iter_chunks():
        out.write(decoder.decode(chunk))
    out.write(decoder.decode(b"", final=True))
