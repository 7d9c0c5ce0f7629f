"""ECR repositories: least privilege and region attribution (moto)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from maptag.model import Verdict
from tests.integration.moto_seed import COMPLIANT, SEEDERS, policy, scan
from tests.integration.resources.privileges import assert_least_privilege


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
