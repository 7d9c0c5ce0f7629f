"""One module per `maptag` subcommand; each has `register(subparsers)` (cli.py lists them)."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNIT_FAILED = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input: printed as one line naming the bad value, exit code 2."""


def csv_list(text: str) -> list[str]:
    """A comma-separated flag value (`--regions us-east-1,eu-west-1`)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def warn(message: str) -> None:
    """A warning on stderr, with the prefix every maptag warning carries."""
    print(f"maptag: warning: {message}", file=sys.stderr)
