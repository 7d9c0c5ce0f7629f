"""The deployment configuration: CDK context in, one validated model out, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from maptag.deploy_config import DeployConfig
from maptag.policy import Policy, PolicyError

CDK_JSON = Path(__file__).resolve().parents[2] / "cdk.json"


def context(**overrides: Any) -> dict[str, Any]:
    base = dict(json.loads(CDK_JSON.read_text())["context"])
    base.update({f"maptag:{key}": value for key, value in overrides.items()})
    return base


def test_cdk_json_defaults_are_a_valid_daily_organization_scan() -> None:
    config = DeployConfig.from_context(context())
    assert config.policy.organization is True
    assert config.policy.mpe_ids == ("12345",)
    assert config.schedule == "cron(0 6 * * ? *)"
    assert config.schedule_time_zone == "UTC"
    assert config.role_name == "maptag-member-readonly"
    assert "migration-hub" in config.sinks  # on by default; no home region is skipped (docs/reliability.md)
    assert config.expected_run_hours == 25
    assert config.child_workflow == "express"
    assert config.securityhub_refresh_days == 7


def test_dash_c_strings_are_read_like_cdk_json_values() -> None:
    # Given what `-c maptag:KEY=VALUE` passes: always strings
    config = DeployConfig.from_context(
        context(
            organization="false",
            accounts="111111111111, 222222222222",
            regions="us-east-1,eu-west-1",
            max_concurrency="16",
            server_tasks="true",
            sinks="security-hub,migration-hub",
            notification_email="finops@example.com",
            schedule="rate(12 hours)",
            securityhub_refresh_days="0",
        )
    )
    assert config.securityhub_refresh_days == 0
    assert config.policy.accounts == ("111111111111", "222222222222")
    assert config.policy.regions == ("us-east-1", "eu-west-1")
    assert config.policy.max_concurrency == 16
    assert config.server_tasks is True
    assert config.sinks == ("security-hub", "migration-hub")
    assert config.expected_run_hours == 13
    assert config.schedule_interval_seconds == 12 * 3600


def test_the_policy_is_the_clis_policy_model() -> None:
    config = DeployConfig.from_context(context(mpe_ids="mig12345,ABCDE12345", agreement_start="2026-01-15"))
    same = Policy.build(
        mpe_ids="mig12345,ABCDE12345",
        regions="us-east-1",
        organization=True,
        role_name="maptag-member-readonly",
        agreement_start="2026-01-15",
        max_concurrency=8,
    )
    assert config.policy == same


def test_the_handlers_read_back_exactly_what_synth_validated() -> None:
    config = DeployConfig.from_context(
        context(notification_email="a@example.com", agreement_start="2026-01-15")
    )
    assert DeployConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("regions", "mars-1", "maptag:regions: 'mars-1' is not an AWS region name such as us-east-1"),
        ("mpe_ids", "", "maptag:mpe_ids: at least one is required"),
        ("mpe_ids", "12-345", "maptag:mpe_ids: '12-345' is neither an MPE id"),
        ("accounts", "1234", "maptag:accounts: '1234' is not a 12-digit AWS account id"),
        ("agreement_start", "15/01/2026", "maptag:agreement_start: '15/01/2026' is not a date YYYY-MM-DD"),
        ("max_concurrency", "0", "maptag:max_concurrency: '0'"),
        ("schedule", "every day", "maptag:schedule: 'every day' is not a schedule expression"),
        (
            "schedule_time_zone",
            "Mars/Olympus",
            "maptag:schedule_time_zone: 'Mars/Olympus' is not an IANA time zone",
        ),
        ("sinks", "slack", "maptag:sinks: unknown sink 'slack'"),
        ("notification_email", "finops", "maptag:notification_email: 'finops' is not an e-mail address"),
        ("hub_stream", "a/b", "maptag:hub_stream: stream name 'a/b' contains '/'"),
        (
            "child_workflow",
            "EXPRESS",
            "maptag:child_workflow: 'EXPRESS' is not a child workflow type (one of express, standard)",
        ),
        ("scanner_account", "12", "maptag:scanner_account: '12' is not a 12-digit AWS account id"),
        ("log_retention_days", "10", "maptag:log_retention_days: 10 is not a CloudWatch Logs retention"),
        (
            "securityhub_refresh_days",
            "45",
            "maptag:securityhub_refresh_days: 45 is not a number of days from 0 to 30",
        ),
        (
            "securityhub_refresh_days",
            "-1",
            "maptag:securityhub_refresh_days: -1 is not a number of days from 0 to 30",
        ),
        (
            "securityhub_refresh_days",
            "weekly",
            "maptag:securityhub_refresh_days: 'weekly' is not a number of days from 0 to 30",
        ),
        ("regoins", "us-east-1", "maptag:regoins: unknown setting"),
    ],
)
def test_a_bad_value_fails_with_one_line_naming_its_key(key: str, value: str, message: str) -> None:
    overrides: dict[str, Any] = {key: value}
    if key == "accounts":
        overrides["organization"] = "false"
    with pytest.raises(PolicyError) as raised:
        DeployConfig.from_context(context(**overrides))
    text = str(raised.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_accounts_and_organization_together_are_refused() -> None:
    with pytest.raises(
        PolicyError, match=r"^maptag:organization: give either accounts or organization, not both$"
    ):
        DeployConfig.from_context(context(accounts="111111111111"))


def test_too_many_listed_accounts_for_the_lambda_environment_say_so() -> None:
    many = ",".join(f"{n:012d}" for n in range(1, 400))
    with pytest.raises(
        PolicyError, match=r"^maptag:accounts: 399 accounts do not fit .*organization=true\)$"
    ):
        DeployConfig.from_context(context(organization="false", accounts=many))


def test_cdk_feature_flags_in_the_context_are_not_maptag_settings() -> None:
    config = DeployConfig.from_context(
        {**context(), "@aws-cdk/core:newStyleStackSynthesis": True, "cli-telemetry": False}
    )
    assert config.policy.regions == ("us-east-1",)
