"""The `maptag` command line (docs/contracts.md, "CLI"): a thin shell over the pipeline.

Exit codes: 0 compliant (or coverage ≥ --fail-under), 1 findings, 2 usage or configuration
error (one line naming the bad value, no traceback), 3 a scan unit failed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError
from botocore.parsers import ResponseParserError

from maptag import __version__
from maptag.aws import describe_error
from maptag.commands import EXIT_OK, EXIT_UNIT_FAILED, EXIT_USAGE, UsageError
from maptag.commands import completion as completion_command
from maptag.commands import demo as demo_command
from maptag.commands import fix as fix_command
from maptag.commands import history as history_command
from maptag.commands import hub as hub_command
from maptag.commands import report as report_command
from maptag.commands import run as run_command
from maptag.commands import scan as scan_command
from maptag.commands import types as types_command
from maptag.scan import ScanError

COMMANDS = (
    scan_command,
    fix_command,
    demo_command,
    hub_command,
    history_command,
    types_command,
    run_command,
    report_command,
    completion_command,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="maptag", description="MAP 2.0 tag coverage for migrated AWS resources.")
    parser.add_argument("--version", action="version", version=f"maptag {__version__}")
    _common_options(parser, None)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    for leaf in leaf_parsers(parser):
        if leaf is not parser:
            # Given before or after the command; SUPPRESS keeps a subcommand from resetting it.
            _common_options(leaf, argparse.SUPPRESS)
    # Passed in, not imported: `completion` and `demo` run maptag's own commands through it.
    parser.set_defaults(cli_parser=parser)
    return parser


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C (no .part file, no spool left behind)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# CI cancellation, `timeout`, a container stopping, a closed terminal: each stops maptag as Ctrl-C does.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Stopped in the main thread while maptag runs."""
    previous = {}
    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, _stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _StderrLines(logging.Handler):
    """maptag's log records as one prefixed line each on stderr (no traceback: the message names
    the failure; a sink's failure is printed by the command itself)."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "maptag.sinks.outcome":
            return
        level = "error" if record.levelno >= logging.ERROR else "warning"
        message = " ".join(record.getMessage().split())
        print(f"maptag: {level}: {message}", file=sys.stderr)


def log_to_stderr() -> None:
    logger = logging.getLogger("maptag")
    if not any(isinstance(handler, _StderrLines) for handler in logger.handlers):
        handler = _StderrLines(logging.WARNING)
        logger.addHandler(handler)


def _common_options(parser: argparse.ArgumentParser, default: Any) -> None:
    group = parser.add_argument_group("common options")
    group.add_argument("--profile", default=default, metavar="NAME", help="AWS profile (as AWS_PROFILE)")
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="errors only on stderr (no progress)"
    )
    group.add_argument(
        "--no-color", action="store_true", default=default, help="no colour (also when NO_COLOR is set)"
    )


def leaf_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers that run a command (`scan`, `hub tasks`, …), depth first; a parser without
    subcommands is its own leaf."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:  # argparse offers no public way to walk its subparsers
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += leaf_parsers(child)
    return found or [parser]


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("AWS_STS_REGIONAL_ENDPOINTS", "regional")
    log_to_stderr()
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        with stop_signals():
            parser = build_parser()
            if not arguments:
                parser.print_help()
                return EXIT_OK
            args = parser.parse_args(arguments)
            _apply_common(args)
            return int(args.handler(args))
    except UsageError as error:
        print(f"maptag: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except NoRegionError:
        print("maptag: error: no AWS region: set AWS_REGION or pass --regions", file=sys.stderr)
        return EXIT_USAGE
    except ScanError as error:
        # Missing/invalid credentials are configuration (2); an unreadable Organization is 3.
        print(f"maptag: error: {error}", file=sys.stderr)
        return EXIT_USAGE if error.configuration else EXIT_UNIT_FAILED
    except (BotoCoreError, ClientError, ResponseParserError) as error:
        # No credentials, a broken profile, an AWS error no command expected: one line, never
        # a traceback (describe_error names the code and AWS's message, never credentials).
        print(f"maptag: error: {describe_error(error)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`maptag scan --format json | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Stopped as stopped:
        print(f"maptag: error: stopped by {stopped}", file=sys.stderr)
        return 128 + stopped.signum  # the shell's convention: 143 for SIGTERM, 129 for SIGHUP
    except KeyboardInterrupt:
        print("maptag: error: interrupted", file=sys.stderr)
        return 130
    except OSError as error:
        # A file failed past every command's own checks (disk full on stdout, a device error).
        where = f": {error.filename}" if error.filename else ""
        print(f"maptag: error: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_USAGE


def _apply_common(args: argparse.Namespace) -> None:
    from maptag.console import Settings

    Settings.color = not args.no_color
    Settings.quiet = bool(args.quiet)
    if args.profile is not None:
        import boto3

        # Fails here, naming the profile, when it does not exist (ProfileNotFound: exit 2).
        boto3.Session(profile_name=args.profile)
        os.environ["AWS_PROFILE"] = args.profile


if __name__ == "__main__":
    sys.exit(main())
