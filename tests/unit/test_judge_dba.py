"""The database & analytics prefix rule and the legacy DB&A forms (issue 9).

MAP 2.0 tagging guide, "Database and analytic tags" (docs/map-tagging-rules.md): `comm`,
`comm_ec2_` and `mig_ec2_` values belong on database & analytics destinations only; an EC2
destination (instances, their volumes, snapshots, AMIs) takes `mig` even when the workload is a
database, and so do the other non-DB&A types. The v0 guide's DB&A forms are recognised with
--accept-legacy.
"""

from __future__ import annotations

import pytest

from maptag.judge import judge
from maptag.model import Verdict
from maptag.policy import Policy
from maptag.resources.declarations import BY_NAME

BARE = Policy.build(mpe_ids=["12345"], regions=["us-east-1"])
LEGACY = Policy.build(mpe_ids=["12345"], regions=["us-east-1"], accept_legacy=True)
SOURCE = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
C, M, BAD = Verdict.COMPLIANT, Verdict.MISSING, Verdict.INVALID_VALUE


@pytest.mark.parametrize("value", ["comm12345", "comm_ec2_12345", "mig_ec2_12345"])
def test_a_dba_prefix_on_an_ec2_volume_is_invalid_and_says_mig_fits(value: str) -> None:
    # Guide: an EC2 destination takes `mig` even when the workload is a database.
    judgement = judge({"map-migrated": value}, BARE, dba=BY_NAME["ec2:volume"].dba)
    assert judgement.verdict is BAD
    assert (
        f"prefix '{value.removesuffix('12345')}' marks a database & analytics destination" in judgement.reason
    )
    assert "takes 'mig12345'" in judgement.reason
    assert judgement.fix == "set the value to 'mig12345'"


@pytest.mark.parametrize("value", ["comm12345", "comm_ec2_12345", "mig_ec2_12345", "mig12345"])
def test_dba_prefixes_and_mig_are_compliant_on_an_rds_instance(value: str) -> None:
    # Guide: on-premises commercial DB → AWS DB&A service: comm; EC2 DB → DB&A: comm_ec2_/mig_ec2_;
    # non-commercial: mig.
    judgement = judge({"map-migrated": value}, BARE, dba=BY_NAME["rds:db"].dba)
    assert (judgement.verdict, judgement.reason) == (C, f"tagged map-migrated={value}")


def test_the_declarations_say_which_types_are_dba_destinations() -> None:
    assert BY_NAME["rds:db"].dba
    assert BY_NAME["dynamodb:table"].dba
    assert not BY_NAME["ec2:instance"].dba
    assert not BY_NAME["ec2:volume"].dba
    assert not BY_NAME["s3:bucket"].dba


def test_a_correct_tag_beside_a_near_miss_key_is_compliant_and_names_the_stray_key() -> None:
    judgement = judge({"map-migrated": "mig12345", "Map-Migrated": "mig12345"}, BARE, dba=False)
    assert judgement.verdict is C
    assert judgement.reason == "tagged map-migrated=mig12345; the stray key 'Map-Migrated' can be removed"


@pytest.mark.parametrize(
    ("tags", "form"),
    [
        ({"map-dba": "d-server-0123456789abcd"}, "'map-dba' = an Application Discovery server id"),
        (
            {"map-dba": SOURCE, "aws-migration-project-id": "12345"},
            "'map-dba' = the source EC2 instance's ARN with 'aws-migration-project-id'",
        ),
        (
            {"map-migrated": SOURCE, "aws-migration-project-id": "12345"},
            "'map-migrated' = the source EC2 instance's ARN with 'aws-migration-project-id'",
        ),
    ],
)
def test_legacy_dba_forms(tags: dict[str, str], form: str) -> None:
    # v0 guide's DB&A table: accepted only with --accept-legacy, on a DB&A destination.
    accepted = judge(tags, LEGACY, dba=True)
    assert (accepted.verdict, accepted.reason) == (C, f"legacy DB&A form {form}, accepted by policy")

    refused = judge(tags, BARE, dba=True)
    assert refused.verdict in (M, BAD)
    assert f"the legacy DB&A form {form} (older MAP terms)" in refused.reason
    assert "--accept-legacy" in refused.reason

    on_ec2 = judge(tags, LEGACY, dba=False)
    assert on_ec2.verdict in (M, BAD)
    assert "belongs on database & analytics destinations only" in on_ec2.reason


def test_a_legacy_form_of_another_engagement_is_not_compliant() -> None:
    judgement = judge({"map-migrated": SOURCE, "aws-migration-project-id": "99999"}, LEGACY, dba=True)
    assert judgement.verdict is BAD
    assert "aws-migration-project-id='99999' is not this engagement's MPE id" in judgement.reason


def test_a_five_character_mpe_id_that_is_not_five_digits_is_named_as_such() -> None:
    policy = Policy.build(mpe_ids=["AB123"], regions=["us-east-1"])
    assert policy.warnings == [
        "MPE id 'AB123' has 5 characters but is not 5 digits: a 5-character MPE id is all digits "
        "(only 10-character ids mix upper-case letters and digits)"
    ]
