"""The checks the laptop's settings (app/settings.py) and the deployment's (deploy_config.py)
share: one function per thing both check, each raising ValueError with the problem in words
(the caller names where the value came from)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maptag.migration_hub.names import DEFAULT_STREAM, validate_stream
from maptag.money import parse_credit_rate
from maptag.policy import known_names
from maptag.rules import quote
from maptag.sinks.registry import LAPTOP_NAMES
from maptag.sinks.security_hub import MAX_REFRESH_DAYS

__all__ = ["DEFAULT_STREAM", "cost_source", "credit_rate", "laptop_sinks", "refresh_days", "sinks", "stream"]


def sinks(raw: Any, known: Sequence[str]) -> tuple[str, ...]:
    """Sink names, each one of ``known``, once each, in the order given."""
    return known_names(raw, known, "sink")


def laptop_sinks(raw: Any) -> tuple[str, ...]:
    """`maptag scan --publish`'s sink names."""
    return sinks(raw, sorted(LAPTOP_NAMES))


def refresh_days(raw: Any) -> int:
    """Days between re-imports of an unchanged Security Hub finding."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_REFRESH_DAYS:
        shown = quote(raw) if isinstance(raw, str) else str(raw).lower()
        raise ValueError(
            f"{shown} is not a number of days from 0 to {MAX_REFRESH_DAYS} "
            "(Security Hub deletes findings not updated for 90 days)"
        )
    return raw


def stream(name: str) -> str:
    """A Migration Hub progress update stream name (docs/contracts.md)."""
    return validate_stream(name)  # the publisher's own check: StreamNameError is a ValueError


def credit_rate(raw: Any) -> float:
    """The engagement's MAP credit rate in percent (docs/costs.md)."""
    return parse_credit_rate(raw)


def cost_source(spec: str) -> str:
    """A laptop's cost source checked for its form (no I/O): cost-explorer, s3://… or a file."""
    from maptag.costs import describe_source
    from maptag.money import CostError

    try:
        return describe_source(spec)
    except CostError as error:
        raise ValueError(str(error)) from None
