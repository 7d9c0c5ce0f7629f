"""Route 53 hosted zones: a global type, tags read ten zones a call (moto).

moto's IAM enforcement rejects Route 53's signed requests whatever the policy, so least
privilege is not checked here; the declaration's actions are checked against the model
(tests/unit/resources/test_declarations.py).
"""

from __future__ import annotations

import boto3
from moto import mock_aws

from maptag.aws import Clients
from maptag.model import Verdict
from maptag.resources.collector import UnitContext, collect
from maptag.resources.declarations import BY_NAME
from tests.support.moto_seed import ACCOUNT, COMPLIANT, NO_MAP_TAG, SEEDERS, policy, scan
from tests.support.wire import Wire


def test_twelve_zones_are_read_in_two_tag_calls_under_their_ids() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        tags = [COMPLIANT, NO_MAP_TAG, None]
        seeded = {
            SEEDERS["route53:hostedzone"](session, "us-east-1", f"zone{n}", tags[n % 3]): n % 3
            for n in range(12)
        }
        wire = Wire(session)
        outcome = scan(session, policy(regions=["us-east-1"], types=["route53:hostedzone"]))
    expected = {0: Verdict.COMPLIANT, 1: Verdict.MISSING, 2: Verdict.MISSING}
    assert {f.resource.arn: f.verdict for f in outcome.findings} == {
        arn: expected[k] for arn, k in seeded.items()
    }
    # ListTagsForResources takes at most 10 zones: 12 zones, two calls
    assert wire.count()["ListTagsForResources"] == 2
    # the zone's id, not ListHostedZones' "/hostedzone/<id>"
    assert all(f.resource.resource_id == f.resource.arn.rsplit("/", 1)[-1] for f in outcome.findings)
    assert all(not f.resource.resource_id.startswith("/") for f in outcome.findings)


def test_a_zone_is_global_its_arn_names_no_region_or_account() -> None:
    # The lead's scan lists global types once per account, in us-east-1: the collector, run
    # there, reports each zone with an ARN that names no region and so is never dropped.
    assert BY_NAME["route53:hostedzone"].is_global
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        arn = SEEDERS["route53:hostedzone"](session, "us-east-1", "corp", COMPLIANT)
        ctx = UnitContext(Clients(session, "us-east-1"), ACCOUNT, "us-east-1", need_created=False)
        (resource,) = collect(BY_NAME["route53:hostedzone"], ctx)
    assert arn.startswith("arn:aws:route53:::hostedzone/")
    assert (resource.arn, resource.region, resource.created) == (arn, "us-east-1", None)
    assert resource.tags == COMPLIANT
