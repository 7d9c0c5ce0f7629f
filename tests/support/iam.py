"""Reading IAM statements out of a synthesized template."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aws_cdk.assertions import Template

from infra.constructs.member_role import RESOURCE_SCOPED, read_only_actions


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(template: Template) -> Iterator[dict[str, Any]]:
    """Every identity-policy statement in the template (inline, managed and role policies)."""
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in template.find_resources(kind).values():
            yield from policy["Properties"]["PolicyDocument"]["Statement"]
    for role in template.find_resources("AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            yield from policy["PolicyDocument"]["Statement"]


def role_id(template: Template, name_part: str) -> str:
    ids = [k for k in template.find_resources("AWS::IAM::Role") if name_part in k]
    assert len(ids) == 1, ids
    return ids[0]


def role_statements(template: Template, role_logical_id: str) -> list[dict[str, Any]]:
    found = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in policy["Properties"].get("Roles", []):
            found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return found


def actions_of(found: list[dict[str, Any]]) -> set[str]:
    return {action for s in found if s["Effect"] == "Allow" for action in as_list(s["Action"])}


def resources_for(found: list[dict[str, Any]], action: str) -> list[Any]:
    return [r for s in found if action in as_list(s["Action"]) for r in as_list(s["Resource"])]


def flat(value: Any) -> str:
    """An ARN from the template as text: Fn::Join joined, a Ref as ${Name}, a GetAtt as ${Name.Attr}."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(flat(part) for part in parts)
    if "Ref" in value:
        return f"${{{value['Ref'].removeprefix('AWS::')}}}"
    if "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    raise ValueError(value)


# Actions that have no resource type in IAM: "*" is their only form.
NO_RESOURCE_TYPE = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "organizations:ListAccounts",
    "mgh:GetHomeRegion",
    "mgh:ListProgressUpdateStreams",
    "mgh:ListMigrationTasks",
    *(action for action in read_only_actions() if action not in RESOURCE_SCOPED),
}
