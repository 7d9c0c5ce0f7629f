"""The advice for unreadable tags matches the cause (judge.FIX_UNREADABLE, aws.error_kind).

Errors are injected at the transport (faults.py: the service's own error response, or a read
timeout), so botocore retries and parses them as it would AWS's; maptag's code runs unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import boto3
import pytest
from moto import mock_aws

from maptag.model import Verdict
from tests.support.faults import Faults
from tests.support.moto_seed import COMPLIANT, policy, scan, seed_bucket

REGION = "us-east-1"
PERMISSION_ADVICE = "allow the scanning role to read this resource's tags"


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # past the retries quickly (standard chain)
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def _throttled(faults: Faults) -> None:
    faults.add(lambda r: r.operation == "GetBucketTagging", "SlowDown", "Please reduce your rate.", 503)


def _timed_out(faults: Faults) -> None:
    faults.time_out("GetBucketTagging")


def _denied(faults: Faults) -> None:
    faults.add(lambda r: r.operation == "GetBucketTagging", "AccessDenied", "Access Denied", 403)


def _odd(faults: Faults) -> None:
    faults.add(lambda r: r.operation == "GetBucketTagging", "InvalidBucketState", "odd state", 409)


@pytest.mark.parametrize(
    ("inject", "advice", "not_advice"),
    [
        (_throttled, "scan again later", PERMISSION_ADVICE),
        (_timed_out, "scan again later", PERMISSION_ADVICE),
        (_denied, PERMISSION_ADVICE, "scan again later"),
        (_odd, "resolve the error in the reason", PERMISSION_ADVICE),
    ],
    ids=["throttled", "timed out", "access denied", "another error"],
)
def test_unreadable_advice_follows_the_cause(
    session: boto3.Session, inject: Callable[[Faults], None], advice: str, not_advice: str
) -> None:
    # Given a bucket whose tags cannot be read: the batched read is throttled throughout,
    # so maptag falls back to GetBucketTagging, which fails for the reason under test
    bucket = seed_bucket(session, REGION, "unreadable-bucket", COMPLIANT)
    faults = Faults()
    faults.throttle("GetResources", times=None, code="ThrottledException")
    inject(faults)
    faults.attach(session)

    outcome = scan(session, policy(regions=[REGION], types=["s3:bucket"]))

    (finding,) = outcome.findings
    assert (finding.resource.arn, finding.verdict) == (bucket, Verdict.UNREADABLE)
    assert finding.fix is not None
    assert advice in finding.fix
    assert not_advice not in finding.fix
