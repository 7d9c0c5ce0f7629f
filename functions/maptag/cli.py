"""The `maptag` command line (docs/contracts.md, "CLI"): a thin shell over the pipeline.

Exit codes: 0 compliant (or coverage ≥ --fail-under), 1 findings, 2 usage or configuration
error (one line naming the bad value, no traceback), 3 a scan unit failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from botocore.exceptions import BotoCoreError, NoRegionError

from maptag import __version__
from maptag.commands import EXIT_OK, EXIT_UNIT_FAILED, EXIT_USAGE, UsageError
from maptag.commands import demo as demo_command
from maptag.commands import history as history_command
from maptag.commands import hub as hub_command
from maptag.commands import scan as scan_command
from maptag.commands import types as types_command
from maptag.scan import ScanError

COMMANDS = (scan_command, demo_command, hub_command, history_command, types_command)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="maptag", description="MAP 2.0 tag coverage for migrated AWS resources.")
    parser.add_argument("--version", action="version", version=f"maptag {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("AWS_STS_REGIONAL_ENDPOINTS", "regional")
    try:
        args = build_parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
