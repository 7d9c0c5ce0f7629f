"""A run's working data in S3 read back by publish: in parallel, in order, memory bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from maptag.model import Finding, Resource, ScanUnit, Verdict
from maptag.run_store import READ_AHEAD, RunStore
from maptag.scan import UnitResult

REGION = "us-east-1"
BUCKET = "maptag-reports"


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


def finding(account: str, n: int) -> Finding:
    volume = f"vol-{n:017x}"
    arn = f"arn:aws:ec2:{REGION}:{account}:volume/{volume}"
    resource = Resource(arn, "ec2:volume", account, REGION, volume, None, {})
    return Finding(resource, Verdict.MISSING, "no map-migrated tag", None, None)


def write_units(store: RunStore, count: int) -> list[ScanUnit]:
    """`count` units; unit i holds i % 3 findings (some empty), each with its result."""
    units = [ScanUnit(f"{100000000000 + i:012d}", REGION) for i in range(count)]
    for i, unit in enumerate(units):
        with store.findings_writer(unit) as emit:
            for n in range(i % 3):
                emit(finding(unit.account_id, n))
        counts = {("ec2:volume", Verdict.MISSING): i % 3} if i % 3 else {}
        store.write_result(UnitResult(unit=unit, status="ok", error=None, counts=counts))
    return units


def count_gets(s3: Any) -> list[str]:
    gets: list[str] = []
    s3.meta.events.register("before-call.s3.GetObject", lambda params, **_: gets.append(params["url_path"]))
    return gets


def test_findings_come_back_in_unit_order_however_many_are_read_at_once(s3: Any) -> None:
    # Given 100 units' shards (more than are downloaded at once)
    store = RunStore(s3, BUCKET, "run-1")
    units = write_units(store, 100)
    # When they are read back, and a missing shard is asked for too
    lost = ScanUnit("999999999999", REGION)
    read = [(r["account_id"], r["arn"]) for r in store.read([*units[:50], lost, *units[50:]])]
    # Then every finding comes back once, unit by unit in the order asked, the missing one skipped
    expected = [
        (unit.account_id, finding(unit.account_id, n).resource.arn)
        for i, unit in enumerate(units)
        for n in range(i % 3)
    ]
    assert read == expected


def test_a_reader_that_stops_early_downloads_a_bounded_window_only(s3: Any) -> None:
    store = RunStore(s3, BUCKET, "run-1")
    units = write_units(store, 4 * READ_AHEAD)
    gets = count_gets(s3)
    # When a reader takes the first finding and stops
    reader = store.read(units)
    first = next(reader)
    reader.close()
    # Then it downloaded the window ahead of it, not every shard
    assert first["account_id"] == units[1].account_id
    assert 2 <= len(gets) <= READ_AHEAD + 1
    assert len(gets) < len(units)


def test_every_written_result_is_read_back(s3: Any) -> None:
    store = RunStore(s3, BUCKET, "run-1")
    units = write_units(store, 70)
    gets = count_gets(s3)
    results = store.read_results()
    assert set(results) == set(units)
    assert results[units[4]].counts == {("ec2:volume", Verdict.MISSING): 1}
    assert len(gets) == len(units)
