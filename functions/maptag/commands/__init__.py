"""One module per `maptag` subcommand; each has `register(subparsers)` (cli.py lists them).

A command parses its arguments and calls the application layer (maptag/app/); the exit codes
and the usage error live there (app/exit_codes.py, app/errors.py).
"""

from __future__ import annotations

from maptag.app.errors import UsageError, warn
from maptag.app.exit_codes import EXIT_FINDINGS, EXIT_OK, EXIT_UNIT_FAILED, EXIT_USAGE

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_UNIT_FAILED", "EXIT_USAGE", "UsageError", "csv_list", "warn"]


def csv_list(text: str) -> list[str]:
    """A comma-separated flag value (`--regions us-east-1,eu-west-1`)."""
    return [part.strip() for part in text.split(",") if part.strip()]
