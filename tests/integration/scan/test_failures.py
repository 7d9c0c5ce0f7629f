"""One failing unit never stops or hides the others (issue 3, "Multi-account").

Three regions of one account: one healthy, one not enabled for the account (every request
refused, as AWS refuses requests to a disabled opt-in region), one whose volume listing is
throttled past every retry. The failures are injected at the transport (faults.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from freezegun import freeze_time
from moto import mock_aws

from maptag.model import Verdict
from tests.support.faults import Faults
from tests.support.moto_seed import (
    ACCOUNT,
    COMPLIANT,
    NO_MAP_TAG,
    instance_arn,
    launch,
    policy,
    root_volume,
    scan,
    seed_bucket,
    seed_table,
    seed_volume,
    volume_arn,
)

HEALTHY, DISABLED, THROTTLED = "us-east-1", "eu-west-1", "ap-southeast-2"


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name=HEALTHY)


def test_failing_units_are_reported_with_their_reason_and_the_others_are_complete(
    session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an estate in three regions
    with freeze_time("2025-06-01"):
        instance = launch(session, HEALTHY, COMPLIANT)
        root = root_volume(session, HEALTHY, instance)
        spare = seed_volume(session, HEALTHY, "spare", NO_MAP_TAG)
        bucket = seed_bucket(session, HEALTHY, "healthy-bucket", COMPLIANT)
        table = seed_table(session, HEALTHY, "healthy-table", None)
        launch(session, DISABLED, None)
        seed_bucket(session, DISABLED, "hidden-bucket", None)
        seed_volume(session, THROTTLED, "throttled-volume", None)
        throttled_bucket = seed_bucket(session, THROTTLED, "throttled-region-bucket", COMPLIANT)
    # and a region that refuses everything, and a list call throttled past its retries
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    faults = Faults()
    refused = faults.add(
        lambda r: r.region == DISABLED,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        403,
    )
    throttled = faults.add(
        lambda r: r.region == THROTTLED and r.operation == "DescribeVolumes",
        "RequestLimitExceeded",
        "Request limit exceeded.",
    )
    faults.attach(session)
    types = ["ec2:instance", "ec2:volume", "s3:bucket", "dynamodb:table"]

    # When the three regions are scanned
    outcome = scan(
        session, policy(regions=[HEALTHY, DISABLED, THROTTLED], types=types, agreement_start="2025-01-01")
    )

    # Then the two broken units are failed, each saying why
    disabled = outcome.unit(ACCOUNT, DISABLED)
    assert disabled.status == "failed"
    assert disabled.error is not None
    assert disabled.error.startswith(
        "ec2:instance: UnrecognizedClientException on DescribeInstances: "
        "The security token included in the request is invalid."
    )
    assert "(and 1 more types)" in disabled.error
    # every type was asked but ec2:volume: its parent type failed, so it is not judged (issue 13)
    assert refused.injected >= len(types) - 1
    assert "ec2:volume: not judged: its parent type ec2:instance could not be listed" in disabled.error
    throttled_unit = outcome.unit(ACCOUNT, THROTTLED)
    assert throttled_unit.status == "failed"
    assert (
        throttled_unit.error == "ec2:volume: RequestLimitExceeded on DescribeVolumes: Request limit exceeded."
    )
    assert throttled.injected == 3  # every attempt AWS_MAX_ATTEMPTS allows
    # and what the throttled unit could read is still reported
    assert [(f.resource.arn, f.verdict) for f in outcome.in_unit(ACCOUNT, THROTTLED)] == [
        (throttled_bucket, Verdict.COMPLIANT)
    ]
    assert outcome.in_unit(ACCOUNT, DISABLED) == []
    # And the healthy unit is complete and correct
    healthy = outcome.unit(ACCOUNT, HEALTHY)
    assert (healthy.status, healthy.error) == ("ok", None)
    assert {(f.resource.arn, f.verdict, f.resource.parent) for f in outcome.in_unit(ACCOUNT, HEALTHY)} == {
        (instance_arn(HEALTHY, instance), Verdict.COMPLIANT, None),
        (volume_arn(HEALTHY, root), Verdict.MISSING, instance_arn(HEALTHY, instance)),
        (spare, Verdict.MISSING, None),
        (bucket, Verdict.COMPLIANT, None),
        (table, Verdict.MISSING, None),
    }
    assert (healthy.totals.compliant, healthy.totals.missing) == (2, 3)
