"""Least privilege of the database & analytics types moto models, under moto's IAM enforcement:
a scanner holding exactly required_actions([type], True) reads every resource of the type, and
without the type's list call the unit fails, naming the type (never a silent zero).

The types moto's Tagging API does not index (resources/__init__.py) are scanned with it denied,
so their own tag read is what is proven enough here. moto's IAM enforcement rejects every signed
OpenSearch and MSK request (SignatureDoesNotMatch even under an Allow "*" policy, as for Lambda
and EFS in scan/test_permissions.py), so es:domain and kafka:cluster are left out: their
actions are still checked against botocore's models (tests/unit/resources/test_declarations.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from freezegun import freeze_time
from moto import mock_aws

from maptag.model import Verdict
from maptag.resources.declarations import BY_NAME, TAGGING_API_ACTION, required_actions
from maptag.scan import CALLER_ACTIONS
from tests.support.faults import Faults
from tests.support.moto_gaps import UNINDEXED_BY_MOTO
from tests.support.moto_seed import COMPLIANT, SEEDERS, ScanOutcome, enforced_scan, policy, scanner_session

pytestmark = pytest.mark.xdist_group("dba-permissions")

REGION = "us-east-1"
TYPES = [
    "rds:cluster-snapshot",
    "rds:db-proxy",
    "elasticache:cluster",
    "elasticache:replicationgroup",
    "memorydb:cluster",
    "dax:cache",
    "redshift:cluster",
    "kinesis:stream",
    "firehose:deliverystream",
    "glue:job",
    "glue:crawler",
    "dms:rep",
]


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[boto3.Session, dict[str, str]]]:
    """One account with a compliant resource of each type: (admin session, ARN by type)."""
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
                env.delenv(name)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            with freeze_time("2025-06-01"):
                arns = {
                    name: SEEDERS[name](session, REGION, f"perm{n}", COMPLIANT)
                    for n, name in enumerate(TYPES)
                }
            yield session, arns


def _scan_as(session: boto3.Session, type_name: str, actions: tuple[str, ...]) -> ScanOutcome:
    scanner = scanner_session(session, actions, REGION)
    if type_name in UNINDEXED_BY_MOTO:
        faults = Faults()
        faults.add(lambda r: r.operation == "GetResources", "AccessDeniedException")
        faults.attach(scanner)
    return enforced_scan(scanner, policy(regions=[REGION], types=[type_name], agreement_start="2025-01-01"))


@pytest.mark.parametrize("type_name", TYPES)
def test_exactly_the_required_actions_read_everything(
    seeded: tuple[boto3.Session, dict[str, str]], type_name: str
) -> None:
    session, arns = seeded
    outcome = _scan_as(session, type_name, (*CALLER_ACTIONS, *required_actions([type_name], True)))
    [unit] = outcome.units
    assert (unit.status, unit.error) == ("ok", None), unit.error
    found = outcome.by_arn()
    assert found[arns[type_name]].verdict is Verdict.COMPLIANT, found[arns[type_name]].reason


@pytest.mark.parametrize("type_name", TYPES)
def test_without_its_list_call_the_unit_fails_naming_the_type(
    seeded: tuple[boto3.Session, dict[str, str]], type_name: str
) -> None:
    session, _ = seeded
    listing = BY_NAME[type_name].actions[0]
    actions = tuple(a for a in required_actions([type_name], True) if a != listing)
    outcome = _scan_as(session, type_name, (*CALLER_ACTIONS, *actions))
    [unit] = outcome.units
    assert unit.status == "failed"
    assert type_name in (unit.error or "")
    assert outcome.findings == []


@pytest.mark.parametrize("type_name", [t for t in TYPES if TAGGING_API_ACTION in BY_NAME[t].actions])
def test_without_any_tag_read_the_tags_are_unreadable(
    seeded: tuple[boto3.Session, dict[str, str]], type_name: str
) -> None:
    session, arns = seeded
    own = BY_NAME[type_name].actions[-1]
    actions = tuple(a for a in required_actions([type_name], True) if a not in (own, TAGGING_API_ACTION))
    outcome = _scan_as(session, type_name, (*CALLER_ACTIONS, *actions))
    finding = outcome.by_arn()[arns[type_name]]
    assert finding.verdict is Verdict.UNREADABLE, finding.reason
