"""Coverage history: one row per run for the whole run, each account, each region and each unit
(account × region), each with its per-type counts, so a trend is one read.

DynamoDB layout (the deployed table: ``pk`` S, ``sk`` S, TTL attribute ``expires_at``):
- ``pk`` = ``history#run`` | ``history#account#<id>`` | ``history#region#<name>`` |
  ``history#unit#<id>#<region>``: the scope a trend is read for;
- ``sk`` = ``<scanned_at ISO 8601 UTC>#<run id>``: time-ordered within the scope;
- counts per verdict (``counts``), per type (``types``: type → counts), units and failed
  units, a unit's error, and ``expires_at`` (epoch seconds) so old runs age out.
"Trend for account/region over time" is one Query on ``pk`` (newest first, ``Limit`` N);
"the latest run" is the same Query with ``Limit`` 1 on ``history#run``.

The local backend is a JSON-lines file with the same rows (``maptag history --file``); rows
past ``expires_at`` are skipped on read, as DynamoDB's TTL would eventually delete them.
"""

from __future__ import annotations

import heapq
import json
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from maptag.aws import Clients, client_config, describe_error, error_code
from maptag.coverage import Totals
from maptag.files import append_lines, read_json_lines
from maptag.model import ScanUnit, Verdict
from maptag.money import NON_COMPLIANT, SinceState
from maptag.names import TABLE_PARTITION_KEY, TABLE_SORT_KEY, TABLE_TTL_ATTRIBUTE
from maptag.report.model import ScanReport
from maptag.scan import UnitResult
from maptag.sinks.outcome import RunInfo, SinkOutcome, guarded
from maptag.sinks.sink import Delivery, Sink

NAME = "history"
PREFIX = "history#"
RETENTION_DAYS = 400  # a MAP agreement's first year plus slack, for year-over-year trends
FILE_VARIABLE = "MAPTAG_HISTORY_FILE"
logger = logging.getLogger(__name__)


def default_file() -> Path:
    """The local history file: $MAPTAG_HISTORY_FILE, else ~/.maptag/history.jsonl."""
    configured = os.environ.get(FILE_VARIABLE)
    return Path(configured) if configured else Path.home() / ".maptag" / "history.jsonl"


COUNT_NAMES = tuple(f.name for f in fields(Totals))


class HistoryError(Exception):
    """History cannot be read or written: one line naming the table or file."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What a trend is about: everything, one account, one region, or one account × region."""

    account_id: str | None = None
    region: str | None = None

    @property
    def key(self) -> str:
        if self.account_id and self.region:
            return f"{PREFIX}unit#{self.account_id}#{self.region}"
        if self.account_id:
            return f"{PREFIX}account#{self.account_id}"
        if self.region:
            return f"{PREFIX}region#{self.region}"
        return f"{PREFIX}run"

    @property
    def label(self) -> str:
        if self.account_id and self.region:
            return f"{self.account_id} / {self.region}"
        if self.account_id:
            return f"account {self.account_id} (all regions)"
        if self.region:
            return f"region {self.region} (all accounts)"
        return "all accounts and regions"


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """Coverage of one scope in one run, with the per-type breakdown."""

    scope: Scope
    run_id: str
    scanned_at: str
    totals: Totals
    types: Mapping[str, Totals] = field(default_factory=dict)
    units: int = 1
    failed_units: int = 0
    error: str | None = None

    @property
    def sort_key(self) -> str:
        return f"{self.scanned_at}#{self.run_id}"

    @property
    def coverage_percent(self) -> float | None:
        return self.totals.coverage_shown

    def for_type(self, name: str) -> CoverageRow:
        """This row with a single type's counts as its totals."""
        only = self.types.get(name, Totals())
        return CoverageRow(self.scope, self.run_id, self.scanned_at, only, {name: only}, self.units,
                           self.failed_units, self.error)  # fmt: skip

    def to_item(self, expires_at: int) -> dict[str, Any]:
        """The stored row (plain JSON types; DynamoDB numbers are ints)."""
        item: dict[str, Any] = {
            TABLE_PARTITION_KEY: self.scope.key,
            TABLE_SORT_KEY: self.sort_key,
            "kind": "coverage",
            "run_id": self.run_id,
            "scanned_at": self.scanned_at,
            "counts": _counts(self.totals),
            "types": {name: _counts(t) for name, t in self.types.items()},
            "units": self.units,
            "failed_units": self.failed_units,
            TABLE_TTL_ATTRIBUTE: expires_at,
        }
        if self.scope.account_id:
            item["account_id"] = self.scope.account_id
        if self.scope.region:
            item["region"] = self.scope.region
        if self.error:
            item["error"] = self.error[:1000]
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> CoverageRow:
        return cls(
            scope=Scope(item.get("account_id"), item.get("region")),
            run_id=str(item["run_id"]),
            scanned_at=str(item["scanned_at"]),
            totals=_totals(item["counts"]),
            types={str(name): _totals(counts) for name, counts in (item.get("types") or {}).items()},
            units=int(item.get("units", 1)),
            failed_units=int(item.get("failed_units", 0)),
            error=item.get("error"),
        )

    def to_report(self) -> dict[str, Any]:
        """The row as `maptag history --format json` prints it."""
        return {
            "run_id": self.run_id,
            "scanned_at": self.scanned_at,
            "coverage_percent": self.coverage_percent,
            "totals": self.totals.to_report(),
            "types": {name: t.to_report() for name, t in self.types.items()},
            "units": self.units,
            "failed_units": self.failed_units,
            "error": self.error,
        }


def history_rows(report: ScanReport, run: RunInfo) -> Iterator[CoverageRow]:
    """The run's rows: the whole run, then each account, each region, each unit."""
    stamp = run.timestamp

    def combined(scope: Scope, results: list[UnitResult]) -> CoverageRow:
        return CoverageRow(
            scope=scope,
            run_id=run.run_id,
            scanned_at=stamp,
            totals=Totals.sum(r.totals for r in results),
            types=_types(results),
            units=len(results),
            failed_units=sum(1 for r in results if r.failed),
        )

    yield combined(Scope(), report.units)
    accounts: dict[str, list[UnitResult]] = defaultdict(list)
    regions: dict[str, list[UnitResult]] = defaultdict(list)
    for result in report.units:
        accounts[result.unit.account_id].append(result)
        regions[result.unit.region].append(result)
    for account, results in sorted(accounts.items()):
        yield combined(Scope(account_id=account), results)
    for region, results in sorted(regions.items()):
        yield combined(Scope(region=region), results)
    for result in report.units:
        row = combined(Scope(result.unit.account_id, result.unit.region), [result])
        yield CoverageRow(row.scope, row.run_id, row.scanned_at, row.totals, row.types, 1,
                          row.failed_units, result.error)  # fmt: skip


class HistoryStore(Protocol):
    @property
    def where(self) -> str: ...

    def write(self, items: Iterable[dict[str, Any]]) -> int: ...

    def trend(self, scope: Scope, runs: int) -> list[CoverageRow]:
        """The newest ``runs`` rows of ``scope``, newest first."""
        ...

    def resource_states(self, units: Iterable[ScanUnit]) -> dict[str, SinceState]:
        """The open (non-compliant) resource rows of these units (see "Since when" below)."""
        ...


def record_history(
    report: ScanReport,
    run: RunInfo,
    store: HistoryStore,
    *,
    retention_days: int = RETENTION_DAYS,
    prior: Mapping[str, SinceState] | None = None,
) -> SinkOutcome:
    """Write the run's coverage rows to ``store`` and, given the ``prior`` open resources (read
    before the run's report, see prior_states), the resource verdict changes; never raises."""

    def deliver() -> SinkOutcome:
        expires_at = int((run.scanned_at + timedelta(days=retention_days)).timestamp())
        written = store.write(row.to_item(expires_at) for row in history_rows(report, run))
        detail = f"{written} coverage row(s) of run {run.run_id}"
        if prior is not None:
            changes = store.write(resource_changes(report, prior, run, retention_days=retention_days))
            detail += f" and {changes} resource verdict change(s)"
        return SinkOutcome(NAME, True, f"{detail} written to {store.where}")

    return guarded(NAME, deliver)


class DynamoHistory:
    """The deployed history table (reached through the standard credential chain)."""

    def __init__(self, table_name: str, *, session: boto3.Session | None = None, region: str | None = None):
        chosen = session or boto3.Session()
        where = region or chosen.region_name
        if not where:
            raise HistoryError("no AWS region for the history table: set AWS_REGION")
        self.table_name = table_name
        self.region = where
        self._client = Clients(chosen, where)("dynamodb")
        resource = chosen.resource("dynamodb", region_name=where, config=client_config(chosen))
        self._table = resource.Table(table_name)

    @property
    def where(self) -> str:
        return f"DynamoDB table {self.table_name} ({self.region})"

    def write(self, items: Iterable[dict[str, Any]]) -> int:
        count = 0
        # batch_writer sends 25 items per BatchWriteItem and resends unprocessed ones.
        with self._table.batch_writer(overwrite_by_pkeys=[TABLE_PARTITION_KEY, TABLE_SORT_KEY]) as batch:
            for item in items:
                batch.put_item(Item=item)
                count += 1
        return count

    def trend(self, scope: Scope, runs: int) -> list[CoverageRow]:
        try:
            response = self._client.query(
                TableName=self.table_name,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": scope.key}},
                ScanIndexForward=False,
                Limit=runs,
            )
        except (ClientError, BotoCoreError, ResponseParserError) as error:
            if error_code(error) == "ResourceNotFoundException":
                raise HistoryError(f"history table {self.table_name!r} not found in {self.region}") from None
            raise HistoryError(
                f"cannot read history table {self.table_name!r}: {describe_error(error)}"
            ) from None
        items = response.get("Items")
        if not isinstance(items, list):
            # A 200 answer without its result member is an error, never "no history".
            raise HistoryError(f"cannot read history table {self.table_name!r}: the answer has no Items")
        plain = TypeDeserializer()
        return [
            CoverageRow.from_item({key: plain.deserialize(value) for key, value in item.items()})
            for item in items
        ]

    def resource_states(self, units: Iterable[ScanUnit]) -> dict[str, SinceState]:
        plain = TypeDeserializer()
        items: list[dict[str, Any]] = []
        try:
            for unit in units:
                pages = self._client.get_paginator("query").paginate(
                    TableName=self.table_name,
                    KeyConditionExpression="pk = :pk",
                    ExpressionAttributeValues={":pk": {"S": resource_key(unit.account_id, unit.region)}},
                )
                for page in pages:
                    items.extend({k: plain.deserialize(v) for k, v in item.items()} for item in page["Items"])
        except ClientError as error:
            raise HistoryError(
                f"cannot read history table {self.table_name!r}: {describe_error(error)}"
            ) from None
        return open_states(items)


class FileHistory:
    """A JSON-lines file of the same rows, for the local demo and laptops."""

    def __init__(self, path: Path, warn: Callable[[str], None] | None = None) -> None:
        self.path = path
        # A torn or foreign line is skipped and reported here, never a refusal of the file.
        self.warn = warn or _log_warning

    @property
    def where(self) -> str:
        return str(self.path)

    def write(self, items: Iterable[dict[str, Any]]) -> int:
        # maptag.files: all of the run's rows or none, never a torn line (disk full, a kill).
        lines = (json.dumps(item, separators=(",", ":"), sort_keys=True) for item in items)
        try:
            return append_lines(self.path, lines)
        except OSError as error:
            raise HistoryError(f"cannot write history file {self.path}: {error.strerror}") from None

    def trend(self, scope: Scope, runs: int, *, now: datetime | None = None) -> list[CoverageRow]:
        expired_before = int((now or datetime.now(UTC)).timestamp())
        latest: dict[str, CoverageRow] = {}
        for number, item in self._items():
            if item.get(TABLE_PARTITION_KEY) != scope.key or not _unexpired(item, expired_before):
                continue
            try:
                row = CoverageRow.from_item(item)
            except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
                self.warn(f"{self.path}:{number}: skipped a row that is not a maptag history row ({error})")
                continue
            latest[row.sort_key] = row  # a run written twice: its last write wins, as a put would
        return [row for _, row in heapq.nlargest(runs, latest.items(), key=lambda pair: pair[0])]

    def resource_states(self, units: Iterable[ScanUnit]) -> dict[str, SinceState]:
        if not self.path.exists():  # no file yet: the first run, nothing known
            return {}
        wanted = {resource_key(unit.account_id, unit.region) for unit in units}
        return open_states(item for _, item in self._items() if item.get(TABLE_PARTITION_KEY) in wanted)

    def _items(self) -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for number, item in read_json_lines(self.path, self.warn):
                if isinstance(item, dict):
                    yield number, item
                else:
                    self.warn(f"{self.path}:{number}: skipped a line that is not a maptag history row")
        except FileNotFoundError:
            raise HistoryError(f"no history file at {self.path}") from None
        except OSError as error:
            raise HistoryError(f"cannot read history file {self.path}: {error.strerror}") from None


def _unexpired(item: Mapping[str, Any], expired_before: int) -> bool:
    try:
        return int(item.get(TABLE_TTL_ATTRIBUTE, expired_before)) >= expired_before
    except (TypeError, ValueError):
        return True  # a bad expiry is the row's problem: from_item names it


def _log_warning(message: str) -> None:
    logger.warning("%s", message)


def _counts(totals: Totals) -> dict[str, int]:
    return {name: int(getattr(totals, name)) for name in COUNT_NAMES}


def _totals(counts: Mapping[str, Any]) -> Totals:
    return Totals(**{name: int(Decimal(str(counts.get(name, 0)))) for name in COUNT_NAMES})


def _types(results: Iterable[UnitResult]) -> dict[str, Totals]:
    grouped: dict[str, list[Totals]] = defaultdict(list)
    for result in results:
        for name, totals in result.by_type.items():
            grouped[name].append(totals)
    return {name: Totals.sum(parts) for name, parts in sorted(grouped.items())}


# --- Since when: per-resource verdict changes (docs/costs.md, "Since when") ------------------
# One row per resource and unit (``pk`` = history#resource#<account>#<region>, ``sk`` = ARN),
# written only when its verdict changes: an open row (non-compliant, no ``expires_at``) holds
# ``noncompliant_since``; a resource fixed, excluded or gone gets a closing row that ages out
# like a coverage row. So the rows grow with what changes and what is open, not with the estate.

RESOURCE_KIND = "resource"
CLOSED = (Verdict.COMPLIANT.value, Verdict.EXCLUDED.value, "gone")


def resource_key(account_id: str, region: str) -> str:
    return f"{PREFIX}resource#{account_id}#{region}"


def open_states(items: Iterable[Mapping[str, Any]], *, now: datetime | None = None) -> dict[str, SinceState]:
    """The open (non-compliant) resources among stored resource rows, the last write winning."""
    latest: dict[str, Mapping[str, Any]] = {}
    for item in items:
        if item.get("kind") == RESOURCE_KIND and TABLE_SORT_KEY in item:
            latest[str(item[TABLE_SORT_KEY])] = item
    expired_before = int((now or datetime.now(UTC)).timestamp())
    states: dict[str, SinceState] = {}
    for arn, item in latest.items():
        if (
            item.get("verdict") in CLOSED
            or int(item.get(TABLE_TTL_ATTRIBUTE) or expired_before) < expired_before
        ):
            continue
        since = item.get("noncompliant_since")
        states[arn] = SinceState(
            verdict=str(item["verdict"]),
            since=str(since) if since else None,
            type=str(item.get("type", "")),
            account_id=str(item.get("account_id", "")),
            region=str(item.get("region", "")),
        )
    return states


def resource_changes(
    report: ScanReport,
    prior: Mapping[str, SinceState],
    run: RunInfo,
    *,
    retention_days: int = RETENTION_DAYS,
) -> Iterator[dict[str, Any]]:
    """The rows to write for this run: only resources whose verdict changed since ``prior``.

    A resource of a failed unit, or unreadable now, keeps its row: nothing was learnt about it.
    """
    expires_at = int((run.scanned_at + timedelta(days=retention_days)).timestamp())
    ok_units = {(r.unit.account_id, r.unit.region) for r in report.units if not r.failed}
    scanned_types = set(report.policy.types)
    seen: set[str] = set()

    def row(item: Mapping[str, Any], verdict: str, since: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            TABLE_PARTITION_KEY: resource_key(str(item["account_id"]), str(item["region"])),
            TABLE_SORT_KEY: str(item["arn"]),
            "kind": RESOURCE_KIND,
            "verdict": verdict,
            "type": str(item["type"]),
            "account_id": str(item["account_id"]),
            "region": str(item["region"]),
            "noncompliant_since": since,
            "changed_at": run.timestamp,
            "run_id": run.run_id,
        }
        if verdict in CLOSED:
            out[TABLE_TTL_ATTRIBUTE] = expires_at
        return out

    for item in report.resources():
        arn, verdict = str(item["arn"]), str(item["verdict"])
        seen.add(arn)
        known = prior.get(arn)
        if verdict == Verdict.UNREADABLE.value:
            continue
        if verdict in NON_COMPLIANT:
            if known is None:
                yield row(item, verdict, run.timestamp)
            elif known.verdict != verdict:
                yield row(item, verdict, known.since)
        elif known is not None:
            yield row(item, verdict, None)
    for arn, known in prior.items():
        if arn not in seen and (known.account_id, known.region) in ok_units and known.type in scanned_types:
            item = {"arn": arn, "account_id": known.account_id, "region": known.region, "type": known.type}
            yield row(item, "gone", None)


def prior_states(store: HistoryStore | None, report: ScanReport) -> dict[str, SinceState] | None:
    """The open resource rows of the report's units, or None when there is no history store."""
    if store is None:
        return None
    return store.resource_states([r.unit for r in report.units])


def _deliver(report: ScanReport, run: RunInfo, delivery: Delivery) -> SinkOutcome:
    """The run appended to the local history file (deployed, app.workflow.publish_run always records the
    run in the history table: it is not a maptag:sinks choice)."""
    store = FileHistory(default_file())
    # the open resources read before the report was written (app/scan.py prior_for)
    prior = report.money.ledger.prior if report.money is not None else None
    if delivery.dry_run:
        rows = sum(1 for _ in history_rows(report, run))
        changes = sum(1 for _ in resource_changes(report, prior or {}, run))
        return SinkOutcome(
            NAME,
            True,
            f"dry run: would append {rows} coverage row(s) and {changes} resource verdict change(s) "
            f"to {store.where}",
        )
    return record_history(report, run, store, prior=prior)


SINK = Sink(
    NAME,
    "coverage per run × unit × type appended to the local history file (maptag history)",
    _deliver,
    laptop=True,
)
