"""The one error bad input raises anywhere between the edges and the domain."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input: printed as one line naming the bad value, exit code 2."""
