"""Least privilege, proven under moto's IAM enforcement: a scanner holding exactly
required_actions() reads everything, and without any one of them the scan says so (a failed
unit or unreadable tags), never a silent "missing".

The batched tag read (tag:GetResources) and a type's own tag read are alternatives: either
alone reads every tag; without both, the type's tags are unreadable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from botocore import xform_name
from freezegun import freeze_time
from moto import mock_aws

from maptag.model import Verdict
from maptag.resources.declarations import BY_NAME, TAGGING_API_ACTION, required_actions
from maptag.resources.schema import TaggingApi
from maptag.scan import CALLER_ACTIONS
from tests.support.moto_seed import (
    COMPLIANT,
    SEEDERS,
    ScanOutcome,
    enforced_scan,
    policy,
    scanner_session,
)
from tests.support.wire import Wire

# One seeded estate per module: keep its tests on one xdist worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("scan-permissions")

REGION = "us-east-1"
# The first twelve types (each further type's least privilege is checked in its service's own
# test under tests/integration/resources/). moto's IAM enforcement rejects every signed Lambda
# and EFS request (SignatureDoesNotMatch, whatever the policy), so those two are left out.
FIRST_TYPES = ("ec2:instance", "ec2:volume", "ec2:snapshot", "ec2:image", "rds:db", "rds:cluster")
TYPES = [*FIRST_TYPES, "rds:snapshot", "s3:bucket", "dynamodb:table", "elasticloadbalancing:loadbalancer"]
ACTIONS = required_actions(TYPES, need_created=True)


def _own_tag_read(type_name: str) -> str:
    """The IAM action of a TaggingApi type's own per-resource tag read (its fallback)."""
    rtype = BY_NAME[type_name]
    assert isinstance(rtype.tags, TaggingApi)
    operation = rtype.tags.fallback.operation
    (action,) = [a for a in rtype.actions if xform_name(a.split(":", 1)[1]) == operation]
    return action


# Each type's own tag read, for the types whose tags the Tagging API reads in batches.
OWN_TAG_READS = [_own_tag_read(t) for t in TYPES if isinstance(BY_NAME[t].tags, TaggingApi)]
# Actions needed on their own; the tag reads are needed only together (see the docstring).
ALONE = [a for a in ACTIONS if a != TAGGING_API_ACTION and a not in OWN_TAG_READS]


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
    return scanner_session(session, actions, REGION)


def _scan(scanner: boto3.Session) -> ScanOutcome:
    return enforced_scan(scanner, policy(regions=[REGION], types=TYPES, agreement_start="2025-01-01"))


def _without(*missing: str) -> tuple[str, ...]:
    return tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a not in missing)


@pytest.fixture(scope="module")
def full(session: boto3.Session) -> tuple[ScanOutcome, Wire]:
    """A scan by a scanner holding every required action, and what it sent."""
    scanner = _scanner(session, (*CALLER_ACTIONS, *ACTIONS))
    wire = Wire(scanner)
    return _scan(scanner), wire


def test_the_required_actions_are_enough(full: tuple[ScanOutcome, Wire]) -> None:
    outcome, wire = full
    (unit,) = outcome.units
    assert (unit.status, unit.error) == ("ok", None)
    assert {f.resource.type for f in outcome.findings} == set(TYPES)
    assert unit.totals.unreadable == 0
    assert all(f.verdict is not Verdict.UNREADABLE for f in outcome.findings)
    # and the batched read was allowed: no tag was read one resource at a time
    assert not {"GetBucketTagging", "ListTagsOfResource"} & set(wire.count())


@pytest.mark.parametrize("missing", ALONE)
def test_each_required_action_is_needed_and_its_absence_is_loud(session: boto3.Session, missing: str) -> None:
    outcome = _scan(_scanner(session, _without(missing)))
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


@pytest.mark.parametrize("missing", [TAGGING_API_ACTION, *OWN_TAG_READS])
def test_either_tag_read_alone_reads_every_tag(
    session: boto3.Session, full: tuple[ScanOutcome, Wire], missing: str
) -> None:
    # Given a scanner without the batched read, or without one type's own tag read
    # When it scans
    outcome = _scan(_scanner(session, _without(missing)))
    # Then it sees exactly what a scanner with every action sees
    (unit,) = outcome.units
    assert (unit.status, unit.error, unit.totals.unreadable) == ("ok", None, 0)
    assert {f.resource.arn: (f.verdict, f.reason) for f in outcome.findings} == {
        f.resource.arn: (f.verdict, f.reason) for f in full[0].findings
    }


@pytest.mark.parametrize("own_read", OWN_TAG_READS)
def test_without_both_tag_reads_a_types_tags_are_unreadable(session: boto3.Session, own_read: str) -> None:
    outcome = _scan(_scanner(session, _without(TAGGING_API_ACTION, own_read)))
    (unit,) = outcome.units
    denied_call = own_read.split(":", 1)[1]
    unreadable = [f for f in outcome.findings if f.verdict is Verdict.UNREADABLE]
    assert unreadable, f"nothing showed that {own_read} and {TAGGING_API_ACTION} were denied"
    assert all(denied_call in f.reason for f in unreadable)
    # the other types read their tags one by one: only this type's are unreadable
    assert {f.resource.type for f in unreadable} == {
        t for t in TYPES if isinstance(BY_NAME[t].tags, TaggingApi) and _own_tag_read(t) == own_read
    }
    assert unit.status == "ok"
