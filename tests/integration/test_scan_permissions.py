"""Least privilege, proven under moto's IAM enforcement: a scanner holding exactly
required_actions() reads everything, and without any one of them the scan says so (a failed
unit or unreadable tags), never a silent "missing".
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import boto3
import pytest
from freezegun import freeze_time
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from maptag.model import Verdict
from maptag.resources.declarations import TYPE_NAMES, required_actions
from maptag.scan import CALLER_ACTIONS
from tests.integration.moto_seed import COMPLIANT, SEEDERS, keyed_session, policy, scan

# One seeded estate per module: keep its tests on one xdist worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("scan-permissions")

REGION = "us-east-1"
# moto's IAM enforcement rejects every signed Lambda and EFS request (SignatureDoesNotMatch,
# whatever the policy), so those two types are left out here.
TYPES = [name for name in TYPE_NAMES if name not in ("lambda:function", "elasticfilesystem:file-system")]
ACTIONS = required_actions(TYPES, need_created=True)


@pytest.fixture(scope="module")
def session() -> Iterator[boto3.Session]:
    """One seeded account for the whole module (each test makes its own IAM user in it)."""
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
                env.delenv(name)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            with freeze_time("2025-06-01"):
                for n, (name, seeder) in enumerate(SEEDERS.items()):
                    if name in TYPES:
                        seeder(session, REGION, f"perm-{n}", COMPLIANT)
            yield session


def _scanner(session: boto3.Session, actions: tuple[str, ...]) -> boto3.Session:
    user = f"scanner-{len(actions)}-{abs(hash(actions))}"
    iam = session.client("iam")
    iam.create_user(UserName=user)
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }
    iam.put_user_policy(UserName=user, PolicyName="scan", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return keyed_session(key["AccessKeyId"], key["SecretAccessKey"], region=REGION)


def test_the_required_actions_are_enough(session: boto3.Session) -> None:
    scanner = _scanner(session, (*CALLER_ACTIONS, *ACTIONS))
    outcome = set_initial_no_auth_action_count(0)(scan)(
        scanner, policy(regions=[REGION], types=TYPES, agreement_start="2025-01-01")
    )
    (unit,) = outcome.units
    assert (unit.status, unit.error) == ("ok", None)
    assert {f.resource.type for f in outcome.findings} == set(TYPES)
    assert unit.totals.unreadable == 0
    assert all(f.verdict is not Verdict.UNREADABLE for f in outcome.findings)


@pytest.mark.parametrize("missing", ACTIONS)
def test_each_required_action_is_needed_and_its_absence_is_loud(session: boto3.Session, missing: str) -> None:
    scanner = _scanner(session, tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a != missing))
    outcome = set_initial_no_auth_action_count(0)(scan)(
        scanner, policy(regions=[REGION], types=TYPES, agreement_start="2025-01-01")
    )
    (unit,) = outcome.units
    # either the unit failed naming the denied call, or the tags it could not read are unreadable
    denied_call = missing.split(":", 1)[1].replace("ListAllMyBuckets", "ListBuckets")
    if unit.status == "failed":
        assert unit.error is not None
        assert denied_call in unit.error
    else:
        unreadable = [f for f in outcome.findings if f.verdict is Verdict.UNREADABLE]
        assert unreadable, f"nothing showed that {missing} was denied"
        assert all(denied_call in f.reason for f in unreadable)
