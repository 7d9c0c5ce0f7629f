"""The deployment configuration: CDK context in, one validated model out, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import pytest

from handlers.observability import deployment
from maptag.deploy_config import MAP_CONCURRENCY_CEILING, DeployConfig
from maptag.policy import Policy, PolicyError

CDK_JSON = Path(__file__).resolve().parents[2] / "cdk.json"


# What a real deployment adds to cdk.json: its engagement (cdk.json has none on purpose).
ENGAGEMENT = {"mpe_ids": "98765", "regions": "us-east-1", "agreement_start": "2025-03-01"}


def cdk_json() -> dict[str, Any]:
    return dict(json.loads(CDK_JSON.read_text())["context"])


def context(**overrides: Any) -> dict[str, Any]:
    base = cdk_json()
    base.update({f"maptag:{key}": value for key, value in {**ENGAGEMENT, **overrides}.items()})
    return base


def test_cdk_json_defaults_with_an_engagement_are_a_valid_daily_organization_scan() -> None:
    config = DeployConfig.from_context(context())
    assert config.policy.organization is True
    assert config.policy.mpe_ids == ("98765",)
    assert config.policy.max_concurrency == MAP_CONCURRENCY_CEILING == 64
    assert config.unit_metrics is False
    assert config.warnings == []
    assert config.schedule == "cron(0 6 * * ? *)"
    assert config.schedule_time_zone == "UTC"
    assert config.role_name == "maptag-member-readonly"
    assert "migration-hub" in config.sinks  # on by default; no home region is skipped (docs/reliability.md)
    assert config.expected_run_hours == 25
    assert config.child_workflow == "express"
    assert config.securityhub_refresh_days == 7
    assert (config.remediation, config.remediation_max_changes) == ("off", 100)  # nothing can write a tag


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
    config = DeployConfig.from_context(context(mpe_ids="mig98765,MPE9876543", agreement_start="2026-01-15"))
    same = Policy.build(
        mpe_ids="mig98765,MPE9876543",
        regions="us-east-1",
        organization=True,
        role_name="maptag-member-readonly",
        agreement_start="2026-01-15",
        max_concurrency=64,
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
        ("mpe_ids", "", "maptag:mpe_ids: not set: give your MPE id(s) with -c maptag:mpe_ids=..."),
        ("organization_id", "org-1", "maptag:organization_id: 'org-1' is not an Organization id"),
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
        ("remediation", "on", "maptag:remediation: 'on' is not a remediation mode (one of off, plan, apply)"),
        ("remediation_max_changes", "0", "maptag:remediation_max_changes: '0'"),
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
        DeployConfig.from_context(context(accounts="111111111111", organization="true"))


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


# ---- the engagement: never the docs' placeholder, from -c or from the laptop's TOML file ----


def test_cdk_json_alone_is_no_engagement_and_synth_says_what_to_set() -> None:
    with pytest.raises(PolicyError) as raised:
        DeployConfig.from_context(cdk_json())
    assert str(raised.value) == (
        "maptag:mpe_ids: not set: give your MPE id(s) with -c maptag:mpe_ids=... "
        "or in the engagement file named by -c maptag:config=maptag.toml"
    )
    with pytest.raises(PolicyError, match=r"^maptag:regions: not set: give the regions to scan"):
        DeployConfig.from_context({**cdk_json(), "maptag:mpe_ids": "98765"})


@pytest.mark.parametrize(
    ("mpe_ids", "sample"), [("12345", "12345"), ("mig12345", "12345"), ("ABCDE12345", "ABCDE12345")]
)
def test_the_docs_sample_mpe_id_is_named_as_no_engagement(mpe_ids: str, sample: str) -> None:
    # (app.py refuses it: `cdk synth` exits 2 with this line, tests/infrastructure/test_synth_cli.py)
    assert DeployConfig.from_context(context(mpe_ids=mpe_ids)).placeholder == (
        f"maptag:mpe_ids: '{sample}' is the documentation's sample MPE id, not your engagement: "
        "set yours with -c maptag:mpe_ids=... or mpe-id in the maptag:config file"
    )
    assert DeployConfig.from_context(context(mpe_ids="mig98765,MPE9876543")).placeholder is None


def test_an_engagement_without_agreement_start_synthesizes_with_one_warning_naming_the_key() -> None:
    config = DeployConfig.from_context(context(agreement_start=None))
    (warning,) = config.warnings
    assert warning.startswith("maptag:agreement_start: not set, so every resource counts as migrated")
    assert "-c maptag:agreement_start=..." in warning


ENGAGEMENT_FILE = """\
# the laptop's maptag.toml (README "Config file")
mpe-id = ["MPE9876543"]
regions = ["eu-west-1", "eu-central-1"]
accounts = ["111111111111", "222222222222"]
agreement-start = 2025-03-01
exclude = ["tag:Environment=sandbox"]
accept-legacy = true
server-tasks = true
stream = "MAP-Engagement"
securityhub-refresh-days = 14
max-concurrency = 4           # the laptop's thread count: not the deployment's
format = "html"               # a laptop run's report: not the deployment's
output = "coverage.html"
fail-under = 95
"""


def test_the_laptops_toml_file_describes_the_deployments_engagement(tmp_path: Path) -> None:
    path = tmp_path / "maptag.toml"
    path.write_text(ENGAGEMENT_FILE)
    config = DeployConfig.from_context({**cdk_json(), "maptag:config": str(path)})
    policy = config.policy
    assert policy.mpe_ids == ("MPE9876543",)
    assert policy.regions == ("eu-west-1", "eu-central-1")
    assert policy.accounts == ("111111111111", "222222222222")
    assert policy.organization is False
    assert str(policy.agreement_start) == "2025-03-01"
    assert [str(rule) for rule in policy.exclusions] == ["tag:Environment=sandbox"]
    assert policy.accept_legacy is True
    assert (config.server_tasks, config.hub_stream, config.securityhub_refresh_days) == (
        True,
        "MAP-Engagement",
        14,
    )
    # the Map runs one child per unit: 2 accounts × 2 regions, not the laptop's 4 threads
    assert policy.max_concurrency == 4 == 2 * 2
    assert config.warnings == []


def test_context_given_explicitly_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "maptag.toml"
    path.write_text(ENGAGEMENT_FILE)
    config = DeployConfig.from_context(
        {
            **cdk_json(),
            "maptag:config": str(path),
            "maptag:regions": "us-east-1",
            "maptag:organization": "true",  # replaces the file's account list
            "maptag:max_concurrency": "16",
        }
    )
    assert config.policy.regions == ("us-east-1",)
    assert config.policy.organization is True
    assert config.policy.accounts == ()
    assert config.policy.mpe_ids == ("MPE9876543",)
    assert config.policy.max_concurrency == 16


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('mpe-id = "98765"\nregions = ["mars-1"]\n', "'regions' in '{path}': 'mars-1' is not an AWS region"),
        ('mpe-id = "98765"\nregions = "us-east-1"\nx = 1\n', "maptag:config '{path}': unknown setting 'x'"),
        ('mpe-id = "98765"\nregions = 3\n', "'regions' in '{path}': 3 is not a list of strings"),
        ('mpe-id = "98765\n', "maptag:config '{path}': invalid TOML"),
    ],
)  # fmt: skip
def test_a_bad_engagement_file_names_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "maptag.toml"
    path.write_text(text)
    with pytest.raises(PolicyError) as raised:
        DeployConfig.from_context({**cdk_json(), "maptag:config": str(path)})
    assert str(raised.value).startswith(message.format(path=path)), str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_missing_engagement_file_is_named() -> None:
    with pytest.raises(PolicyError, match=r"^maptag:config: file 'nowhere/maptag.toml' not found$"):
        DeployConfig.from_context({**cdk_json(), "maptag:config": "nowhere/maptag.toml"})


# ---- deploy-time settings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, 64),  # the whole Organization: the ceiling
        ({"accounts": "111111111111,222222222222", "regions": "us-east-1,eu-west-1,eu-central-1"}, 6),
        ({"organization": "false", "regions": "us-east-1"}, 1),  # the scanner's own account
        ({"max_concurrency": "8"}, 8),  # given explicitly
    ],
)
def test_the_maps_concurrency_is_the_number_of_units_up_to_a_ceiling(
    overrides: dict[str, str], expected: int
) -> None:
    assert DeployConfig.from_context(context(**overrides)).policy.max_concurrency == expected


def test_the_time_zone_is_checked_at_synth_and_not_again_in_each_lambda_invocation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a configuration synth validated, with a time zone
    config = DeployConfig.from_context(context(schedule_time_zone="Europe/Paris"))
    environment = {"MAPTAG_CONFIG": config.to_json(), "REPORTS_BUCKET": "reports"}

    # When the Lambda runtime has no tz database (every zone lookup fails)
    def no_zones(key: str) -> None:
        raise ZoneInfoNotFoundError(key)

    monkeypatch.setattr("maptag.deploy_config.ZoneInfo", no_zones)
    # Then the handler still reads its configuration (the schedule ran where zones exist)
    deployed, _ = deployment(environment)
    assert deployed == config
    # while synth, which is where it is checked, still refuses it
    with pytest.raises(PolicyError, match=r"^maptag:schedule_time_zone: 'Europe/Paris' is not an IANA"):
        DeployConfig.from_context(context(schedule_time_zone="Europe/Paris"))


def test_the_inventory_runs_on_the_first_run_of_each_week_by_default() -> None:
    from datetime import UTC, datetime

    daily = DeployConfig.from_context(context(schedule="rate(1 day)"))
    assert daily.inventory == "weekly"
    monday, tuesday = datetime(2026, 11, 30, 6, tzinfo=UTC), datetime(2026, 12, 1, 6, tzinfo=UTC)
    assert (daily.inventory_due(monday), daily.inventory_due(tuesday)) == (True, False)
    always = DeployConfig.from_context(context(inventory="always"))
    off = DeployConfig.from_context(context(inventory="off"))
    assert (always.inventory_due(tuesday), off.inventory_due(monday)) == (True, False)
    with pytest.raises(PolicyError, match="maptag:inventory: 'sometimes' is not one of weekly, always, off"):
        DeployConfig.from_context(context(inventory="sometimes"))
