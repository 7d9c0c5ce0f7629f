"""Secrets Manager secrets: inline tags, deleted secrets left out, least privilege (moto)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from maptag.model import Verdict
from tests.support.moto_seed import COMPLIANT, SEEDERS, policy, scan
from tests.support.privileges import assert_least_privilege

REGION = "eu-west-1"


def test_least_privilege() -> None:
    assert_least_privilege(["secretsmanager:secret"])


def test_a_secret_scheduled_for_deletion_is_not_scanned() -> None:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        kept = SEEDERS["secretsmanager:secret"](session, REGION, "kept", COMPLIANT)
        going = SEEDERS["secretsmanager:secret"](session, REGION, "going", None)
        session.client("secretsmanager").delete_secret(SecretId=going, RecoveryWindowInDays=7)
        outcome = scan(session, policy(regions=[REGION], types=["secretsmanager:secret"]))
    assert {f.resource.arn: f.verdict for f in outcome.findings} == {kept: Verdict.COMPLIANT}
