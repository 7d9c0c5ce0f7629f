"""Every declared resource type is found by the scan, whatever its tags (moto, issue 3).

One estate is seeded per module: for each of the types in TYPE_NAMES, a resource tagged
compliant, one with tags but no `map-migrated`, one that never had a tag (all created after
the agreement start), and one that never had a tag created before it. One scan then runs
exactly as the CLI runs it (plan → run_scan; the types moto's Tagging API does not index are
scanned a second time with it denied, resources/__init__.py), and each case below checks what a user sees:
ARN, type, account, region, verdict, reason, and the creation time the scope used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from freezegun import freeze_time
from moto import mock_aws

from maptag.model import Verdict
from maptag.resources.declarations import BY_NAME, TYPE_NAMES, TYPES
from tests.support.faults import Faults
from tests.support.moto_gaps import STUBBED, UNINDEXED_BY_MOTO
from tests.support.moto_seed import ACCOUNT, COMPLIANT, NO_MAP_TAG, SEEDERS, ScanOutcome, policy, scan

# One seeded estate per module: keep its tests on one xdist worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("scan-resources")

REGION = "eu-west-1"
AGREEMENT_START = "2025-01-01"
# Resources are created at fixed moments (freezegun drives moto's clock), so the creation
# time each type reports can be checked exactly.
NEW = datetime(2025, 6, 15, 10, 30, 0, tzinfo=UTC)
OLD = datetime(2024, 3, 1, 8, 0, 0, tzinfo=UTC)

VARIANTS = {
    "compliant": (COMPLIANT, NEW),
    "no-map-tag": (NO_MAP_TAG, NEW),
    "never-tagged": (None, NEW),
    "old": (None, OLD),
}
# Types whose service reports no creation time (Lambda: LastModified changes on every deploy).
# And types whose creation time AWS reports but moto 5.2.5 omits (ECS services and tasks have
# no createdAt there): their dating is tested through the Stubber in resources/test_ecs.py.
MOTO_UNDATED = {"ecs:service", "ecs:task"}
UNDATED = {t.name for t in TYPES if t.created is None} | MOTO_UNDATED
# The types moto models (the others, in STUBBED, are tested in resources/ through Stubber).
SEEDED_TYPES = [name for name in TYPE_NAMES if name in SEEDERS]
# Types whose creation time moto 5.2.5 gives as the day only (EMR Serverless's createdAt): their
# date is checked here, the time through the Stubber in resources/test_emr_serverless.py.
MOTO_DAY_ONLY = {"emr-serverless:application"}


def _name(type_name: str, variant: str) -> str:
    return f"t{TYPE_NAMES.index(type_name)}-{variant}"


@pytest.fixture(scope="module")
def estate() -> Iterator[tuple[dict[tuple[str, str], str], ScanOutcome]]:
    """(seeded ARN per (type, variant), the scan's outcome) for one moto account."""
    with pytest.MonkeyPatch.context() as env:
        # The suite's autouse fixture is per test; this module-scoped estate needs the same.
        for name in list(os.environ):
            if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
                env.delenv(name)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            seeded: dict[tuple[str, str], str] = {}
            for type_name, seeder in SEEDERS.items():
                for variant, (tags, when) in VARIANTS.items():
                    with freeze_time(when):
                        seeded[(type_name, variant)] = seeder(
                            session, REGION, _name(type_name, variant), tags
                        )
            indexed = [name for name in SEEDED_TYPES if name not in UNINDEXED_BY_MOTO]
            outcome = scan(session, policy(regions=[REGION], agreement_start=AGREEMENT_START, types=indexed))
            # moto's Tagging API does not know these types: read their tags with it denied.
            unindexed = [name for name in SEEDED_TYPES if name in UNINDEXED_BY_MOTO]
            if unindexed:
                denied = boto3.Session(region_name=REGION)
                faults = Faults()
                faults.add(lambda r: r.operation == "GetResources", "AccessDeniedException")
                faults.attach(denied)
                more = scan(
                    denied, policy(regions=[REGION], agreement_start=AGREEMENT_START, types=unindexed)
                )
                outcome = ScanOutcome(outcome.findings + more.findings, outcome.units + more.units)
            yield seeded, outcome


def test_every_declared_type_is_seeded_here_or_stubbed() -> None:
    # moto models these; the others are driven through botocore's Stubber (resources/).
    assert set(SEEDERS) | STUBBED == set(TYPE_NAMES)
    assert not set(SEEDERS) & STUBBED
    assert len(TYPE_NAMES) >= 12


def test_the_unit_completes(estate: tuple[dict[tuple[str, str], str], ScanOutcome]) -> None:
    _, outcome = estate
    # One scan, and a second one of the types moto's Tagging API does not index
    assert [(r.unit.account_id, r.unit.region, r.status, r.error) for r in outcome.units] == [
        (ACCOUNT, REGION, "ok", None)
    ] * (2 if set(SEEDED_TYPES) & UNINDEXED_BY_MOTO else 1)


EXPECTED = {
    "compliant": (Verdict.COMPLIANT, "tagged map-migrated=mig12345"),
    "no-map-tag": (Verdict.MISSING, "no 'map-migrated' tag"),
    "never-tagged": (Verdict.MISSING, "no tags at all"),
    "old": (Verdict.EXCLUDED, "created 2024-03-01, before the agreement start 2025-01-01"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("type_name", SEEDED_TYPES)
def test_type_is_found_and_judged(
    estate: tuple[dict[tuple[str, str], str], ScanOutcome], type_name: str, variant: str
) -> None:
    # Given a resource of the type seeded in this variant
    seeded, outcome = estate
    arn = seeded[(type_name, variant)]
    # When the scan ran, then it reports the resource once, with its ARN, type and place
    matches = [f for f in outcome.findings if f.resource.arn == arn]
    assert len(matches) == 1, f"{type_name} {arn} reported {len(matches)} times"
    finding = matches[0]
    assert (finding.resource.type, finding.resource.account_id, finding.resource.region) == (
        type_name,
        ACCOUNT,
        REGION,
    )
    verdict, reason = EXPECTED[variant]
    if type_name in UNDATED and variant == "old":
        # No creation time: never scoped out by date, and the reason says why.
        verdict, reason = Verdict.MISSING, "creation time unknown"
    assert finding.verdict is verdict, finding.reason
    assert reason in finding.reason
    # And the creation time is the one the service reported
    created = finding.resource.created
    if type_name in UNDATED:
        assert created is None
    else:
        assert created is not None
        if type_name in MOTO_DAY_ONLY:
            assert created.date() == VARIANTS[variant][1].date(), created
        else:
            assert abs((created - VARIANTS[variant][1]).total_seconds()) < 1, created


@pytest.mark.parametrize("type_name", SEEDED_TYPES)
def test_no_resource_of_the_type_is_reported_twice(
    estate: tuple[dict[tuple[str, str], str], ScanOutcome], type_name: str
) -> None:
    _, outcome = estate
    found = [f.resource.arn for f in outcome.of_type(type_name)]
    assert len(found) == len(set(found))
    # every reported ARN is of this type's shape
    service = BY_NAME[type_name].name.split(":")[0]
    assert all(arn.startswith(f"arn:aws:{service}:") for arn in found), found
