"""CloudFront distributions: a global type, tags in batches through the Tagging API.

Listing and the batched tag read run on moto; the fallback when the Tagging API is denied is
driven through botocore's Stubber (moto's IAM enforcement rejects CloudFront's signed requests
whatever the policy), with answers validated against the CloudFront and Tagging API models.
"""

from __future__ import annotations

import boto3
from moto import mock_aws

from maptag.aws import Clients
from maptag.model import Verdict
from maptag.resources.collector import UnitContext, collect
from maptag.resources.declarations import BY_NAME
from tests.support.moto_seed import ACCOUNT, COMPLIANT, NO_MAP_TAG, SEEDERS
from tests.support.stubbed import StubbedAws
from tests.support.wire import Wire

DISTRIBUTION = BY_NAME["cloudfront:distribution"]


def test_distributions_are_global_and_their_tags_read_in_one_batch() -> None:
    assert DISTRIBUTION.is_global
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seeded = {
            SEEDERS["cloudfront:distribution"](session, "us-east-1", name, tags): tags
            for name, tags in (("shop", COMPLIANT), ("blog", NO_MAP_TAG), ("static", None))
        }
        wire = Wire(session)
        ctx = UnitContext(Clients(session, "us-east-1"), ACCOUNT, "us-east-1", need_created=True)
        found = {r.arn: r for r in collect(DISTRIBUTION, ctx)}
    assert {arn: r.tags for arn, r in found.items()} == {
        arn: dict(tags or {}) for arn, tags in seeded.items()
    }
    # the ARN names no region (a global service), the creation time is unknown
    assert all(arn.startswith(f"arn:aws:cloudfront::{ACCOUNT}:distribution/") for arn in found)
    assert all(r.region == "us-east-1" and r.created is None for r in found.values())
    assert wire.count()["GetResources"] == 1
    assert wire.count()["ListTagsForResource"] == 0


def test_without_the_tagging_api_each_distributions_tags_are_read() -> None:
    aws = StubbedAws("us-east-1")
    arn = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2QWRUHEXAMPLE"
    aws.answer(
        "cloudfront",
        "list_distributions",
        {
            "DistributionList": {
                "Marker": "",
                "MaxItems": 100,
                "IsTruncated": False,
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "E2QWRUHEXAMPLE",
                        "ARN": arn,
                        "Status": "Deployed",
                        "LastModifiedTime": "2025-06-15T10:30:00Z",
                        "DomainName": "d111111abcdef8.cloudfront.net",
                        "Aliases": {"Quantity": 0},
                        "Origins": {
                            "Quantity": 1,
                            "Items": [{"Id": "o", "DomainName": "origin.example.com"}],
                        },
                        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
                        "CacheBehaviors": {"Quantity": 0},
                        "CustomErrorResponses": {"Quantity": 0},
                        "Comment": "",
                        "PriceClass": "PriceClass_All",
                        "Enabled": True,
                        "ViewerCertificate": {},
                        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
                        "WebACLId": "",
                        "HttpVersion": "http2",
                        "IsIPV6Enabled": True,
                        "Staging": False,
                    }
                ],
            }
        },
        {"MaxItems": "100"},
    )
    aws.fail("resourcegroupstaggingapi", "get_resources", "AccessDeniedException", 400)
    aws.answer(
        "cloudfront",
        "list_tags_for_resource",
        {"Tags": {"Items": [{"Key": "map-migrated", "Value": "mig12345"}]}},
        {"Resource": arn},
    )
    outcome = aws.scan(["cloudfront:distribution"])
    assert outcome.verdicts() == {arn: Verdict.COMPLIANT}
