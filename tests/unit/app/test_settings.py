"""The settings model (app/settings.py): one declaration per setting that the parser, the
config file, the demo's shown command and the deployment all agree with."""

from __future__ import annotations

from pathlib import Path

import pytest

from maptag.app import checks
from maptag.app.errors import UsageError
from maptag.app.settings import ScanSettings, ScopeSettings, Sourced, load_config, resolve, spellings
from maptag.cli import build_parser
from maptag.deploy_config import DeployConfig
from maptag.policy import PolicyError


def _scan_flags() -> set[str]:
    """Every option string `maptag scan` takes (argparse offers no public walk)."""
    (commands,) = [action for action in build_parser()._actions if action.dest == "command"]
    scan = commands.choices["scan"]  # type: ignore[index]
    return {flag for action in scan._actions for flag in action.option_strings}


def test_every_setting_has_its_flag_in_scan_help_and_its_key_in_the_config_file(tmp_path: Path) -> None:
    flags = _scan_flags()
    for name, spelling in spellings().items():
        # Each declared flag is one the parser takes
        if spelling.flag is not None:
            assert spelling.flag in flags, name
        # And each key is read from the file (a kind-wrong value names the key: it was recognised)
        config = tmp_path / f"{name}.toml"
        config.write_text(f"{spelling.key} = {{ a = 1 }}\n")
        with pytest.raises(UsageError, match=rf"^'{spelling.key}' in .*: \{{'a': 1\}} is not "):
            load_config(config)


def test_an_error_names_the_flag_or_the_config_line_the_value_came_from(tmp_path: Path) -> None:
    config = tmp_path / "maptag.toml"
    config.write_text('fail-under = 120\nformat = "xml"\n')
    # From the file: the file's key and the file
    with pytest.raises(UsageError, match=r"^'format' in '.*maptag.toml': unknown format 'xml' \(known: "):
        resolve({}, config)
    # A flag wins over the file, and is named when it is the bad one
    with pytest.raises(UsageError, match=r"^--fail-under: 150 is not a percentage from 0 to 100$"):
        resolve({"format": "json", "fail_under": 150.0}, config)
    # And the file's value, once the flag no longer overrides it
    with pytest.raises(UsageError, match=r"^'fail-under' in '.*': 120 is not a percentage from 0 to 100$"):
        resolve({"format": "json"}, config)


def test_the_scope_alone_ignores_a_shared_files_other_settings(tmp_path: Path) -> None:
    config = tmp_path / "maptag.toml"
    config.write_text('mpe-id = "12345"\nformat = "xml"\n')
    chosen = resolve({}, config, ScopeSettings)
    assert chosen.values == {"mpe_ids": ["12345"]}
    assert chosen.label("mpe_ids") == f"'mpe-id' in '{config}'"


def test_the_command_line_shown_for_settings_gives_back_the_same_settings() -> None:
    values = {
        "mpe_ids": ["12345", "mig54321"],
        "regions": ["us-east-1", "eu-west-1"],
        "accounts": ["111111111111"],
        "role_name": "Reader",
        "agreement_start": "2025-03-01",
        "exclusions": ["tag:Env=dev,test", "arn:aws:s3:::cdk-*"],
        "accept_legacy": False,
        "publish": ["history"],
        "fail_under": 95.5,
        "max_concurrency": 4,
    }
    argv = Sourced(values=values).as_argv()
    args = build_parser().parse_args(["scan", *argv])
    assert resolve(vars(args), None).values == values


def test_the_cli_and_the_deployment_refuse_a_refresh_period_with_the_same_words(tmp_path: Path) -> None:
    problem = (
        "45 is not a number of days from 0 to 30 (Security Hub deletes findings not updated for 90 days)"
    )
    with pytest.raises(ValueError, match=r"^45 is not") as shared:
        checks.refresh_days(45)
    assert str(shared.value) == problem
    config = tmp_path / "maptag.toml"
    config.write_text("securityhub-refresh-days = 45\n")
    with pytest.raises(UsageError) as cli:
        resolve({}, config)
    assert str(cli.value) == f"'securityhub-refresh-days' in '{config}': {problem}"
    context = {
        "maptag:mpe_ids": "98765",
        "maptag:regions": "us-east-1",
        "maptag:securityhub_refresh_days": 45,
    }
    with pytest.raises(PolicyError) as deployed:
        DeployConfig.from_context(context)
    assert str(deployed.value) == f"maptag:securityhub_refresh_days: {problem}"


def test_scan_settings_hold_the_scope() -> None:
    assert set(ScopeSettings.model_fields) < set(ScanSettings.model_fields)
