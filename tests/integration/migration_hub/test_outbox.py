"""The deployed outbox backend (DynamoDB) against moto: the same rules as the file outbox, and
the publisher keeping and replaying through it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from maptag.local.migration_hub import HubState, running_hub
from maptag.migration_hub.outbox import DynamoDBOutbox
from maptag.migration_hub.publisher import OutboxError, RetryPolicy, TaskUpdate
from maptag.names import OUTBOX_TABLE_KEY
from maptag.sinks.migration_hub import publish

T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)
FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.005)


def update(task: str, at: datetime, detail: str = "1/2 tagged · 1 missing") -> TaskUpdate:
    return TaskUpdate(
        stream="MAP-Tagging",
        task=task,
        status="IN_PROGRESS",
        progress_percent=50,
        detail=detail,
        updated_at=at,
        next_update_seconds=90_000,
        attributes=(("IPV4_ADDRESS", "10.0.0.1"),),
    )


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="maptag-hub-outbox",
            KeySchema=[{"AttributeName": OUTBOX_TABLE_KEY, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": OUTBOX_TABLE_KEY, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def test_kept_updates_come_back_whole(dynamodb):
    outbox = DynamoDBOutbox("maptag-hub-outbox", dynamodb)
    first, second = update("map-tagging-1-us-east-1", T0), update("map-tagging-1-eu-west-1", T0, "ünï · x")
    outbox.keep([first, second])
    assert sorted(outbox.pending(), key=lambda u: u.task) == [second, first]


def test_an_older_update_never_overwrites_a_newer_one(dynamodb):
    outbox = DynamoDBOutbox("maptag-hub-outbox", dynamodb)
    newer = update("map-tagging-1-us-east-1", T0 + timedelta(hours=1), "newer")
    # Given a newer update kept / When an older one for the same task is kept
    outbox.keep([newer])
    outbox.keep([update("map-tagging-1-us-east-1", T0, "older")])
    # Then the newer one stays
    assert outbox.pending() == [newer]
    # And a still newer one replaces it
    newest = update("map-tagging-1-us-east-1", T0 + timedelta(hours=2), "newest")
    outbox.keep([newest])
    assert outbox.pending() == [newest]


def test_sending_an_older_update_does_not_forget_a_newer_one(dynamodb):
    outbox = DynamoDBOutbox("maptag-hub-outbox", dynamodb)
    newer = update("map-tagging-1-us-east-1", T0 + timedelta(hours=1))
    outbox.keep([newer])
    outbox.sent([update("map-tagging-1-us-east-1", T0)])
    assert outbox.pending() == [newer]
    outbox.sent([newer, update("map-tagging-never-kept", T0)])
    assert outbox.pending() == []


def test_a_missing_table_is_a_clear_error(dynamodb):
    outbox = DynamoDBOutbox("no-such-table", dynamodb)
    with pytest.raises(
        OutboxError, match="cannot read the outbox table no-such-table: ResourceNotFoundException"
    ):
        outbox.pending()
    with pytest.raises(OutboxError, match="cannot write the outbox table no-such-table"):
        outbox.keep([update("t", T0)])


def test_the_deployed_publish_keeps_and_replays_through_the_table(dynamodb, monkeypatch: pytest.MonkeyPatch):
    # Given the local hub (moto passes calls to other endpoints through) throttling past retries
    state = HubState()
    with running_hub(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATION_HUB", url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_MIGRATIONHUB_CONFIG", url)
        boto3.client("migrationhub-config", region_name="us-west-2").create_home_region_control(
            HomeRegion="us-west-2", Target={"Type": "ACCOUNT", "Id": "123456789012"}
        )
        outbox = DynamoDBOutbox("maptag-hub-outbox", dynamodb)
        scan = {
            "generated_at": "2026-11-23T10:00:00Z",
            "units": [
                {
                    "account_id": "123456789012",
                    "region": "us-east-1",
                    "status": "ok",
                    "error": None,
                    "totals": {"compliant": 3, "missing": 1},
                }
            ],
        }
        state.inject_fault("InternalServerError", times=10)
        failed = publish(scan, outbox=outbox, retry=FAST)
        # Then the update waits in the table
        assert failed.status == "failed"
        assert [u.task for u in outbox.pending()] == ["map-tagging-123456789012-us-east-1"]
        # When the hub recovers, the next run (with nothing of its own) sends it and empties the table
        state.clear_faults()
        replayed = publish({"generated_at": "2026-11-24T10:00:00Z", "units": []}, outbox=outbox, retry=FAST)
        assert replayed.replayed == ["map-tagging-123456789012-us-east-1"]
        assert (
            state.task("MAP-Tagging", "map-tagging-123456789012-us-east-1")["Task"]["ProgressPercent"] == 75
        )
        assert outbox.pending() == []
