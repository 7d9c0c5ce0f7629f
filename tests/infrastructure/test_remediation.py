"""Opt-in remediation in the synthesized stacks (maptag:remediation=apply, docs/fix.md): the
tagger role exists only then, trusts only the remediation function's role, writes only the
map-migrated key with the declared types' write actions; the workflow gains its last step."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest

from infra import constants
from infra.constructs.remediation import write_grants
from maptag.deploy_config import TAGGER_ROLE_NAME
from maptag.resources.declarations import BY_NAME, TYPE_NAMES
from tests.support.iam import (
    actions_of,
    as_list,
    flat,
    resources_for,
    role_id,
    role_statements,
    statements,
)
from tests.support.synth import ROOT, Synthesized, synthesize

_TAG_WRITE = re.compile(
    r"^[a-z0-9-]+:(Tag|Untag|CreateTags|CreateOrUpdateTags|DeleteTags|AddTags|RemoveTags|ChangeTags|UpdateTags|Put\w*Tagging)",
    re.I,
)


@pytest.fixture(scope="module")
def remediation_app(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(
        tmp_path_factory.mktemp("cdk-remediation"),
        {
            "maptag:remediation": "apply",
            "maptag:scanner_account": "111111111111",
            "maptag:organization_id": "o-a1b2c3d4e5",
        },
    )


def _roles(app: Synthesized) -> dict[str, dict[str, Any]]:
    return dict(app.member.find_resources("AWS::IAM::Role"))


def test_the_tagger_role_trusts_only_the_remediation_functions_role(remediation_app: Synthesized) -> None:
    (tagger,) = [
        r for r in _roles(remediation_app).values() if r["Properties"]["RoleName"] == TAGGER_ROLE_NAME
    ]
    (trust,) = tagger["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert flat(trust["Principal"]["AWS"]) == "arn:${Partition}:iam::${ScannerAccountId}:root"
    remediators = f"arn:${{Partition}}:iam::${{ScannerAccountId}}:role/{constants.REMEDIATOR_ROLE_PREFIX}*"
    assert {k: flat(v) for k, v in trust["Condition"]["ArnLike"].items()} == {"aws:PrincipalArn": remediators}
    assert trust["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}
    # and the remediation function's role is the one so named
    scanner_roles = remediation_app.scanner.find_resources("AWS::IAM::Role")
    named = {k: flat(v["Properties"].get("RoleName", "")) for k, v in scanner_roles.items()}
    (remediate,) = [k for k in named if "RemediateRole" in k]
    assert named[remediate] == f"{constants.REMEDIATOR_ROLE_PREFIX}${{Region}}"


def test_the_tagger_writes_only_map_migrated_with_the_declared_write_actions(
    remediation_app: Synthesized,
) -> None:
    writes = [
        s
        for s in statements(remediation_app.member)
        if any(_TAG_WRITE.match(a) for a in as_list(s["Action"]))
    ]
    expected = {a for name in TYPE_NAMES for a in BY_NAME[name].write_actions}
    assert actions_of(writes) == expected
    for statement in writes:
        assert all(_TAG_WRITE.match(a) for a in as_list(statement["Action"])), statement["Action"]
        assert statement["Condition"] == {"ForAllValues:StringEquals": {"aws:TagKeys": ["map-migrated"]}}
    # each service's own write actions on its type's ARNs; only the Tagging API's on "*"
    starred = {a for s in writes if "*" in as_list(s["Resource"]) for a in as_list(s["Action"])}
    assert starred == set(write_grants(TYPE_NAMES).get("*", []))
    assert {"tag:TagResources", "tag:UntagResources"} <= starred
    # e.g. EC2 instances: CreateTags on the account's instance ARNs
    instances = [flat(r) for r in resources_for(writes, "ec2:CreateTags")]
    assert "arn:${Partition}:ec2:*:${AccountId}:instance/*" in instances


def test_the_remediation_function_assumes_only_the_tagger_role_and_runs_after_publish(
    remediation_app: Synthesized,
) -> None:
    template = remediation_app.scanner
    found = role_statements(template, role_id(template, "RemediateRole"))
    assert [flat(r) for r in resources_for(found, "sts:AssumeRole")] == [
        f"arn:${{Partition}}:iam::*:role/{TAGGER_ROLE_NAME}"
    ]
    # the scanner account itself never writes a tag: only the tagger role can
    for statement in statements(template):
        assert not any(_TAG_WRITE.match(a) for a in as_list(statement["Action"])), statement["Action"]
    (machine,) = template.find_resources("AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    asl = json.loads("".join(p if isinstance(p, str) else "REF" for p in parts))
    assert asl["States"][constants.STATE_PUBLISH]["Next"] == constants.STATE_REMEDIATE
    remediate = asl["States"][constants.STATE_REMEDIATE]
    assert remediate["End"] is True
    assert remediate["ResultPath"] == "$.remediation"


def _resolved(value: Any) -> Any:
    """A template value with every reference as the longest text it can stand for."""
    if isinstance(value, dict):
        if "Ref" in value:
            return {"AWS::Partition": "aws-us-gov", "AWS::AccountId": "123456789012"}.get(
                value["Ref"], "x" * 20
            )
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(str(_resolved(p)) for p in parts)
        return {k: _resolved(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v) for v in value]
    return value


def test_every_tagger_policy_fits_iam_s_size_limits(remediation_app: Synthesized) -> None:
    template = remediation_app.member
    managed = template.find_resources("AWS::IAM::ManagedPolicy")
    assert 1 <= len(managed) <= 9  # IAM attaches at most 10 managed policies to a role
    for policy in managed.values():
        document = json.dumps(_resolved(policy["Properties"]["PolicyDocument"]), separators=(",", ":"))
        assert len(document) <= 6144  # a managed policy's documented maximum
    inline = [
        p for p in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id(template, "TaggerRole")} in p["Properties"]["Roles"]
    ]  # fmt: skip
    assert (
        sum(
            len(json.dumps(_resolved(p["Properties"]["PolicyDocument"]), separators=(",", ":")))
            for p in inline
        )
        <= 10240
    )


def test_cdk_nag_is_clean_with_remediation_on(remediation_app: Synthesized) -> None:
    report = json.loads((remediation_app.outdir / "validation-report.json").read_text())
    (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []


def test_with_remediation_off_there_is_no_tagger_role_and_no_remediation_step(org_app: Synthesized) -> None:
    assert [
        r["Properties"]["RoleName"] for r in org_app.member.find_resources("AWS::IAM::Role").values()
    ] == ["maptag-member-readonly"]
    assert not [k for k in org_app.scanner.find_resources("AWS::Lambda::Function") if "Remediate" in k]


def test_cfn_lint_is_clean_with_remediation_on(remediation_app: Synthesized) -> None:
    files = [str(p) for p in remediation_app.template_files()]
    lint = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "cfn-lint"), *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
