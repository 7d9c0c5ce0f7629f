"""Private CA certificate authorities: deleted CAs left out, least privilege (moto)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from maptag.model import Verdict
from tests.support.moto_seed import COMPLIANT, SEEDERS, policy, scan
from tests.support.privileges import assert_least_privilege

REGION = "eu-west-1"


def test_least_privilege() -> None:
    assert_least_privilege(["acm-pca:certificate-authority"])


def test_a_deleted_ca_is_not_scanned() -> None:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        kept = SEEDERS["acm-pca:certificate-authority"](session, REGION, "kept", COMPLIANT)
        deleted = SEEDERS["acm-pca:certificate-authority"](session, REGION, "deleted", None)
        pca = session.client("acm-pca")
        pca.delete_certificate_authority(CertificateAuthorityArn=deleted)
        # still listed by the service (restorable), as DELETED
        listed = {
            ca["Arn"]: ca["Status"] for ca in pca.list_certificate_authorities()["CertificateAuthorities"]
        }
        assert listed[deleted] == "DELETED"
        outcome = scan(session, policy(regions=[REGION], types=["acm-pca:certificate-authority"]))
    assert {f.resource.arn: f.verdict for f in outcome.findings} == {kept: Verdict.COMPLIANT}
