"""Global services (CloudFront, Route 53) are listed once per account, never once per unit (issue 9).

They are listed in the unit of the partition's global region, us-east-1, when it is scanned, and
otherwise in the first scanned region: every other unit leaves them out, so nothing is counted
twice however many regions are scanned.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SEEDERS, SeedContext
from tests.support.moto_seed import ACCOUNT, COMPLIANT, policy, scan

GLOBAL = ["cloudfront:distribution", "route53:hostedzone"]


@pytest.fixture
def seeded() -> Iterator[tuple[boto3.Session, dict[str, str]]]:
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
                env.delenv(name)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        with mock_aws():
            session = boto3.Session(region_name="us-east-1")
            ctx = SeedContext(session, "us-east-1", ACCOUNT)
            yield (
                session,
                {name: SEEDERS[name](ctx, f"global-{n}", COMPLIANT) for n, name in enumerate(GLOBAL)},
            )


@pytest.mark.parametrize(
    ("regions", "home"),
    [
        (["eu-west-1", "us-east-1", "ap-southeast-2"], "us-east-1"),
        (["eu-west-1", "eu-central-1"], "eu-west-1"),
    ],
)
def test_global_types_are_listed_once_per_account(
    seeded: tuple[boto3.Session, dict[str, str]], regions: list[str], home: str
) -> None:
    session, arns = seeded
    outcome = scan(session, policy(regions=regions, types=GLOBAL))
    assert all(unit.status == "ok" for unit in outcome.units)
    found = sorted((f.resource.arn, f.resource.region) for f in outcome.findings)
    # each once, attributed to the unit that lists the account's global services
    assert found == sorted((arn, home) for arn in arns.values())
    assert {f.resource.type for f in outcome.findings} == set(GLOBAL)
