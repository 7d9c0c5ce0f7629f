"""`maptag run`: start the deployed scan workflow now and follow it to the end.

    maptag run [--stack NAME] [--no-wait] [--poll-seconds N]

The state machine is found from the stack's outputs (`StateMachineArn`, infra/stacks.py), so
nothing but the stack name is needed. Exit codes as `maptag scan` (docs/contracts.md): 0 all
compliant, 1 findings, 3 the run or a unit failed; 2 the stack or workflow cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from maptag.app.exit_codes import scan_exit_code
from maptag.aws import describe_error
from maptag.commands import EXIT_OK, EXIT_UNIT_FAILED, UsageError
from maptag.rules import quote

DEFAULT_STACK = "Maptag"  # infra/constants.py SCANNER_STACK (not imported: the CLI never loads infra)
# DescribeExecution's final statuses (docs/cli.md, "maptag run"); RUNNING and PENDING_REDRIVE go on.
DONE = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
HEARTBEAT_SECONDS = 60  # a long run still says it is alive


def register(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="start the deployed scan workflow now and follow it (after cdk deploy)",
        description="Start the deployed Step Functions workflow (found from the stack's outputs) "
        "and wait for it, printing its progress and the run's coverage.",
    )
    add_stack_flag(run)
    run.add_argument("--no-wait", action="store_true", help="start it and return at once")
    run.add_argument(
        "--poll-seconds", type=float, default=5.0, metavar="N", help="how often to ask (default 5)"
    )
    run.set_defaults(handler=start)


def add_stack_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack", default=DEFAULT_STACK, metavar="NAME", help=f"the deployed stack (default {DEFAULT_STACK})"
    )


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


def start(args: argparse.Namespace) -> int:
    import boto3

    from maptag.console import note

    if not args.poll_seconds > 0:
        raise UsageError(f"--poll-seconds: {args.poll_seconds:g} is not a positive number of seconds")
    machine = stack_output(args.stack, "StateMachineArn")
    sfn = boto3.client("stepfunctions")
    try:
        execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"trigger": "cli"}))
    except (ClientError, BotoCoreError) as error:
        raise UsageError(f"cannot start {machine}: {describe_error(error)}") from None
    arn = execution["executionArn"]
    note(f"maptag: started {arn}")
    if args.no_wait:
        print(arn)
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
        time.sleep(args.poll_seconds)
    return finished(status, described, sys.stdout)


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
