"""Multi-account scans under moto: --accounts and --org through an assumed role, concurrency.

moto's STS AssumeRole returns credentials that act in the target account, so each member
account's estate is seeded through a session assumed into it, exactly as the scanner reaches
it. The caller's own account is scanned with the caller's own credentials.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from maptag.model import ScanUnit, Verdict
from maptag.scan import plan
from tests.support.moto_seed import (
    ACCOUNT,
    COMPLIANT,
    keyed_session,
    policy,
    scan,
    seed_bucket,
    seed_table,
    seed_volume,
)

ROLE = "MaptagReadOnly"
MEMBER = "111111111111"
OTHER_MEMBER = "222222222222"
REGIONS = ["us-east-1", "eu-west-1"]


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def assumed(session: boto3.Session, account: str, role: str = ROLE) -> boto3.Session:
    """A session in ``account`` (for seeding it, as an administrator would)."""
    credentials = session.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="seed"
    )["Credentials"]
    return keyed_session(
        credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )


def assume_role_calls(session: boto3.Session) -> list[str]:
    """The RoleArn of every AssumeRole request the caller's session sends (counting only)."""
    calls: list[str] = []

    def record(request: Any, **_: Any) -> None:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        calls.append(parse_qs(body)["RoleArn"][0])

    session.events.register_first("before-send.sts.AssumeRole", record)
    return calls


def test_accounts_are_scanned_through_the_role_and_the_caller_with_its_own_credentials(
    session: boto3.Session,
) -> None:
    # Given resources in the caller's account and in a member account, in two regions
    member = assumed(session, MEMBER)
    own_bucket = seed_bucket(session, "us-east-1", "caller-bucket", COMPLIANT)
    own_volume = seed_volume(session, "eu-west-1", "caller-volume", None)
    member_bucket = seed_bucket(member, "eu-west-1", "member-bucket", None)
    member_volume = seed_volume(member, "us-east-1", "member-volume", COMPLIANT)
    member_table = seed_table(member, "eu-west-1", "member-table", None)
    calls = assume_role_calls(session)

    # When both accounts are scanned with the member role
    outcome = scan(
        session,
        policy(
            regions=REGIONS,
            accounts=[ACCOUNT, MEMBER],
            role_name=ROLE,
            types=["ec2:volume", "s3:bucket", "dynamodb:table"],
        ),
    )

    # Then every unit is scanned, and each resource is reported in its own account and region
    assert sorted((r.unit.account_id, r.unit.region, r.status) for r in outcome.units) == [
        (MEMBER, "eu-west-1", "ok"),
        (MEMBER, "us-east-1", "ok"),
        (ACCOUNT, "eu-west-1", "ok"),
        (ACCOUNT, "us-east-1", "ok"),
    ]
    seen = {(f.resource.arn, f.resource.account_id, f.resource.region, f.verdict) for f in outcome.findings}
    assert seen == {
        (own_bucket, ACCOUNT, "us-east-1", Verdict.COMPLIANT),
        (own_volume, ACCOUNT, "eu-west-1", Verdict.MISSING),
        (member_bucket, MEMBER, "eu-west-1", Verdict.MISSING),
        (member_volume, MEMBER, "us-east-1", Verdict.COMPLIANT),
        (member_table, MEMBER, "eu-west-1", Verdict.MISSING),
    }
    assert f":{MEMBER}:volume/" in member_volume
    # And the role was assumed once for the member (not per unit), never for the caller
    assert calls == [f"arn:aws:iam::{MEMBER}:role/{ROLE}"]


def test_org_scans_every_active_account(session: boto3.Session) -> None:
    # Given an Organization with two active member accounts and a closed one
    organizations = session.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    members = [
        organizations.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"][
            "AccountId"
        ]
        for name in ("prod", "data", "retired")
    ]
    organizations.close_account(AccountId=members[2])
    buckets = {
        account: seed_bucket(assumed(session, account), "us-east-1", f"bkt-{account}", None)
        for account in members[:2]
    }
    calls = assume_role_calls(session)
    org_policy = policy(regions=REGIONS, organization=True, role_name=ROLE, types=["s3:bucket"])

    # When the plan is made, then it holds the active accounts (the caller's included) × regions
    scan_plan = plan(org_policy, session)
    assert scan_plan.caller_account == ACCOUNT
    assert sorted(scan_plan.units, key=lambda u: (u.account_id, u.region)) == sorted(
        (ScanUnit(a, r) for a in (ACCOUNT, *members[:2]) for r in REGIONS),
        key=lambda u: (u.account_id, u.region),
    )

    # And the scan finds each member's bucket in that member's account
    outcome = scan(session, org_policy)
    assert all(r.status == "ok" for r in outcome.units)
    assert {(f.resource.arn, f.resource.account_id) for f in outcome.findings} == {
        (bucket, account) for account, bucket in buckets.items()
    }
    assert sorted(calls) == sorted(f"arn:aws:iam::{account}:role/{ROLE}" for account in members[:2])


@pytest.mark.parametrize("limit", [1, 2])
def test_units_run_concurrently_at_most_max_concurrency(session: boto3.Session, limit: int) -> None:
    # Given four units, and every request held for a moment so that overlaps show
    regions = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"]
    lock = threading.Lock()
    in_flight: list[str] = []  # the region (unit) of each request in flight
    peak_units = 0
    peak_requests = 0
    threads: set[str] = set()

    def hold(request: Any, **_: Any) -> None:
        nonlocal peak_units, peak_requests
        found = re.search(r"\.([a-z]{2}-[a-z]+-\d)\.", request.url)
        region = found.group(1) if found else "us-east-1"
        with lock:
            in_flight.append(region)
            peak_units = max(peak_units, len(set(in_flight)))
            peak_requests = max(peak_requests, len(in_flight))
            threads.add(threading.current_thread().name)
        time.sleep(0.15)
        with lock:
            in_flight.remove(region)

    session.events.register_first("before-send", hold)

    outcome = scan(
        session,
        policy(regions=regions, max_concurrency=limit, types=["ec2:volume", "s3:bucket", "dynamodb:table"]),
    )

    assert sorted(r.unit.region for r in outcome.units) == sorted(regions)
    assert all(r.status == "ok" for r in outcome.units)
    # at most `limit` units at a time, each listing its three types concurrently (issue 9)
    assert peak_units == limit
    assert peak_requests > limit
    # the listing calls come from each unit's own type threads
    assert any(name.startswith("maptag-type") for name in threads)


# --- failures across accounts, with moto enforcing IAM ---


def _allow(*actions: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resource}


def test_an_unassumable_account_and_a_denied_list_call_fail_only_their_units(session: boto3.Session) -> None:
    # Given a member whose role may not describe RDS, and a member whose role the caller may not assume
    member = assumed(session, MEMBER, "admin")
    member_iam = member.client("iam")
    member_iam.create_role(
        RoleName=ROLE, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )
    member_iam.put_role_policy(
        RoleName=ROLE,
        PolicyName="read",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [_allow("ec2:Describe*", "s3:ListAllMyBuckets", "s3:GetBucketTagging")],
            }
        ),
    )
    member_bucket = seed_bucket(member, "us-east-1", "member-data", COMPLIANT)
    own_bucket = seed_bucket(session, "us-east-1", "caller-data", None)
    iam = session.client("iam")
    iam.create_user(UserName="scanner")
    iam.put_user_policy(
        UserName="scanner",
        PolicyName="scan",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    _allow(
                        "sts:GetCallerIdentity",
                        "ec2:Describe*",
                        "rds:Describe*",
                        "s3:ListAllMyBuckets",
                        "s3:GetBucketTagging",
                    ),
                    _allow("sts:AssumeRole", resource=f"arn:aws:iam::{MEMBER}:role/{ROLE}"),
                ],
            }
        ),
    )
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    scanner = keyed_session(key["AccessKeyId"], key["SecretAccessKey"])
    calls = assume_role_calls(scanner)

    # When the three accounts are scanned with IAM enforced
    outcome = set_initial_no_auth_action_count(0)(scan)(
        scanner,
        policy(
            regions=REGIONS,
            accounts=[ACCOUNT, MEMBER, OTHER_MEMBER],
            role_name=ROLE,
            types=["ec2:volume", "rds:db", "s3:bucket"],
        ),
    )

    # Then the unassumable account's units fail with the reason, asked once
    for region in REGIONS:
        unit = outcome.unit(OTHER_MEMBER, region)
        assert unit.status == "failed"
        assert unit.error is not None
        assert unit.error.startswith(f"cannot assume role {ROLE}: AccessDenied on AssumeRole")
    assert calls.count(f"arn:aws:iam::{OTHER_MEMBER}:role/{ROLE}") == 1
    # the member's units fail on RDS only, with the rest of their findings complete
    for region in REGIONS:
        unit = outcome.unit(MEMBER, region)
        assert unit.status == "failed"
        assert unit.error is not None
        assert unit.error.startswith("rds:db: AccessDenied on DescribeDBInstances")
    assert [(f.resource.arn, f.verdict) for f in outcome.findings if f.resource.account_id == MEMBER] == [
        (member_bucket, Verdict.COMPLIANT)
    ]
    # and the caller's own units are complete
    assert all(outcome.unit(ACCOUNT, region).status == "ok" for region in REGIONS)
    assert [(f.resource.arn, f.verdict) for f in outcome.findings if f.resource.account_id == ACCOUNT] == [
        (own_bucket, Verdict.MISSING)
    ]
