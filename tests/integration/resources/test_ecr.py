"""ECR repositories: least privilege and region attribution (moto)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from maptag.model import Verdict
from tests.support.moto_seed import ACCOUNT, COMPLIANT, SEEDERS, policy, scan
from tests.support.privileges import assert_least_privilege
from tests.support.stubbed import StubbedAws


def test_least_privilege() -> None:
    assert_least_privilege(["ecr:repository"])


def test_each_repository_is_reported_by_its_own_regions_unit_only() -> None:
    with mock_aws():
        session = boto3.Session(region_name="eu-west-1")
        dublin = SEEDERS["ecr:repository"](session, "eu-west-1", "orders", COMPLIANT)
        virginia = SEEDERS["ecr:repository"](session, "us-east-1", "billing", None)
        outcome = scan(session, policy(regions=["eu-west-1", "us-east-1"], types=["ecr:repository"]))
    assert {(f.resource.arn, f.resource.region, f.verdict) for f in outcome.findings} == {
        (dublin, "eu-west-1", Verdict.COMPLIANT),
        (virginia, "us-east-1", Verdict.MISSING),
    }


def test_a_repository_gone_before_its_tags_are_read_is_not_reported() -> None:
    # moto cannot delete between two calls of one scan: botocore's Stubber (answers validated
    # against the ECR model) plays the race
    aws = StubbedAws("eu-west-1")
    arns = [f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/{name}" for name in ("kept", "gone")]
    aws.answer(
        "ecr",
        "describe_repositories",
        {"repositories": [{"repositoryArn": arn, "repositoryName": arn.rsplit("/", 1)[-1]} for arn in arns]},
        {"maxResults": 1000},
    )
    aws.answer("ecr", "list_tags_for_resource", {"tags": [{"Key": "map-migrated", "Value": "mig12345"}]})
    aws.fail("ecr", "list_tags_for_resource", "RepositoryNotFoundException", 400)
    outcome = aws.scan(["ecr:repository"])
    assert (outcome.unit.status, outcome.unit.error) == ("ok", None)
    assert outcome.verdicts() == {arns[0]: Verdict.COMPLIANT}
