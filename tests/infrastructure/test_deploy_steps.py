"""The README's "Deploy" commands that can run here, run as written against moto's server.

The member role as a service-managed StackSet from the synthesized template, and the
on-demand start of the workflow. (`cdk bootstrap` / `cdk deploy` need a real account.)
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from infra import constants
from tests.support.synth import ROOT, Synthesized

pytestmark = pytest.mark.xdist_group("cdk")

SCANNER = "123456789012"


@pytest.fixture
def moto_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))  # noqa: S310
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    yield url
    server.stop()


def aws(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "aws"), *args],
        cwd=cwd,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_member_role_stackset_gives_every_account_the_role_trusting_the_scanner(
    org_app: Synthesized, moto_url: str
) -> None:
    # Given an Organization with a member account, and `make synth`'s cdk.out
    organizations = boto3.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    root = organizations.list_roots()["Roots"][0]["Id"]
    member = organizations.create_account(AccountName="m", Email="m@example.com")["CreateAccountStatus"][
        "AccountId"
    ]
    # When the README's two commands run
    aws(
        "cloudformation", "create-stack-set", "--stack-set-name", "maptag-member",
        "--template-body", f"file://{constants.MEMBER_STACK}.template.json",
        "--parameters", f"ParameterKey=ScannerAccountId,ParameterValue={SCANNER}",
        "--capabilities", "CAPABILITY_NAMED_IAM", "--permission-model", "SERVICE_MANAGED",
        "--auto-deployment", "Enabled=true,RetainStacksOnAccountRemoval=false",
        cwd=org_app.outdir,
    )  # fmt: skip
    aws(
        "cloudformation", "create-stack-instances", "--stack-set-name", "maptag-member",
        "--deployment-targets", f"OrganizationalUnitIds={root}", "--regions", "us-east-1",
        cwd=org_app.outdir,
    )  # fmt: skip
    # Then the member account has the read-only role, assumable by the scanner's role only
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{member}:role/maptag-member-readonly", RoleSessionName="check"
    )["Credentials"]
    iam = boto3.client(
        "iam",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    role = iam.get_role(RoleName="maptag-member-readonly")["Role"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{SCANNER}:root"}
    assert trust["Condition"]["ArnLike"] == {
        "aws:PrincipalArn": f"arn:aws:iam::{SCANNER}:role/{constants.SCANNER_ROLE_PREFIX}*"
    }
    (policy_name,) = iam.list_role_policies(RoleName="maptag-member-readonly")["PolicyNames"]
    document = iam.get_role_policy(RoleName="maptag-member-readonly", PolicyName=policy_name)[
        "PolicyDocument"
    ]
    actions = {
        a
        for s in document["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "ec2:DescribeVolumes" in actions
    assert not any(
        "Tag" in a and not a.split(":")[1].startswith(("List", "Get", "Describe")) for a in actions
    )


def test_on_demand_start_execution_as_documented(org_app: Synthesized, moto_url: str) -> None:
    # Given the synthesized state machine registered under the stack's output
    definition = org_app.scanner.to_json()
    (machine,) = [
        r for r in definition["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"
    ]
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    asl = "".join(
        p if isinstance(p, str) else "arn:aws:lambda:us-east-1:123456789012:function:x" for p in parts
    )
    arn = boto3.client("stepfunctions").create_state_machine(
        name="maptag", definition=asl, roleArn=f"arn:aws:iam::{SCANNER}:role/sfn"
    )["stateMachineArn"]
    # When the README's command starts a run
    out = json.loads(
        aws("stepfunctions", "start-execution", "--state-machine-arn", arn, "--name", "manual-1", cwd=ROOT)
    )
    # Then the execution exists under that name
    described = boto3.client("stepfunctions").describe_execution(executionArn=out["executionArn"])
    assert described["name"] == "manual-1"
    assert described["stateMachineArn"] == arn
