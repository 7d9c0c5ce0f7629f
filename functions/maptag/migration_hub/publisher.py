"""Coverage as AWS Migration Hub task states (docs/contracts.md, "Migration Hub mapping").

The updates a scan report makes (``TaskUpdate``, built from names.py and mapping.py, all
sanitised so the service can never reject them), and the publisher that sends them to the home
region with retries, keeps what still fails in an outbox (the ``Outbox`` protocol here, its two
kinds in outbox.py) and replays it on the next run. AWS is reached only through the standard
chain (AWS_ENDPOINT_URL_MIGRATION_HUB, AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG...).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from maptag import __version__
from maptag.aws import describe_error, error_code
from maptag.coverage import Totals
from maptag.migration_hub.mapping import (
    TaskState,
    is_migrated_server,
    resource_attributes,
    task_state,
    totals_of,
)
from maptag.migration_hub.names import DEFAULT_STREAM, server_task_name, unit_task_name, validate_stream
from maptag.model import Verdict
from maptag.sinks.outcome import SinkOutcome


class OutboxError(Exception):
    """The outbox cannot be read or written; the message is one line and names it."""


class Outbox(Protocol):
    """Where the publisher keeps what it could not send (outbox.py: a file, a DynamoDB table)."""

    def pending(self) -> list[TaskUpdate]:
        """Every kept update, one per task."""
        ...

    def keep(self, updates: Iterable[TaskUpdate]) -> None:
        """Store each update unless a newer one for its task is already kept."""
        ...

    def sent(self, updates: Iterable[TaskUpdate]) -> None:
        """Forget the kept update of each task unless it is newer than the one sent."""
        ...


# NextUpdateSeconds = the schedule interval plus slack (docs/contracts.md), so the console marks a
# task stale only when a run was missed; an hour covers a long scan. The CLI assumes daily.
DAY_SECONDS = 86_400
SLACK_SECONDS = 3_600
DEFAULT_NEXT_UPDATE_SECONDS = DAY_SECONDS + SLACK_SECONDS

# The API asks tools to retry these (docs/map-tagging-rules.md); anything else is not transient
# except an HTTP 5xx, whatever its code (a load balancer's answer names no mgh error).
RETRYABLE_CODES = frozenset({"ThrottlingException", "InternalServerError", "ServiceUnavailableException"})
_RETRYABLE_TRANSPORT = (EndpointConnectionError, ConnectionClosedError, ConnectTimeoutError, ReadTimeoutError)

# What publishing needs (README "Migration Hub"): the first two groups can be scoped to the
# stream (arn:aws:mgh:REGION:ACCOUNT:progressUpdateStream/NAME and .../NAME/*).
IAM_ACTIONS = {
    "stream": ("mgh:CreateProgressUpdateStream",),
    "tasks": (
        "mgh:ImportMigrationTask",
        "mgh:NotifyMigrationTaskState",
        "mgh:PutResourceAttributes",
    ),
    "any": (
        "mgh:GetHomeRegion",
        "mgh:ListProgressUpdateStreams",
        "mgh:ListMigrationTasks",
        "mgh:ListMigrationTaskUpdates",
    ),
}

FALLBACK_CONFIG_REGION = "us-west-2"

HOME_REGION_MISSING = (
    "no Migration Hub home region is set: set a Migration Hub home region in the console or with "
    "`aws migrationhub-config create-home-region-control`"
)

# Tasks sent at once (docs/deploy.md, "Scale"): 17,000 tasks one after another take ~45 min at
# 80 ms a call, past Lambda's 15; AWS publishes no request rate for mgh (its quotas page lists
# Application Discovery Service's only), so the pool stays small and throttling is retried.
HUB_WORKERS = 10
# ListMigrationTasks' largest page (API reference: MaxResults 1-100).
LIST_PAGE = 100

# Only the publisher retries (counted, with backoff): botocore's own retries are off so a
# fault is retried exactly as RetryPolicy says. One pooled connection per worker.
HUB_CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    user_agent_extra=f"maptag/{__version__}",
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=HUB_WORKERS,
)


# --- the updates ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskUpdate:
    """Everything one migration task needs, self-contained so the outbox can replay it."""

    stream: str
    task: str
    status: str
    progress_percent: int
    detail: str
    updated_at: datetime  # the scan time: an older update never overwrites a newer one
    next_update_seconds: int
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        # Unambiguous: a stream name cannot contain "/".
        return f"{self.stream}/{self.task}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "task": self.task,
            "status": self.status,
            "progress_percent": self.progress_percent,
            "detail": self.detail,
            "updated_at": self.updated_at.astimezone(UTC).isoformat(),
            "next_update_seconds": self.next_update_seconds,
            "attributes": [list(pair) for pair in self.attributes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskUpdate:
        return cls(
            stream=str(data["stream"]),
            task=str(data["task"]),
            status=str(data["status"]),
            progress_percent=int(data["progress_percent"]),
            detail=str(data["detail"]),
            updated_at=datetime.fromisoformat(str(data["updated_at"])),
            next_update_seconds=int(data["next_update_seconds"]),
            attributes=tuple((str(kind), str(value)) for kind, value in data.get("attributes", [])),
        )

    def describe(self) -> str:
        """One line for a dry run or a log: task, status, progress and detail."""
        return f"{self.task}: {self.status} {self.progress_percent} % — {self.detail}"


@dataclass(frozen=True, slots=True)
class HubSettings:
    stream: str = DEFAULT_STREAM
    server_tasks: bool = False
    next_update_seconds: int = DEFAULT_NEXT_UPDATE_SECONDS

    def __post_init__(self) -> None:
        validate_stream(self.stream)
        if self.next_update_seconds < 0:
            raise ValueError(f"next update seconds must be 0 or more, not {self.next_update_seconds}")


def next_update_seconds(schedule_interval_seconds: int) -> int:
    """The schedule interval plus slack, for the deployed workflow's own schedule."""
    return schedule_interval_seconds + SLACK_SECONDS


def parse_time(text: str) -> datetime:
    """A report's `generated_at` ('2026-11-23T10:00:00Z') as an aware datetime."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def plan_updates(
    header: Mapping[str, Any], resources: Iterable[Mapping[str, Any]], settings: HubSettings
) -> list[TaskUpdate]:
    """The task updates for one scan report (`header` is the report without its resources)."""
    scanned_at = parse_time(str(header["generated_at"]))

    def update(name: str, state: TaskState, attributes: tuple[tuple[str, str], ...] = ()) -> TaskUpdate:
        return TaskUpdate(
            stream=settings.stream,
            task=name,
            status=state.status,
            progress_percent=state.progress_percent,
            detail=state.detail,
            updated_at=scanned_at,
            next_update_seconds=settings.next_update_seconds,
            attributes=attributes,
        )

    updates = []
    failed_units: dict[tuple[str, str], str | None] = {}
    for unit in header.get("units", []):
        failed = unit.get("status") == "failed"
        account, region = str(unit["account_id"]), str(unit["region"])
        if failed:
            failed_units[(account, region)] = unit.get("error")
        state = task_state(totals_of(unit.get("totals") or {}), failed, unit.get("error"))
        updates.append(update(unit_task_name(account, region), state))
    if settings.server_tasks:
        for server in migrated_servers(resources):
            failed = (server.account_id, server.region) in failed_units
            error = failed_units.get((server.account_id, server.region))
            state = task_state(server.totals, failed, error)
            name = server_task_name(server.account_id, server.instance_id)
            updates.append(update(name, state, resource_attributes(server.attributes)))
    return updates


@dataclass
class MigratedServer:
    account_id: str
    region: str
    instance_id: str
    attributes: Mapping[str, Any]
    verdicts: list[str] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        return Totals.tally(Verdict(verdict) for verdict in self.verdicts)


def migrated_servers(resources: Iterable[Mapping[str, Any]]) -> list[MigratedServer]:
    """Migrated instances with the verdicts of the instance and its dependents (volumes,
    their snapshots, AMIs): each needs its own tag, so each counts in the server's task.

    Reports list a unit's parents before their dependents, so one pass suffices.
    """
    servers: dict[str, MigratedServer] = {}
    owner: dict[str, str] = {}  # ARN of a server or one of its dependents -> the server's ARN
    for resource in resources:
        arn = str(resource["arn"])
        attributes = resource.get("attributes") or {}
        if resource.get("type") == "ec2:instance" and is_migrated_server(attributes):
            if resource.get("verdict") == Verdict.EXCLUDED.value:
                continue  # out of scope (a rule, tooling, before the agreement): no task
            servers[arn] = MigratedServer(
                account_id=str(resource["account_id"]),
                region=str(resource["region"]),
                instance_id=arn.rsplit("/", 1)[-1],
                attributes=attributes,
            )
            owner[arn] = arn
        elif resource.get("parent") in owner:
            owner[arn] = owner[str(resource["parent"])]
        else:
            continue
        servers[owner[arn]].verdicts.append(str(resource["verdict"]))
    return list(servers.values())


def newest(updates: Iterable[TaskUpdate]) -> list[TaskUpdate]:
    """One update per task, the newest; on a tie the later one given (this run over the outbox)."""
    chosen: dict[str, TaskUpdate] = {}
    for candidate in updates:
        current = chosen.get(candidate.key)
        if current is None or candidate.updated_at >= current.updated_at:
            chosen[candidate.key] = candidate
    return list(chosen.values())


# --- the publisher -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter; `attempts` counts the first call."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))  # noqa: S311


class HubUnavailable(Exception):
    """Migration Hub cannot be used as configured (no home region); the message says what to do."""


class NoHomeRegion(HubUnavailable):
    """The account has no Migration Hub home region (GetHomeRegion answers without one)."""


@dataclass
class PublishResult:
    """What a publish did: `status` is "ok", "failed", "skipped" (no home region) or "dry-run"."""

    status: str
    stream: str
    home_region: str | None = None
    created: list[str] = field(default_factory=list)  # tasks imported by this publish
    sent: list[str] = field(default_factory=list)  # tasks whose state was notified
    stale: list[str] = field(default_factory=list)  # skipped: the hub already holds a newer scan
    queued: list[str] = field(default_factory=list)  # kept in the outbox for the next run
    replayed: list[str] = field(default_factory=list)  # sent from the outbox of an earlier run
    planned: list[str] = field(default_factory=list)  # dry run: the calls that would be made
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"

    def lines(self) -> list[str]:
        """Human-readable outcome, one line each, for the CLI and the demo."""
        where = f"home region {self.home_region or 'unknown'}, stream {self.stream}"
        if self.status == "dry-run":
            return [
                f"Migration Hub dry run ({where}): would make {_count(self.planned, 'call')}, sent nothing",
                *(f"  {call}" for call in self.planned),
            ]
        if self.skipped:
            return [f"Migration Hub skipped: {self.error}"]
        out = []
        if self.sent or not self.failed:
            replayed = f", {len(self.replayed)} from an earlier run" if self.replayed else ""
            out.append(
                f"published to Migration Hub ({where}): {_count(self.sent, 'task')} updated "
                f"({len(self.created)} new{replayed})"
            )
        if self.stale:
            out.append(f"skipped {_count(self.stale, 'task')} showing a newer scan: {', '.join(self.stale)}")
        if self.failed:
            kept = (
                f"; {_count(self.queued, 'update')} kept in the outbox for the next run"
                if self.queued
                else ""
            )
            out.append(f"Migration Hub publish failed: {self.error}{kept}")
        return out

    def outcome(self) -> SinkOutcome:
        """The result as every findings sink reports it (sinks/outcome.py), for the publish Lambda."""
        detail = "; ".join(line for line in self.lines() if not line.startswith("  "))
        return SinkOutcome(name="migration-hub", ok=not self.failed, detail=detail, skipped=self.skipped)


def _config_region(session: boto3.Session, region: str | None) -> str:
    """Where to ask GetHomeRegion: the caller's region if Migration Hub is served there (the
    home region APIs are served where Migration Hub is), else us-west-2."""
    served = session.get_available_regions("mgh")
    if region and (not served or region in served):
        return region
    return FALLBACK_CONFIG_REGION


def _count(items: Sequence[object], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


_T = TypeVar("_T")


class MigrationHubPublisher:
    """Sends task updates to the home region; what cannot be sent goes to the outbox."""

    def __init__(
        self,
        session: boto3.Session | None = None,
        region: str | None = None,
        *,
        outbox: Outbox | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        workers: int = HUB_WORKERS,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be 1 or more, not {workers}")
        self._session = session or boto3.Session()
        self._region = _config_region(self._session, region or self._session.region_name)
        self._outbox = outbox
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._workers = workers

    def client(self, service: str, region: str) -> Any:
        session: Any = self._session
        return session.client(service, region_name=region, config=HUB_CLIENT_CONFIG)

    def home_region(self) -> str:
        config = self.client("migrationhub-config", self._region)
        answer = self.call(config.get_home_region)
        home = answer.get("HomeRegion")
        if not home:
            raise NoHomeRegion(HOME_REGION_MISSING)
        return str(home)

    def publish(
        self,
        updates: Sequence[TaskUpdate],
        *,
        dry_run: bool = False,
        stream: str | None = None,
        skip_without_home_region: bool = False,
    ) -> PublishResult:
        """Send `updates` and any kept by earlier runs; never raises for AWS errors.

        ``skip_without_home_region``: an account without a home region is "skipped", not
        "failed", and nothing is kept in the outbox (nothing could ever be sent from it).
        """
        stream = stream or (updates[0].stream if updates else DEFAULT_STREAM)
        fresh = {update.key: update for update in updates}
        result = PublishResult(status="dry-run" if dry_run else "ok", stream=stream)
        try:
            kept = self._outbox.pending() if self._outbox is not None else []
        except OutboxError as error:
            # Send this run's updates all the same; the unreadable outbox fails the publish.
            kept, result.status, result.error = [], "failed", str(error)
        replays = {update.key for update in kept}
        # What earlier runs kept goes first: a run stopped part-way resumes where it stopped.
        todo = sorted(newest([*kept, *updates]), key=lambda u: (u.key not in replays, u.stream, u.task))
        try:
            result.home_region = self.home_region()
            mgh = self.client("mgh", result.home_region)
            if dry_run:
                result.planned = list(self._plan(mgh, todo))
                return result
            for name in sorted({update.stream for update in todo}):
                self._ensure_stream(mgh, name)
            known = self.known_tasks(mgh) if todo else {}
        except NoHomeRegion as error:
            if not (skip_without_home_region and result.status == "ok"):
                return self._failed(result, error, todo, dry_run)
            result.status, result.error = "skipped", str(error)
            return result
        except (HubUnavailable, ClientError, BotoCoreError) as error:
            return self._failed(result, error, todo, dry_run)
        outcomes = self._send_all(mgh, todo, known)
        done: list[TaskUpdate] = []
        for update, outcome in zip(todo, outcomes, strict=True):
            if not isinstance(outcome, str):
                continue
            if outcome == "stale":
                result.stale.append(update.task)
            else:
                result.sent.append(update.task)
                if outcome == "created":
                    result.created.append(update.task)
                if fresh.get(update.key) is not update:
                    result.replayed.append(update.task)
            if update.key in replays:
                done.append(update)
        # Only what an earlier run kept is in the outbox: one batch, no write per task otherwise.
        self._forget(result, done)
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            unsent = [
                update
                for update, outcome in zip(todo, outcomes, strict=True)
                if outcome is None or isinstance(outcome, BaseException)
            ]
            return self._failed(result, failures[0], unsent, dry_run)
        return result

    def _send_all(
        self, mgh: Any, todo: Sequence[TaskUpdate], known: Mapping[str, datetime | None]
    ) -> list[str | BaseException | None]:
        """Each update's outcome, in `todo`'s order: what `_send` returned, the error that
        stopped it, or None when it was not tried (an earlier failure stopped the run).

        The first task goes alone: a hub that is down or refusing costs one task's retries,
        not a pool's. Then `workers` tasks at a time, each task's calls in order on one
        thread (Import before Notify), each task once; the first failure stops the rest.
        """
        outcomes: list[str | BaseException | None] = [None] * len(todo)
        stop = threading.Event()

        def send(index: int) -> None:
            if stop.is_set():
                return
            update = todo[index]
            try:
                outcomes[index] = self._send(mgh, update, known)
            except (ClientError, BotoCoreError) as error:
                outcomes[index] = error
                stop.set()

        if todo:
            send(0)
        if len(todo) > 1 and not stop.is_set():
            with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="maptag-hub") as pool:
                # list(): wait for every task and re-raise anything unexpected here.
                list(pool.map(send, range(1, len(todo))))
        return outcomes

    def _forget(self, result: PublishResult, updates: Sequence[TaskUpdate]) -> None:
        if self._outbox is None or result.failed or not updates:
            return
        try:
            self._outbox.sent(updates)
        except OutboxError as error:
            # Harmless for the hub (a replay of it would be stale), but say so.
            result.status, result.error = "failed", str(error)

    def _failed(
        self, result: PublishResult, error: BaseException, unsent: Sequence[TaskUpdate], dry_run: bool
    ) -> PublishResult:
        result.status = "failed"
        result.error = str(error) if isinstance(error, HubUnavailable) else describe_error(error)
        if not dry_run and self._outbox is not None:
            try:
                self._outbox.keep(unsent)
                result.queued = [update.task for update in unsent]
            except OutboxError as lost:
                result.error = f"{result.error}; and the updates could not be kept: {lost}"
        return result

    def _ensure_stream(self, mgh: Any, name: str) -> bool:
        """Create the stream unless it exists; True when it was created."""
        if name in self.streams(mgh):
            return False
        self.call(mgh.create_progress_update_stream, ProgressUpdateStreamName=name)
        return True

    def streams(self, mgh: Any) -> set[str]:
        names: set[str] = set()
        token: str | None = None
        while True:
            page = self.call(mgh.list_progress_update_streams, **({"NextToken": token} if token else {}))
            names.update(
                s["ProgressUpdateStreamName"] for s in page.get("ProgressUpdateStreamSummaryList", [])
            )
            token = page.get("NextToken")
            if not token:
                return names

    def task_summaries(self, mgh: Any) -> Iterator[Mapping[str, Any]]:
        """Every migration task of the home region, every stream (ListMigrationTasks has no
        stream filter), 100 a call."""
        token: str | None = None
        while True:
            page = self.call(
                mgh.list_migration_tasks, MaxResults=LIST_PAGE, **({"NextToken": token} if token else {})
            )
            yield from page.get("MigrationTaskSummaryList", [])
            token = page.get("NextToken")
            if not token:
                return

    def known_tasks(self, mgh: Any) -> dict[str, datetime | None]:
        """The tasks the hub holds, by TaskUpdate.key, with the time each shows.

        One listing (a call per 100 tasks) instead of a DescribeMigrationTask per task: it
        says which tasks need ImportMigrationTask and which may hold a newer scan.
        """
        known: dict[str, datetime | None] = {}
        for summary in self.task_summaries(mgh):
            key = f"{summary.get('ProgressUpdateStream')}/{summary.get('MigrationTaskName')}"
            held = summary.get("UpdateDateTime")
            known[key] = held if isinstance(held, datetime) else None
        return known

    def newer_scan(self, mgh: Any, update: TaskUpdate, held: datetime | None) -> datetime | None:
        """The scan time the hub shows for the task when newer than the update's, else None."""
        if held is None or held <= update.updated_at:
            return None
        # A task imported but never notified carries its import time, not a scan time: the
        # notifications' own times (ListMigrationTaskUpdates) say which scan it shows.
        times: list[datetime] = []
        token: str | None = None
        while True:
            page = self.call(
                mgh.list_migration_task_updates,
                ProgressUpdateStream=update.stream,
                MigrationTaskName=update.task,
                **({"NextToken": token} if token else {}),
            )
            times.extend(
                entry["UpdateDateTime"]
                for entry in page.get("MigrationTaskUpdateList", [])
                if entry.get("UpdateType") == "MIGRATION_TASK_STATE_UPDATED" and "UpdateDateTime" in entry
            )
            token = page.get("NextToken")
            if not token:
                break
        shown = max(times, default=None)
        return shown if shown is not None and shown > update.updated_at else None

    def _send(self, mgh: Any, update: TaskUpdate, known: Mapping[str, datetime | None]) -> str:
        """'created', 'updated' or 'stale' (the hub holds a newer scan: left alone)."""
        exists = update.key in known
        if exists and self.newer_scan(mgh, update, known[update.key]) is not None:
            return "stale"
        if not exists:
            self.call(mgh.import_migration_task, **import_request(update))
        if update.attributes:
            self.call(mgh.put_resource_attributes, **attributes_request(update))
        self.call(mgh.notify_migration_task_state, **notify_request(update))
        return "updated" if exists else "created"

    def _plan(self, mgh: Any, todo: Sequence[TaskUpdate]) -> Iterator[str]:
        """Dry run: every call the publish would make, each checked with DryRun=True."""
        streams = self.streams(mgh)
        for name in sorted({update.stream for update in todo}):
            if name not in streams:
                yield self._dry(
                    mgh.create_progress_update_stream,
                    f"create stream {name}",
                    {"ProgressUpdateStreamName": name},
                )
        known = self.known_tasks(mgh) if todo else {}
        for update in todo:
            exists = update.key in known
            held = self.newer_scan(mgh, update, known[update.key]) if exists else None
            if held is not None:
                yield f"skip {update.task}: Migration Hub holds a newer scan ({held.isoformat()})"
                continue
            if not exists:
                yield self._dry(
                    mgh.import_migration_task, f"import task {update.task}", import_request(update)
                )
            if update.attributes:
                shown = ", ".join(value for _, value in update.attributes)
                yield self._dry(
                    mgh.put_resource_attributes,
                    f"put attributes of {update.task}: {shown}",
                    attributes_request(update),
                )
            yield self._dry(
                mgh.notify_migration_task_state, f"notify {update.describe()}", notify_request(update)
            )

    def _dry(self, operation: Callable[..., Any], description: str, arguments: Mapping[str, Any]) -> str:
        try:
            self.call(operation, DryRun=True, **arguments)
        except ClientError as error:
            if error_code(error) == "DryRunOperation":
                return description
            if error_code(error) == "ResourceNotFoundException":
                # The stream or task this call needs is created by an earlier call of the plan.
                return description
            return f"{description} (would fail: {describe_error(error)})"
        return description

    def call(self, operation: Callable[..., _T], **arguments: Any) -> _T:
        """Call with retries on throttling, 5xx and lost connections (the API asks for it)."""
        for attempt in range(self._retry.attempts):
            last = attempt == self._retry.attempts - 1
            try:
                return operation(**arguments)
            except ClientError as error:
                if last or not _retryable(error):
                    raise
            except _RETRYABLE_TRANSPORT:
                if last:
                    raise
            self._sleep(self._retry.delay(attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")


def _retryable(error: ClientError) -> bool:
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return error_code(error) in RETRYABLE_CODES or (isinstance(status, int) and status >= 500)


def import_request(update: TaskUpdate) -> dict[str, Any]:
    """ImportMigrationTask's (and every task call's) identifying arguments."""
    return {"ProgressUpdateStream": update.stream, "MigrationTaskName": update.task}


def attributes_request(update: TaskUpdate) -> dict[str, Any]:
    """PutResourceAttributes' arguments (only sent when the update has attributes)."""
    attributes = [{"Type": kind, "Value": value} for kind, value in update.attributes]
    return {**import_request(update), "ResourceAttributeList": attributes}


def notify_request(update: TaskUpdate) -> dict[str, Any]:
    """NotifyMigrationTaskState's arguments (docs/contracts.md, "Migration Hub mapping")."""
    return {
        **import_request(update),
        "Task": {
            "Status": update.status,
            "StatusDetail": update.detail,
            "ProgressPercent": update.progress_percent,
        },
        "UpdateDateTime": update.updated_at,
        "NextUpdateSeconds": update.next_update_seconds,
    }
