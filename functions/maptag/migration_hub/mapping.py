"""A unit's totals as a migration task state, and a migrated server's resource attributes
(docs/contracts.md, "Migration Hub mapping"). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from maptag.coverage import Totals
from maptag.migration_hub.names import ATTRIBUTE_VALUE_MAX, ATTRIBUTES_MAX, clean_text, utf16_length
from maptag.model import Verdict

STATUS_COMPLETED = "COMPLETED"
STATUS_IN_PROGRESS = "IN_PROGRESS"
STATUS_FAILED = "FAILED"
STATUS_NOT_STARTED = "NOT_STARTED"


# --- status mapping ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskState:
    status: str
    progress_percent: int
    detail: str


def progress_percent(totals: Totals) -> int:
    """floor(coverage): 99.6 % is 99, never a false 100; integer arithmetic, no float rounding."""
    if totals.in_scope == 0:
        return 0
    return 100 * totals.compliant // totals.in_scope


def summary(totals: Totals) -> str:
    """'412/430 tagged · 12 missing · 4 near-miss key · 2 invalid value' (zeros left out)."""
    parts = [f"{totals.compliant}/{totals.in_scope} tagged"]
    for count, label in (
        (totals.missing, "missing"),
        (totals.near_miss_key, "near-miss key"),
        (totals.invalid_value, "invalid value"),
        (totals.unreadable, "unreadable"),
    ):
        if count:
            parts.append(f"{count} {label}")
    return " · ".join(parts)


def task_state(totals: Totals, failed: bool = False, error: str | None = None) -> TaskState:
    """docs/contracts.md: COMPLETED at 100 %, IN_PROGRESS below, FAILED when the unit could not be
    scanned, NOT_STARTED when nothing is in scope."""
    if failed:
        partial = f" · partial: {summary(totals)}" if totals.in_scope else ""
        detail = f"scan failed: {error or 'unknown error'}{partial}"
        # 0, not the partial coverage: a unit that could not be read has no known progress.
        return TaskState(STATUS_FAILED, 0, clean_text(detail))
    if totals.in_scope == 0:
        excluded = f" ({totals.excluded} excluded)" if totals.excluded else ""
        return TaskState(STATUS_NOT_STARTED, 0, f"nothing in scope{excluded}")
    percent = progress_percent(totals)
    status = STATUS_COMPLETED if totals.compliant == totals.in_scope else STATUS_IN_PROGRESS
    return TaskState(status, percent, clean_text(summary(totals)))


def totals_of(report_totals: Mapping[str, Any]) -> Totals:
    """Totals from a report's `totals` object (maptag/scan-report@1)."""
    return Totals(**{verdict.value: int(report_totals.get(verdict.value) or 0) for verdict in Verdict})


# --- server attributes ---------------------------------------------------------------------


def resource_attributes(attributes: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """PutResourceAttributes entries for an instance: private IPv4s, MACs, private DNS name.

    A value the service would reject (empty, over 256 characters) is left out rather than cut:
    a truncated address would map the task to the wrong server. At most 100 entries.
    """
    wanted: list[tuple[str, str]] = []
    for kind, key in (("IPV4_ADDRESS", "private_ips"), ("MAC_ADDRESS", "macs")):
        values = attributes.get(key) or []
        wanted.extend((kind, str(value)) for value in (values if isinstance(values, list) else [values]))
    if attributes.get("private_dns"):
        wanted.append(("FQDN", str(attributes["private_dns"])))
    kept: list[tuple[str, str]] = []
    for kind, value in wanted:
        value = clean_text(value, limit=10**6)
        if value and utf16_length(value) <= ATTRIBUTE_VALUE_MAX and (kind, value) not in kept:
            kept.append((kind, value))
    return tuple(kept[:ATTRIBUTES_MAX])


def is_migrated_server(attributes: Mapping[str, Any]) -> bool:
    """Instances reported through Migration Hub or launched by MGN (docs/map-tagging-rules.md)."""
    return bool(attributes.get("migration_hub_source_id") or attributes.get("mgn_source_server"))
