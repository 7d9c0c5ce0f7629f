"""The `maptag` command line (docs/contracts.md, "CLI"): a thin shell over the pipeline.

Exit codes: 0 compliant (or coverage ≥ --fail-under), 1 findings, 2 usage or configuration
error (one line naming the bad value, no traceback), 3 a scan unit failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from botocore.exceptions import BotoCoreError, NoRegionError

from maptag import __version__
from maptag.commands import EXIT_OK, EXIT_UNIT_FAILED, EXIT_USAGE, UsageError
from maptag.commands import completion as completion_command
from maptag.commands import demo as demo_command
from maptag.commands import history as history_command
from maptag.commands import hub as hub_command
from maptag.commands import report as report_command
from maptag.commands import run as run_command
from maptag.commands import scan as scan_command
from maptag.scan import ScanError

COMMANDS = (
    scan_command,
    demo_command,
    hub_command,
    history_command,
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
    return parser


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
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
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
    except BotoCoreError as error:
        # No credentials, a broken profile: configuration, not a finding.
        print(f"maptag: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`maptag scan --format json | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("maptag: interrupted", file=sys.stderr)
        return 130


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
