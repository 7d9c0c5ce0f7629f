"""Region attribution of the database & analytics types moto models: a resource seeded in each of
two regions is reported once, by the unit of its own region (never by the other's)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SEEDERS, SeedContext
from maptag.resources.declarations import TYPE_NAMES
from tests.support.moto_gaps import STUBBED
from tests.support.moto_seed import ACCOUNT, ScanOutcome, policy, scan

pytestmark = pytest.mark.xdist_group("dba-regions")

REGIONS = ("us-east-1", "eu-west-1")
DBA_MODULES = (
    "rds",
    "elasticache",
    "memorydb",
    "dax",
    "redshift",
    "es",
    "kafka",
    "kinesis",
    "firehose",
    "glue",
    "dms",
)
# The issue-9 DB&A types moto models (rds:db, rds:cluster and rds:snapshot are the first twelve's).
TYPES = [
    name
    for name in TYPE_NAMES
    if name.split(":")[0] in DBA_MODULES
    and name in SEEDERS
    and name not in STUBBED
    and name not in ("rds:db", "rds:cluster", "rds:snapshot")
]


@pytest.fixture(scope="module")
def estate() -> Iterator[tuple[dict[tuple[str, str], str], ScanOutcome]]:
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
                env.delenv(name)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        with mock_aws():
            session = boto3.Session(region_name=REGIONS[0])
            seeded = {}
            for region in REGIONS:
                ctx = SeedContext(session, region, ACCOUNT)
                for n, name in enumerate(TYPES):
                    seeded[(name, region)] = SEEDERS[name](ctx, f"r{n}-{region[:2]}", None)
            yield seeded, scan(session, policy(regions=list(REGIONS), types=TYPES))


def test_there_are_types_to_check() -> None:
    assert len(TYPES) >= 12, TYPES


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("type_name", TYPES)
def test_each_resource_is_reported_once_by_its_own_region(
    estate: tuple[dict[tuple[str, str], str], ScanOutcome], type_name: str, region: str
) -> None:
    seeded, outcome = estate
    arn = seeded[(type_name, region)]
    reported = [f for f in outcome.findings if f.resource.arn == arn]
    assert [(f.resource.type, f.resource.region) for f in reported] == [(type_name, region)]
    assert all(u.status == "ok" for u in outcome.units), [u.error for u in outcome.units]
