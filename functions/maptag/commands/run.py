"""`maptag run`: start the deployed scan workflow now and follow it to the end (app/deployment.py).

maptag run [--stack NAME] [--no-wait] [--poll-seconds N]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from maptag.app.deployment import DEFAULT_STACK
from maptag.commands import UsageError


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


def start(args: argparse.Namespace) -> int:
    from maptag.app import deployment

    if not args.poll_seconds > 0:
        raise UsageError(f"--poll-seconds: {args.poll_seconds:g} is not a positive number of seconds")
    request = deployment.RunRequest(stack=args.stack, wait=not args.no_wait, poll_seconds=args.poll_seconds)
    return deployment.start_run(request, sys.stdout)
