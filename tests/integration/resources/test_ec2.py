"""EC2 networking: what the generic resource test (test_every_type.py) does not cover.

Capacity reservations are driven through botocore's Stubber: moto 5.2.5 does not implement
DescribeCapacityReservations (docs/toolchain.md). The other types run in moto: dead states are
skipped, a gateway shared by another account is its owner's, and a scanner holding exactly the
declared actions reads everything while any one missing fails the unit, loudly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from freezegun import freeze_time
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders import ec2 as seeders
from maptag.model import Verdict
from maptag.resources.declarations import required_actions
from maptag.scan import CALLER_ACTIONS
from tests.support.moto_seed import (
    ACCOUNT,
    COMPLIANT,
    NO_MAP_TAG,
    ScanOutcome,
    enforced_scan,
    policy,
    scan,
    scanner_session,
)
from tests.support.stubbed import StubbedAws

REGION = "eu-west-1"
OTHER_ACCOUNT = "210987654321"
NEW = datetime(2025, 6, 1, tzinfo=UTC)
OLD = datetime(2024, 6, 1, tzinfo=UTC)
MOTO_TYPES = sorted(seeders.SEEDERS)


def _reservation(
    number: int, state: str, created: datetime, tags: dict[str, str] | None, owner: str = ACCOUNT
) -> dict[str, object]:
    reservation_id = f"cr-{number:017x}"
    item: dict[str, object] = {
        "CapacityReservationId": reservation_id,
        "OwnerId": owner,
        "CapacityReservationArn": f"arn:aws:ec2:{REGION}:{owner}:capacity-reservation/{reservation_id}",
        "InstanceType": "m5.large",
        "State": state,
        "CreateDate": created,
    }
    if tags is not None:
        item["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return item


def test_capacity_reservations_are_listed_page_by_page_and_judged() -> None:
    # Given two pages of capacity reservations (the largest page, 1000, asked for each)
    aws = StubbedAws(region=REGION)
    first = [
        _reservation(1, "active", NEW, COMPLIANT),
        _reservation(2, "active", NEW, NO_MAP_TAG),
        _reservation(3, "scheduled", NEW, None),
    ]
    second = [
        _reservation(4, "active", OLD, None),
        _reservation(5, "cancelled", NEW, None),
        _reservation(6, "expired", NEW, None),
        _reservation(7, "active", NEW, None, owner=OTHER_ACCOUNT),
    ]
    aws.answer(
        "ec2",
        "describe_capacity_reservations",
        {"CapacityReservations": first, "NextToken": "page-2"},
        {"MaxResults": 1000},
    )
    aws.answer(
        "ec2",
        "describe_capacity_reservations",
        {"CapacityReservations": second},
        {"MaxResults": 1000, "NextToken": "page-2"},
    )
    # When the unit is scanned
    outcome = aws.scan(["ec2:capacity-reservation"], agreement_start="2025-01-01")
    # Then the live reservations of this account are judged by their own tags and dates
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    found = {arn.rsplit("/", 1)[1]: (f.verdict, f.reason) for arn, f in outcome.by_arn().items()}
    assert set(found) == {f"cr-{n:017x}" for n in (1, 2, 3, 4)}
    assert found[f"cr-{1:017x}"][0] is Verdict.COMPLIANT
    assert found[f"cr-{2:017x}"] == (Verdict.MISSING, found[f"cr-{2:017x}"][1])
    assert "no 'map-migrated' tag" in found[f"cr-{2:017x}"][1]
    assert "no tags at all" in found[f"cr-{3:017x}"][1]
    assert found[f"cr-{4:017x}"][0] is Verdict.EXCLUDED
    assert "created 2024-06-01, before the agreement start 2025-01-01" in found[f"cr-{4:017x}"][1]
    # (cancelled and expired ones earn nothing; the one shared by another account is its owner's)
    finding = outcome.by_arn()[f"arn:aws:ec2:{REGION}:{ACCOUNT}:capacity-reservation/cr-{1:017x}"]
    assert (finding.resource.type, finding.resource.account_id, finding.resource.region) == (
        "ec2:capacity-reservation",
        ACCOUNT,
        REGION,
    )
    assert finding.resource.created == NEW


def test_a_capacity_reservation_listing_that_fails_fails_the_unit_loudly() -> None:
    aws = StubbedAws(region=REGION)
    aws.fail("ec2", "describe_capacity_reservations", "UnauthorizedOperation", 403)
    outcome = aws.scan(["ec2:capacity-reservation"])
    assert outcome.unit.status == "failed"
    assert outcome.unit.error is not None
    assert "ec2:capacity-reservation" in outcome.unit.error
    assert "UnauthorizedOperation" in outcome.unit.error
    assert outcome.findings == []


def test_a_transit_gateway_shared_by_another_account_is_its_owners() -> None:
    # DescribeTransitGateways lists the gateways shared with the account through RAM too.
    aws = StubbedAws(region=REGION)

    def gateway(owner: str, gateway_id: str) -> dict[str, object]:
        return {
            "TransitGatewayId": gateway_id,
            "TransitGatewayArn": f"arn:aws:ec2:{REGION}:{owner}:transit-gateway/{gateway_id}",
            "OwnerId": owner,
            "State": "available",
            "CreationTime": NEW,
        }

    aws.answer(
        "ec2",
        "describe_transit_gateways",
        {
            "TransitGateways": [
                gateway(ACCOUNT, "tgw-0000000000000000a"),
                gateway(OTHER_ACCOUNT, "tgw-0000000000000000b"),
            ]
        },
        {"MaxResults": 1000},
    )
    outcome = aws.scan(["ec2:transit-gateway"])
    assert list(outcome.by_arn()) == [f"arn:aws:ec2:{REGION}:{ACCOUNT}:transit-gateway/tgw-0000000000000000a"]


def test_a_dedicated_host_shared_by_another_account_is_its_owners() -> None:
    # DescribeHosts lists the hosts shared with the account through RAM too; a host has no ARN.
    aws = StubbedAws(region=REGION)

    def host(owner: str, host_id: str) -> dict[str, object]:
        return {"HostId": host_id, "OwnerId": owner, "State": "available", "AllocationTime": NEW}

    hosts = [host(ACCOUNT, "h-0000000000000000a"), host(OTHER_ACCOUNT, "h-0000000000000000b")]
    aws.answer("ec2", "describe_hosts", {"Hosts": hosts}, {"MaxResults": 500})
    outcome = aws.scan(["ec2:dedicated-host"])
    assert list(outcome.by_arn()) == [f"arn:aws:ec2:{REGION}:{ACCOUNT}:dedicated-host/h-0000000000000000a"]


@pytest.fixture
def context() -> Iterator[SeedContext]:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        yield SeedContext(session, REGION, ACCOUNT)


def test_dead_networking_resources_are_not_reported(context: SeedContext) -> None:
    # Given one live and one deleted (or released) resource of each type moto can delete
    ec2 = context.client("ec2")
    live = {name: seed(context, f"live-{name}", COMPLIANT) for name, seed in seeders.SEEDERS.items()}
    dead = {
        "ec2:natgateway": seeders.nat_gateway(context, "dead", None),
        "ec2:transit-gateway": seeders.transit_gateway(context, "dead", None),
        "ec2:vpc-endpoint": seeders.vpc_endpoint(context, "dead", None),
        "ec2:vpn-connection": seeders.vpn_connection(context, "dead", None),
        "ec2:dedicated-host": seeders.dedicated_host(context, "dead", None),
    }
    resource_id = {name: arn.rsplit("/", 1)[1] for name, arn in dead.items()}
    ec2.delete_nat_gateway(NatGatewayId=resource_id["ec2:natgateway"])
    ec2.delete_transit_gateway(TransitGatewayId=resource_id["ec2:transit-gateway"])
    ec2.delete_vpc_endpoints(VpcEndpointIds=[resource_id["ec2:vpc-endpoint"]])
    ec2.delete_vpn_connection(VpnConnectionId=resource_id["ec2:vpn-connection"])
    ec2.release_hosts(HostIds=[resource_id["ec2:dedicated-host"]])
    # and a gateway endpoint, which costs nothing
    free = ec2.create_vpc_endpoint(
        VpcId=ec2.describe_vpcs()["Vpcs"][0]["VpcId"],
        VpcEndpointType="Gateway",
        ServiceName=f"com.amazonaws.{REGION}.s3",
    )["VpcEndpoint"]["VpcEndpointId"]
    dead["free gateway endpoint"] = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-endpoint/{free}"
    # When the unit is scanned
    outcome = scan(context.session, policy(regions=[REGION], types=MOTO_TYPES))
    # Then every live one is reported and no dead (or free) one is
    reported = outcome.by_arn()
    assert set(live.values()) <= set(reported)
    assert not set(dead.values()) & set(reported), "a deleted resource was reported"
    assert all(reported[arn].verdict is Verdict.COMPLIANT for arn in live.values())


@pytest.fixture
def seeded() -> Iterator[tuple[boto3.Session, dict[str, str]]]:
    """One compliant resource of each moto-modelled networking type, and its ARN by type."""
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        context = SeedContext(session, REGION, ACCOUNT)
        with freeze_time(NEW):
            made = {name: seed(context, f"perm-{name}", COMPLIANT) for name, seed in seeders.SEEDERS.items()}
        yield session, made


ACTIONS = required_actions(MOTO_TYPES, need_created=True)


def _scan_with(session: boto3.Session, actions: tuple[str, ...]) -> ScanOutcome:
    scanner = scanner_session(session, actions, REGION)
    return enforced_scan(scanner, policy(regions=[REGION], types=MOTO_TYPES, agreement_start="2025-01-01"))


def test_the_declared_actions_are_enough_under_iam_enforcement(
    seeded: tuple[boto3.Session, dict[str, str]],
) -> None:
    session, made = seeded
    outcome = _scan_with(session, (*CALLER_ACTIONS, *ACTIONS))
    (unit,) = outcome.units
    assert (unit.status, unit.error) == ("ok", None)
    verdicts = {arn: f.verdict for arn, f in outcome.by_arn().items() if arn in made.values()}
    assert verdicts == dict.fromkeys(made.values(), Verdict.COMPLIANT)


@pytest.mark.parametrize("missing", ACTIONS)
def test_without_any_declared_action_the_unit_fails_naming_it(
    seeded: tuple[boto3.Session, dict[str, str]], missing: str
) -> None:
    session, _ = seeded
    outcome = _scan_with(session, tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a != missing))
    (unit,) = outcome.units
    assert unit.status == "failed"
    assert unit.error is not None
    assert missing.split(":", 1)[1] in unit.error
