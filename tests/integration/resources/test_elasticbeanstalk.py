"""Elastic Beanstalk environments: tags read through the Tagging API 100 at a time, or one
environment at a time when it is denied, and least privilege (moto, with its IAM enforcement);
terminated environments through botocore's Stubber (moto cannot terminate one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from maptag.local.seeders import SeedContext
from maptag.local.seeders.elasticbeanstalk import environment
from maptag.model import Verdict
from maptag.resources.declarations import TAGGING_API_ACTION, required_actions
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
from tests.support.wire import Wire

REGION = "eu-west-1"
TYPE = "elasticbeanstalk:environment"
ACTIONS = required_actions([TYPE], need_created=True)
OWN_READ = "elasticbeanstalk:ListTagsForResource"
NEW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def estate() -> Iterator[tuple[boto3.Session, dict[str, Verdict]]]:
    """Environments tagged, untagged and never tagged, and their expected verdicts."""
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        context = SeedContext(session, REGION, ACCOUNT)
        made = {
            environment(context, "web-prod", COMPLIANT): Verdict.COMPLIANT,
            environment(context, "web-test", NO_MAP_TAG): Verdict.MISSING,
            environment(context, "worker", None): Verdict.MISSING,
        }
        yield session, made


def _scan(session: boto3.Session, actions: tuple[str, ...]) -> ScanOutcome:
    return enforced_scan(scanner_session(session, actions, REGION), policy(regions=[REGION], types=[TYPE]))


def test_tags_are_read_in_one_tagging_api_call(estate: tuple[boto3.Session, dict[str, Verdict]]) -> None:
    session, made = estate
    wire = Wire(session)
    outcome = scan(session, policy(regions=[REGION], types=[TYPE]))
    assert {arn: f.verdict for arn, f in outcome.by_arn().items()} == made
    assert wire.count()["GetResources"] == 1
    assert wire.count()["ListTagsForResource"] == 0


def test_terminating_and_terminated_environments_are_not_reported() -> None:
    # moto cannot terminate an environment: botocore's Stubber gives the answers AWS would.
    aws = StubbedAws(region=REGION)

    def env(name: str, status: str) -> dict[str, object]:
        arn = f"arn:aws:elasticbeanstalk:{REGION}:{ACCOUNT}:environment/shop/{name}"
        return {"EnvironmentName": name, "EnvironmentArn": arn, "Status": status, "DateCreated": NEW}

    listed = [env("web-prod", "Ready"), env("web-old", "Terminated"), env("web-going", "Terminating")]
    aws.answer(
        "elasticbeanstalk",
        "describe_environments",
        {"Environments": listed},
        {"IncludeDeleted": False, "MaxRecords": 1000},
    )
    web = str(listed[0]["EnvironmentArn"])
    aws.answer(
        "resourcegroupstaggingapi",
        "get_resources",
        {
            "ResourceTagMappingList": [
                {"ResourceARN": web, "Tags": [{"Key": "map-migrated", "Value": "mig12345"}]}
            ]
        },
        {"ResourceARNList": [web]},
    )
    outcome = aws.scan([TYPE])
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    assert [(arn, f.verdict) for arn, f in outcome.by_arn().items()] == [(web, Verdict.COMPLIANT)]


@pytest.mark.parametrize("missing", [None, TAGGING_API_ACTION, OWN_READ])
def test_either_tag_read_alone_reads_every_tag(
    estate: tuple[boto3.Session, dict[str, Verdict]], missing: str | None
) -> None:
    session, made = estate
    outcome = _scan(session, tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a != missing))
    (unit,) = outcome.units
    assert (unit.status, unit.error) == ("ok", None)
    assert {arn: f.verdict for arn, f in outcome.by_arn().items()} == made


def test_without_both_tag_reads_the_tags_are_unreadable_and_the_listing_is_needed(
    estate: tuple[boto3.Session, dict[str, Verdict]],
) -> None:
    session, made = estate
    outcome = _scan(
        session, tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a not in (TAGGING_API_ACTION, OWN_READ))
    )
    assert {arn: f.verdict for arn, f in outcome.by_arn().items()} == dict.fromkeys(made, Verdict.UNREADABLE)
    assert all("ListTagsForResource" in f.reason for f in outcome.findings)
    listing = "elasticbeanstalk:DescribeEnvironments"
    (unit,) = _scan(session, tuple(a for a in (*CALLER_ACTIONS, *ACTIONS) if a != listing)).units
    assert unit.status == "failed"
    assert unit.error is not None
    assert "DescribeEnvironments" in unit.error
