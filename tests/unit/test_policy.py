"""Policy validation: every bad value fails with one line that names the setting and the value."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from maptag.policy import ExclusionRule, Policy, PolicyError
from maptag.rules import PREFIXES

GOOD: dict[str, Any] = {"mpe_ids": ["12345"], "regions": ["us-east-1"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mpe_ids": []}, "mpe_ids: at least one is required"),
        ({"mpe_ids": ["1234x"]}, "mpe_ids: '1234x' is neither an MPE id"),
        ({"mpe_ids": ["mig-12345"]}, "mpe_ids: 'mig-12345' is neither an MPE id"),
        ({"mpe_ids": ["abcde12345"]}, "mpe_ids: MPE id 'abcde12345' must be upper-case (ABCDE12345)"),
        ({"mpe_ids": ["migabcde12345"]}, "'migabcde12345' is not a valid tag value: prefixes are lower-case"),
        (
            {"mpe_ids": ["MIG12345"]},
            "'MIG12345' is not a valid tag value: prefixes are lower-case and ids upper-case (mig12345)",
        ),
        ({"mpe_ids": [" 12345"]}, "mpe_ids: ' 12345' has surrounding whitespace"),
        ({"mpe_ids": [""]}, "mpe_ids: '' is neither an MPE id"),
        ({"mpe_ids": ["1" * 45]}, "is neither an MPE id"),
        ({"mpe_ids": [12345]}, "mpe_ids: '12345' is not text"),
        ({"prefixes": ["migr"]}, "prefixes: unknown prefix 'migr'"),
        ({"agreement_start": "2025-02-30"}, "agreement_start: '2025-02-30' is not a valid date"),
        ({"agreement_start": "2025-13-01"}, "agreement_start: '2025-13-01' is not a valid date"),
        ({"agreement_start": "01/02/2025"}, "agreement_start: '01/02/2025' is not a date YYYY-MM-DD"),
        ({"agreement_start": "2025-1-1"}, "agreement_start: '2025-1-1' is not a date YYYY-MM-DD"),
        ({"regions": []}, "regions: at least one is required"),
        ({"regions": ["us-east-1", "US-EAST-1"]}, "regions: 'US-EAST-1' is not an AWS region name"),
        ({"regions": ["useast1"]}, "regions: 'useast1' is not an AWS region name"),
        ({"accounts": ["12345678901"]}, "accounts: '12345678901' is not a 12-digit AWS account id"),
        ({"accounts": ["1234567890ab"]}, "accounts: '1234567890ab' is not a 12-digit"),
        ({"accounts": ["123456789012"], "organization": True}, "either accounts or organization"),
        ({"role_name": "bad role"}, "role_name: 'bad role' is not an IAM role name"),
        ({"role_name": "x" * 65}, "is not an IAM role name"),
        ({"types": ["ec2:instances"]}, "types: unknown resource type 'ec2:instances'"),
        ({"types": ["EC2:instance"]}, "types: unknown resource type 'EC2:instance'"),
        ({"exclusions": ["Environment=dev"]}, "exclusions: exclusion rule 'Environment=dev' is neither"),
        ({"exclusions": ["tag:"]}, "exclusion rule 'tag:' is neither"),
        ({"exclusions": ["arn:"]}, "exclusion rule 'arn:' is neither"),
        ({"max_concurrency": 0}, "max_concurrency: '0' is not a number of units from 1 to 64"),
        ({"max_concurrency": 65}, "max_concurrency: '65' is not a number"),
        ({"max_concurrency": True}, "max_concurrency: 'True' is not a number"),
        ({"colour": "blue"}, "colour: unknown setting"),
    ],
)
def test_a_bad_value_is_named_in_one_line(change: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError) as raised:
        Policy.build(**{**GOOD, **change})

    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_bare_id_accepts_every_documented_prefix() -> None:
    policy = Policy.build(**GOOD)
    assert policy.accepted_values == {prefix + "12345" for prefix in PREFIXES}
    assert policy.example_value == "mig12345"


def test_a_full_value_accepts_only_itself_and_is_the_suggested_fix() -> None:
    policy = Policy.build(mpe_ids=["sap12345", "ABCDE12345"], regions=["eu-west-1"], prefixes=["mig"])
    assert policy.accepted_values == {"sap12345", "migABCDE12345"}
    assert policy.example_value == "sap12345"
    assert policy.mpe_ids_bare == ("12345", "ABCDE12345")


def test_an_unusual_length_is_a_warning_not_an_error() -> None:
    # Facts: one public tagger accepts up to 44 characters (uncertain): warn, don't reject.
    policy = Policy.build(mpe_ids=["1234567", "ABCDE12345"], regions=["us-east-1"])
    assert len(policy.warnings) == 1
    assert "'1234567' has an unusual length (7)" in policy.warnings[0]


def test_values_are_normalised() -> None:
    policy = Policy.build(
        mpe_ids="12345, 12345",
        regions="us-east-1,eu-west-1,us-east-1",
        agreement_start="2025-02-28",
        exclusions=["tag:Environment=dev", "arn:aws:s3:::cdk-*"],
    )
    assert policy.mpe_ids == ("12345",)
    assert policy.regions == ("us-east-1", "eu-west-1")
    assert policy.agreement_start == date(2025, 2, 28)
    assert policy.exclusions == (
        ExclusionRule(kind="tag", key="Environment", value="dev"),
        ExclusionRule(kind="arn", pattern="arn:aws:s3:::cdk-*"),
    )


@pytest.mark.parametrize(
    ("rule", "arn", "tags", "matches"),
    [
        ("tag:Environment", "arn:aws:ec2:::x", {"Environment": "prod"}, True),
        ("tag:Environment=dev", "arn:aws:ec2:::x", {"Environment": "prod"}, False),
        ("tag:Environment=dev", "arn:aws:ec2:::x", {"Environment": "dev"}, True),
        ("tag:Environment=", "arn:aws:ec2:::x", {"Environment": ""}, True),
        ("tag:Environment", "arn:aws:ec2:::x", None, False),
        ("arn:aws:s3:::cdk-*", "arn:aws:s3:::cdk-assets-1", {}, True),
        ("arn:aws:s3:::cdk-*", "arn:aws:s3:::data", {}, False),
    ],
)
def test_exclusion_rules(rule: str, arn: str, tags: dict[str, str] | None, matches: bool) -> None:
    assert ExclusionRule.parse(rule).matches(arn, tags) is matches
