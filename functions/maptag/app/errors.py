"""The one error bad input raises anywhere between the edges and the domain."""

from __future__ import annotations

import sys


class UsageError(Exception):
    """Bad input: printed as one line naming the bad value, exit code 2."""


def warn(message: str) -> None:
    """A warning on stderr, with the prefix every maptag warning carries."""
    print(f"maptag: warning: {message}", file=sys.stderr)
