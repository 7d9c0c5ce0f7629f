"""Migration Hub publish at Organization scale (issue 13; docs/deploy.md, "Scale").

Many tasks are sent by a bounded pool: never more than HUB_WORKERS calls in flight, each
task's calls in order on one thread (ImportMigrationTask before NotifyMigrationTaskState),
each task's state once per run, no DescribeMigrationTask (one ListMigrationTasks listing
says which tasks exist). Against the local Migration Hub, in process (its `attach`) or over
HTTP behind the fault-injecting proxy (bench/fault_proxy.py) answering mgh's own
ThrottlingException in its JSON 1.1 protocol.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from bench.fault_proxy import FaultProxy, Rule
from bench.hub_publish import hub_report
from maptag.local.migration_hub import Call, HubState, LocalMigrationHub, attach, running_hub
from maptag.migration_hub.outbox import FileOutbox
from maptag.migration_hub.publisher import HUB_WORKERS, LIST_PAGE, RetryPolicy
from maptag.sinks.migration_hub import publish

HOME = "us-west-2"
STREAM = "MAP-Tagging"
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
REGIONS = ("ap-south-1", "eu-west-1", "us-east-1")
FAST = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.005)


def report(accounts: int, at: datetime = T0) -> dict[str, Any]:
    """One unit per account × region (account n: 10 compliant, n % 7 missing)."""
    return hub_report(accounts, REGIONS, at)


def task_names(accounts: int, regions: tuple[str, ...] = REGIONS) -> list[str]:
    return sorted(f"map-tagging-{n:012d}-{region}" for n in range(accounts) for region in regions)


def per_task(calls: list[Call], outcome: str = "ok") -> dict[str, list[str]]:
    """Each task's calls with this outcome, in the order the hub answered them."""
    seen: dict[str, list[str]] = defaultdict(list)
    for call in calls:
        if call.service == "mgh" and call.outcome == outcome and "MigrationTaskName" in call.params:
            seen[call.params["MigrationTaskName"]].append(call.operation)
    return dict(seen)


class InFlight:
    """A before-send handler that holds each mgh request `seconds` (a round trip) and counts
    how many are in flight at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.now = 0
        self.most = 0
        self.lock = threading.Lock()

    def __call__(self, **_: Any) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(self.seconds)
        with self.lock:
            self.now -= 1


def test_many_tasks_go_out_through_a_bounded_pool_each_in_order(tmp_path: Path):
    # Given a local hub in process with a home region, and a 10 ms round trip per call
    state = HubState()
    hub = LocalMigrationHub(state)
    hub.set_home_region(HOME)
    session = boto3.Session(region_name=HOME)
    in_flight = InFlight(0.01)
    session.events.register_first("before-send.migration-hub", in_flight)
    attach(session, hub)
    outbox = FileOutbox(tmp_path / "outbox.json")
    accounts = 100  # 300 tasks
    # When the first run publishes them
    started = time.monotonic()
    first = publish(report(accounts), session=session, outbox=outbox, retry=FAST)
    first_s = time.monotonic() - started
    # Then every task is created with its state, and never more than HUB_WORKERS calls were in flight
    assert first.status == "ok", first.error
    assert sorted(first.created) == sorted(first.sent) == task_names(accounts)
    assert in_flight.most == HUB_WORKERS
    # 600 calls of 10 ms one after another take 6 s; the pool takes a tenth of that plus slack
    assert first_s < 600 * 0.01 / 2
    # And each task had its Import before its Notify, once each; nothing was described
    calls = list(state.calls)
    assert set(map(tuple, per_task(calls).values())) == {("ImportMigrationTask", "NotifyMigrationTaskState")}
    operations = Counter(call.operation for call in calls)
    assert "DescribeMigrationTask" not in operations
    assert operations["ListMigrationTasks"] == 1  # the stream was new: one empty page
    shown = state.task(STREAM, "map-tagging-000000000006-eu-west-1")
    assert shown is not None
    assert shown["Task"]["StatusDetail"] == "10/16 tagged · 6 missing"

    # When the next day's scan is published
    state.calls.clear()
    second = publish(report(accounts, at=T0 + timedelta(days=1)), session=session, outbox=outbox, retry=FAST)
    # Then each task gets one notification and nothing else: one call per task, plus the listing
    assert (second.status, second.created, len(second.sent)) == ("ok", [], 3 * accounts)
    assert set(map(tuple, per_task(state.calls).values())) == {("NotifyMigrationTaskState",)}
    operations = Counter(call.operation for call in state.calls)
    assert operations["ListMigrationTasks"] == math.ceil(3 * accounts / LIST_PAGE)
    assert operations["NotifyMigrationTaskState"] == 3 * accounts
    assert outbox.pending() == []


@pytest.fixture
def proxied_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[HubState, FaultProxy]]:
    """A local hub over HTTP with a home region, reached through the fault-injecting proxy."""
    state = HubState()
    LocalMigrationHub(state).set_home_region(HOME)
    with running_hub(state) as url, FaultProxy(url).running() as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", proxy.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", proxy.url)
        yield state, proxy


def test_throttling_is_retried_and_every_state_arrives_once_in_order(proxied_hub, tmp_path: Path):
    state, proxy = proxied_hub
    # Given 30 % of all Migration Hub requests throttled (fixed seed), with patient retries
    proxy.reset([Rule("throttle", share=0.3, matches=lambda r: r.service == "mgh")])
    patient = RetryPolicy(attempts=12, base_delay=0.001, max_delay=0.005)
    outbox = FileOutbox(tmp_path / "outbox.json")
    accounts = 40  # 120 tasks
    # When they are published concurrently
    result = publish(report(accounts), outbox=outbox, retry=patient)
    # Then throttling happened, the publish still succeeded and nothing was kept
    assert proxy.tally.injected("throttle") > 20
    assert result.status == "ok", result.error
    assert outbox.pending() == []
    # And the hub accepted each task's Import then its Notify, exactly once each
    assert sorted(per_task(state.calls)) == task_names(accounts)
    assert set(map(tuple, per_task(state.calls).values())) == {
        ("ImportMigrationTask", "NotifyMigrationTaskState")
    }
    shown = state.task(STREAM, "map-tagging-000000000013-us-east-1")
    assert shown is not None
    assert shown["Task"]["StatusDetail"] == "10/16 tagged · 6 missing"


def test_a_failure_mid_run_keeps_exactly_the_unsent_tasks_and_the_next_run_sends_them(
    proxied_hub, tmp_path: Path
):
    state, proxy = proxied_hub
    # Given every notification of the eu-west-1 tasks throttled past the retries
    eu = Rule(
        "throttle",
        matches=lambda r: r.operation == "NotifyMigrationTaskState" and b"eu-west-1" in r.body,
    )
    proxy.reset([eu])
    outbox = FileOutbox(tmp_path / "outbox.json")
    accounts = 40
    everything = task_names(accounts)
    # When the run publishes (its first task, ap-south-1, goes through; then the pool)
    failed = publish(report(accounts), outbox=outbox, retry=FAST)
    # Then it failed on throttling; what was sent and what was kept split the tasks exactly
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error.startswith("ThrottlingException on NotifyMigrationTaskState")
    assert failed.sent
    assert failed.queued
    assert not set(failed.sent) & set(failed.queued)
    assert sorted([*failed.sent, *failed.queued]) == everything
    assert sorted(u.task for u in outbox.pending()) == sorted(failed.queued)
    # And every sent task's state arrived once; no kept one's did
    notified = {task: ops.count("NotifyMigrationTaskState") for task, ops in per_task(state.calls).items()}
    assert all(notified.get(task) == 1 for task in failed.sent)
    assert not any(notified.get(task) for task in failed.queued)

    # When the throttling is over and the next run has nothing new
    proxy.reset()
    earlier = list(state.calls)
    state.calls.clear()
    later = publish(report(0), outbox=outbox, retry=FAST)
    # Then exactly the kept tasks are sent; across both runs each state arrived once, after its Import
    assert later.status == "ok", later.error
    assert sorted(later.replayed) == sorted(later.sent) == sorted(failed.queued)
    assert outbox.pending() == []
    delivered = per_task([*earlier, *state.calls])
    assert sorted(delivered) == everything
    for task, operations in delivered.items():
        assert operations.count("NotifyMigrationTaskState") == 1, task
        assert operations.index("ImportMigrationTask") < operations.index("NotifyMigrationTaskState"), task

    # When a third run fails part-way again, and a fourth has a new scan of every task
    proxy.reset([eu])
    third = publish(report(accounts, at=T0 + timedelta(days=1)), outbox=outbox, retry=FAST)
    assert third.status == "failed"
    proxy.reset()
    state.calls.clear()
    fourth = publish(report(accounts, at=T0 + timedelta(days=2)), outbox=outbox, retry=FAST)
    # Then the fourth starts with the tasks the third left unsent: a stopped run resumes there
    assert fourth.status == "ok", fourth.error
    first_notified = next(c for c in state.calls if c.operation == "NotifyMigrationTaskState")
    assert first_notified.params["MigrationTaskName"] in third.queued
    assert fourth.sent[: len(third.queued)] == third.queued
