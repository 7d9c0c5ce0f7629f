"""Batched tag reads through the Resource Groups Tagging API (declarations.TaggingApi).

S3 buckets, DynamoDB tables and Lambda functions are listed with their own services and their
tags read 100 at a time with GetResources(ResourceARNList=...), following PaginationToken;
a resource absent from the answer has no tags. When the Tagging API is denied the unit reads
each resource's tags with the service's own call: same verdicts, never a silent "missing".
What is checked is what a user sees (verdicts, reasons) and what went on the wire (wire.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from maptag.model import Verdict
from maptag.resources.declarations import TAGGING_API_ACTION, required_actions
from maptag.scan import CALLER_ACTIONS
from tests.support.faults import Faults
from tests.support.moto_seed import (
    ACCOUNT,
    COMPLIANT,
    MPE_VALUE,
    NO_MAP_TAG,
    ScanOutcome,
    Tags,
    keyed_session,
    policy,
    scan,
    seed_bucket,
    seed_function,
    seed_table,
)
from tests.support.wire import Wire

REGION = "us-east-1"
OTHER = "eu-west-1"
BATCHED = ["s3:bucket", "dynamodb:table", "lambda:function"]
# A seeded resource's tags, cycled: compliant, tagged without the MAP tag, never tagged.
VARIANTS: tuple[Tags, ...] = (COMPLIANT, NO_MAP_TAG, None)
EXPECTED = {
    0: (Verdict.COMPLIANT, f"tagged map-migrated={MPE_VALUE}"),
    1: (Verdict.MISSING, "no 'map-migrated' tag"),
    2: (Verdict.MISSING, "no tags at all"),
}
PER_RESOURCE = {"GetBucketTagging", "ListTagsOfResource", "ListTags"}


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def _seed(session: boto3.Session, region: str, counts: dict[str, int]) -> dict[str, int]:
    """{ARN: variant} for ``counts`` resources of each batched type, variants cycled."""
    seeders = {"s3:bucket": seed_bucket, "dynamodb:table": seed_table, "lambda:function": seed_function}
    seeded = {}
    for type_name, count in counts.items():
        for n in range(count):
            name = f"{type_name.split(':')[1]}-{region}-{n:03d}"
            seeded[seeders[type_name](session, region, name, VARIANTS[n % 3])] = n % 3
    return seeded


def _assert_judged(outcome: ScanOutcome, seeded: dict[str, int]) -> None:
    """Every seeded resource reported once, with the verdict and reason of its tags."""
    reported = [f.resource.arn for f in outcome.findings]
    assert sorted(reported) == sorted(seeded)
    for finding in outcome.findings:
        verdict, reason = EXPECTED[seeded[finding.resource.arn]]
        assert finding.verdict is verdict, finding.resource.arn
        assert reason in finding.reason, finding.resource.arn


def test_more_than_100_resources_of_each_type_are_read_100_at_a_time(session: boto3.Session) -> None:
    # Given more than 100 resources of each batched type, a third never tagged
    seeded = _seed(session, REGION, {"s3:bucket": 130, "dynamodb:table": 230, "lambda:function": 110})
    wire = Wire(session)

    # When they are scanned
    outcome = scan(session, policy(regions=[REGION], types=BATCHED))

    # Then each is judged from its tags, the never-tagged ones as "no tags at all"
    (unit,) = outcome.units
    assert (unit.status, unit.error, unit.totals.unreadable) == ("ok", None, 0)
    _assert_judged(outcome, seeded)
    # and no tag was read one resource at a time
    sent = wire.count()
    assert not PER_RESOURCE & set(sent), sent
    # and every listed resource was asked about exactly once, 100 to a request: ⌈N / 100⌉
    # requests per type, whatever the list pages (Lambda lists 50 a page)
    asked = [request.json() for request in wire.of("GetResources") if "ResourceARNList" in request.json()]
    arns = [arn for request in asked for arn in request["ResourceARNList"]]
    assert sorted(arns) == sorted(seeded)
    sizes = {
        prefix: sorted(
            (len(r["ResourceARNList"]) for r in asked if r["ResourceARNList"][0].startswith(prefix)),
            reverse=True,
        )
        for prefix in ("arn:aws:s3:::", "arn:aws:dynamodb:", "arn:aws:lambda:")
    }
    assert sizes == {
        "arn:aws:s3:::": [100, 30],
        "arn:aws:dynamodb:": [100, 100, 30],
        "arn:aws:lambda:": [100, 10],
    }
    # and moto's paged answers were followed, each next page asked with its token alone
    follow_ups = [
        request.json() for request in wire.of("GetResources") if "ResourceARNList" not in request.json()
    ]
    assert follow_ups
    assert all(set(request) == {"PaginationToken"} for request in follow_ups)


def test_every_page_of_a_paginated_answer_is_read(session: boto3.Session) -> None:
    # Given tables with a dozen tags each: moto answers fewer than 100 tags a page, so the
    # tags of 40 tables come back over several pages
    tables: dict[str, str] = {}
    for n in range(40):
        value = MPE_VALUE if n % 2 == 0 else "MIG12345"
        tags = {"map-migrated": value, **{f"team-{k:02d}": "payments" for k in range(11)}}
        tables[seed_table(session, REGION, f"wide-{n:02d}", tags)] = value
    wire = Wire(session)

    # When they are scanned
    outcome = scan(session, policy(regions=[REGION], types=["dynamodb:table"]))

    # Then one request asked about all 40 and its answer was read to the last page
    requests = [request.json() for request in wire.of("GetResources")]
    assert len(requests[0]["ResourceARNList"]) == 40
    assert len(requests) >= 40 * 12 // 100 + 1
    assert all(set(request) == {"PaginationToken"} for request in requests[1:])
    # and every table was judged on its own tags, the last page's as well as the first's
    verdicts = {f.resource.arn: f.verdict for f in outcome.findings}
    assert verdicts == {
        arn: Verdict.COMPLIANT if value == MPE_VALUE else Verdict.INVALID_VALUE
        for arn, value in tables.items()
    }
    assert outcome.units[0].status == "ok"


def test_buckets_are_asked_about_in_their_own_region(session: boto3.Session) -> None:
    # Given buckets in two regions (the Tagging API answers only for its own region)
    seeded = {**_seed(session, REGION, {"s3:bucket": 3}), **_seed(session, OTHER, {"s3:bucket": 3})}
    wire = Wire(session)

    # When both regions are scanned
    outcome = scan(session, policy(regions=[REGION, OTHER], types=["s3:bucket"]))

    # Then each bucket is reported once, from its region, judged on its tags
    _assert_judged(outcome, seeded)
    assert {f.resource.arn: f.resource.region for f in outcome.findings} == {
        arn: REGION if REGION in arn else OTHER for arn in seeded
    }
    # and its tags were asked for in that region
    asked = {
        arn: request.region
        for request in wire.of("GetResources")
        for arn in request.json().get("ResourceARNList", [])
    }
    assert asked == {arn: REGION if REGION in arn else OTHER for arn in seeded}


def test_a_denied_tagging_api_falls_back_to_each_resources_own_tag_read(session: boto3.Session) -> None:
    # Given resources of each batched type in two regions, and an account whose Tagging API
    # answers AccessDeniedException (a role without tag:GetResources, or an SCP)
    seeded = {
        **_seed(session, REGION, {"s3:bucket": 4, "dynamodb:table": 5, "lambda:function": 4}),
        **_seed(session, OTHER, {"s3:bucket": 2, "dynamodb:table": 3, "lambda:function": 3}),
    }
    faults = Faults()
    denied = faults.add(
        lambda r: r.operation == "GetResources",
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCOUNT}:role/scanner is not authorized to perform: tag:GetResources",
    )
    faults.attach(session)
    wire = Wire(session)

    # When both regions are scanned
    outcome = scan(session, policy(regions=[REGION, OTHER], types=BATCHED))

    # Then the verdicts are the same as with the Tagging API: nothing unreadable, nothing missing
    # that is tagged
    assert [(u.status, u.error, u.totals.unreadable) for u in outcome.units] == [("ok", None, 0)] * 2
    _assert_judged(outcome, seeded)
    # and each unit asked the Tagging API once, then read every resource's tags itself
    assert denied.injected == 2
    sent = wire.count()
    assert (sent["GetBucketTagging"], sent["ListTagsOfResource"], sent["ListTags"]) == (6, 8, 7)


def test_a_role_without_tag_get_resources_still_scans_exactly(session: boto3.Session) -> None:
    # Given a member role made before the batched reads: the per-resource tag reads, no
    # tag:GetResources (moto enforces IAM; Lambda is left out: moto rejects its signed requests)
    seeded = _seed(session, REGION, {"s3:bucket": 4, "dynamodb:table": 5})
    types = ["s3:bucket", "dynamodb:table"]
    actions = [
        a for a in (*CALLER_ACTIONS, *required_actions(types, need_created=False)) if a != TAGGING_API_ACTION
    ]
    iam = session.client("iam")
    iam.create_user(UserName="old-role")
    iam.put_user_policy(
        UserName="old-role",
        PolicyName="scan",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        ),
    )
    key = iam.create_access_key(UserName="old-role")["AccessKey"]
    scanner = keyed_session(key["AccessKeyId"], key["SecretAccessKey"], region=REGION)
    wire = Wire(scanner)

    # When it scans
    outcome = set_initial_no_auth_action_count(0)(scan)(scanner, policy(regions=[REGION], types=types))

    # Then it sees exactly what a role with the permission sees
    (unit,) = outcome.units
    assert (unit.status, unit.error, unit.totals.unreadable) == ("ok", None, 0)
    _assert_judged(outcome, seeded)
    # after one denied GetResources, with one tag read per resource
    sent = wire.count()
    assert (sent["GetResources"], sent["GetBucketTagging"], sent["ListTagsOfResource"]) == (1, 4, 5)
