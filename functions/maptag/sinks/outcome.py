"""What every findings sink takes (a finished run) and gives back (a SinkOutcome).

A sink never raises into its caller: the publish Lambda and the CLI run several sinks one
after another, and one that fails must be reported without hiding the others.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from maptag.aws import describe_error

logger = logging.getLogger(__name__)

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


@dataclass(frozen=True, slots=True)
class RunInfo:
    """Metadata of one finished run: its id, when it scanned, and where its report is."""

    run_id: str
    scanned_at: datetime
    report_url: str | None = None
    # Lines every reader of the run must see once (a sink skipped for this account).
    notices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _RUN_ID.fullmatch(self.run_id):
            raise ValueError(f"run id {self.run_id!r} must be 1-128 letters, digits, '.', '_', ':' or '-'")
        if self.scanned_at.tzinfo is None:
            raise ValueError("scanned_at must be timezone-aware (UTC)")

    @classmethod
    def new(cls, run_id: str | None = None, scanned_at: datetime | None = None) -> RunInfo:
        """A run id from the scan time when none is given (the CLI has no execution name).

        The id carries the milliseconds, so two runs within one second still sort in the
        order they ran (history breaks ties on the run id), and a random suffix keeps two
        runs in the same millisecond apart: a shared id would make the second run's history
        rows overwrite the first's.
        """
        when = (scanned_at or datetime.now(UTC)).astimezone(UTC)
        stamp = f"{when:%Y%m%dT%H%M%S}.{when.microsecond // 1000:03d}Z"
        return cls(run_id=run_id or f"{stamp}-{secrets.token_hex(3)}", scanned_at=when)

    def with_report_url(self, url: str | None) -> RunInfo:
        return replace(self, report_url=url)

    def with_notices(self, notices: tuple[str, ...]) -> RunInfo:
        return replace(self, notices=notices)

    @property
    def timestamp(self) -> str:
        """ISO 8601 in UTC to the second, as ASFF, history and events record it."""
        return self.scanned_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class SinkOutcome:
    """How one sink fared; ``links`` carries what later sinks need (the report URLs).

    ``skipped``: the sink did not apply to this account (e.g. no Migration Hub home region):
    ok (not a failed run, no alarm), but said once in the digest and the run result.
    """

    name: str
    ok: bool
    detail: str
    links: Mapping[str, str] = field(default_factory=dict)
    skipped: bool = False
    # what a laptop run prints for it, each line with its `maptag: ` prefix (the CLI's stderr)
    lines: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        shown: dict[str, object] = {"name": self.name, "ok": self.ok, "detail": self.detail}
        shown["links"] = dict(self.links)
        if self.skipped:
            shown["skipped"] = True
        return shown

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SinkOutcome:
        """The outcome ``to_dict`` wrote (a publish completion marker, maptag.run_store)."""
        links = data.get("links") or {}
        return cls(
            name=str(data["name"]),
            ok=bool(data["ok"]),
            detail=str(data["detail"]),
            links={str(k): str(v) for k, v in links.items()},
            skipped=bool(data.get("skipped", False)),
        )

    @property
    def shown(self) -> str:
        """The run result's word for it: "ok", "skipped: …" or "failed: …"."""
        if self.skipped:
            return self.detail if self.detail.startswith("skipped") else f"skipped: {self.detail}"
        return "ok" if self.ok else f"failed: {self.detail}"


def guarded(name: str, deliver: Callable[[], SinkOutcome]) -> SinkOutcome:
    """Run one sink; any error becomes a failed outcome naming it, never an exception."""
    try:
        return deliver()
    except (ClientError, BotoCoreError) as error:
        detail = describe_error(error)
    except Exception as error:
        # A sink is an edge: whatever broke in it must not stop the other sinks.
        detail = describe_error(error)
        logger.exception("sink %s failed", name)
    logger.error("sink %s failed: %s", name, detail)
    return SinkOutcome(name=name, ok=False, detail=detail)
