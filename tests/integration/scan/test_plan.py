"""plan(): who the caller is and which accounts to scan; its errors as the user sees them.

Missing or invalid credentials are a configuration error (exit 2); an Organization that
cannot be listed stops the scan (exit 3). Either way: one line on stderr, no traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from maptag.cli import main
from maptag.model import ScanUnit
from maptag.scan import ScanError, plan
from tests.support.moto_seed import ACCOUNT, policy

SCAN = ["scan", "--mpe-id", "12345", "--regions", "us-east-1", "--format", "json"]


@pytest.fixture
def moto() -> Iterator[None]:
    with mock_aws():
        yield


def _one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("maptag: error: ")
    return lines[0]


def test_without_credentials_plan_says_so_as_a_configuration_error(
    moto: None, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/no-credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/no-config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    with pytest.raises(ScanError) as raised:
        plan(policy(), boto3.Session())

    assert raised.value.configuration is True
    assert (
        str(raised.value)
        == "cannot identify the AWS caller: NoCredentialsError: Unable to locate credentials"
    )


def test_without_credentials_the_cli_exits_2(
    moto: None, monkeypatch: pytest.MonkeyPatch, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/no-credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/no-config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    assert main(SCAN) == 2
    assert "credentials" in _one_line_error(capsys.readouterr().err)


def test_invalid_credentials_exit_2_with_one_line(
    moto: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given keys AWS does not know (moto enforcing IAM checks every key)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.delenv("AWS_SESSION_TOKEN")

    code = set_initial_no_auth_action_count(0)(main)(SCAN)

    assert code == 2
    line = _one_line_error(capsys.readouterr().err)
    assert line.startswith(
        "maptag: error: cannot identify the AWS caller: InvalidClientTokenId on GetCallerIdentity"
    )


def test_org_without_active_accounts_exits_3_with_one_line(
    moto: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # moto lists no account where AWS would answer AWSOrganizationsNotInUseException
    code = main([*SCAN, "--org", "--role-name", "MaptagReadOnly"])

    assert code == 3
    line = _one_line_error(capsys.readouterr().err)
    assert line == (
        "maptag: error: the Organization lists no active account: is this its management account?"
    )


def test_org_denied_exits_3_with_one_line(moto: None, capsys: pytest.CaptureFixture[str]) -> None:
    # Given an Organization, and a caller who may not list its accounts
    boto3.client("organizations").create_organization(FeatureSet="ALL")
    iam = boto3.client("iam")
    iam.create_user(UserName="no-org")
    iam.put_user_policy(
        UserName="no-org",
        PolicyName="scan",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName="no-org")["AccessKey"]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        env.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        env.delenv("AWS_SESSION_TOKEN")
        code = set_initial_no_auth_action_count(0)(main)([*SCAN, "--org", "--role-name", "MaptagReadOnly"])

    assert code == 3
    line = _one_line_error(capsys.readouterr().err)
    # (moto answers this JSON-protocol denial with an XML body and HTTP 403 as its code)
    assert line.startswith("maptag: error: cannot list the Organization's accounts: ")
    assert "ListAccounts" in line


def test_accounts_without_a_role_name_is_a_usage_error_naming_the_account(moto: None) -> None:
    with pytest.raises(ValueError, match="role_name: needed to scan account 111111111111"):
        plan(policy(accounts=[ACCOUNT, "111111111111"]), boto3.Session())


def test_plan_defaults_to_the_callers_account_in_every_region(moto: None) -> None:
    scan_plan = plan(policy(regions=["us-east-1", "eu-west-1"]), boto3.Session())
    assert scan_plan.caller_account == ACCOUNT
    assert scan_plan.units == [ScanUnit(ACCOUNT, "us-east-1"), ScanUnit(ACCOUNT, "eu-west-1")]
