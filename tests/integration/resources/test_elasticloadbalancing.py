"""Classic load balancers, reported under `elasticloadbalancing:loadbalancer` beside ELBv2's.

resources/test_every_type.py seeds ELBv2 load balancers for the type; this module covers the Classic ones
(their own API, `elb`, listed 400 a page, tags read 20 names a DescribeTags call) in moto:
found whatever their tags, dated, batched, selected by the one type name, and read with the
type's declared actions only (moto's IAM enforcement).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from freezegun import freeze_time
from moto import mock_aws

from maptag.model import Verdict
from maptag.resources.declarations import required_actions
from maptag.scan import CALLER_ACTIONS
from tests.support.moto_seed import (
    ACCOUNT,
    COMPLIANT,
    NO_MAP_TAG,
    Tags,
    enforced_scan,
    policy,
    scan,
    scanner_session,
    seed_load_balancer,
)
from tests.support.wire import Wire

REGION = "eu-west-1"
TYPE = "elasticloadbalancing:loadbalancer"
NEW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
OLD = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
# More Classic load balancers than one DescribeTags call takes (20 names)
COUNT = 25
# A seeded load balancer's tags, cycled, and what a user must see for each.
VARIANTS: tuple[tuple[Tags, Verdict, str], ...] = (
    (COMPLIANT, Verdict.COMPLIANT, "tagged map-migrated=mig12345"),
    (NO_MAP_TAG, Verdict.MISSING, "no 'map-migrated' tag"),
    (None, Verdict.MISSING, "no tags at all"),
)


def _classic(session: boto3.Session, name: str, tags: Tags) -> str:
    session.client("elb", region_name=REGION).create_load_balancer(
        LoadBalancerName=name,
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
        AvailabilityZones=[f"{REGION}a"],
        **({"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}),
    )
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{name}"


@pytest.fixture
def estate() -> Iterator[tuple[boto3.Session, dict[str, int], str, str]]:
    """(session, Classic ARNs with their variant, an old Classic ARN, an ELBv2 ARN)."""
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        with freeze_time(NEW):
            classic = {_classic(session, f"classic-{n:02d}", VARIANTS[n % 3][0]): n % 3 for n in range(COUNT)}
            v2 = seed_load_balancer(session, REGION, "application", COMPLIANT)
        with freeze_time(OLD):
            old = _classic(session, "classic-old", None)
        yield session, classic, old, v2


def test_classic_load_balancers_are_reported_under_the_load_balancer_type(
    estate: tuple[boto3.Session, dict[str, int], str, str],
) -> None:
    # Given Classic load balancers (tagged, untagged, never tagged, old) and an ELBv2 one
    session, classic, old, v2 = estate
    wire = Wire(session)
    # When the one type is scanned
    outcome = scan(session, policy(regions=[REGION], types=[TYPE], agreement_start="2025-01-01"))
    # Then both kinds are reported under it, each judged by its own tags and date
    assert (outcome.units[0].status, outcome.units[0].error) == ("ok", None)
    found = outcome.by_arn()
    assert set(found) == {*classic, old, v2}
    for arn, variant in classic.items():
        _, verdict, reason = VARIANTS[variant]
        assert found[arn].verdict is verdict, found[arn].reason
        assert reason in found[arn].reason
        assert found[arn].resource.type == TYPE
        assert found[arn].resource.resource_id == arn.rsplit("/", 1)[1]
        assert found[arn].resource.created == NEW
    assert found[old].verdict is Verdict.EXCLUDED
    assert "created 2024-06-01, before the agreement start" in found[old].reason
    assert found[v2].verdict is Verdict.COMPLIANT
    # and the Classic tags were read 20 names a call
    classic_reads = [s for s in wire.of("DescribeTags") if b"LoadBalancerNames" in s.body]
    assert len(classic_reads) == math.ceil((COUNT + 1) / 20)


ACTIONS = required_actions([TYPE], need_created=True)


@pytest.mark.parametrize("missing", [None, *ACTIONS])
def test_the_declared_actions_read_classic_load_balancers_and_each_is_needed(
    estate: tuple[boto3.Session, dict[str, int], str, str], missing: str | None
) -> None:
    # Given a scanner holding exactly the type's actions (or all but one)
    session, classic, _, _ = estate
    actions = tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a != missing)
    # When it scans
    outcome = enforced_scan(scanner_session(session, actions, REGION), policy(regions=[REGION], types=[TYPE]))
    (unit,) = outcome.units
    if missing is None:
        # Then with all of them it reads every Classic load balancer's tags
        assert (unit.status, unit.error) == ("ok", None)
        assert all(outcome.by_arn()[arn].verdict is not Verdict.UNREADABLE for arn in classic)
        return
    # Then without one the unit fails naming the call, or the tags it could not read are unreadable
    call = missing.split(":", 1)[1]
    if unit.status == "failed":
        assert unit.error is not None
        assert call in unit.error
    else:
        unreadable = [f for f in outcome.findings if f.verdict is Verdict.UNREADABLE]
        assert {f.resource.arn for f in unreadable} >= set(classic)
        assert all(call in f.reason for f in unreadable)
