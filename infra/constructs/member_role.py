"""The read-only role the scanner assumes in each member account (and its read-only actions).

Least privilege for the resource types of maptag.resources.declarations (each declares its
actions): list/describe and tag-read actions only. Nothing here, or anywhere in the
deployment, can write a tag.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, Duration, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra import constants
from maptag.resources.declarations import TYPE_NAMES, TYPES, required_actions

# Each resource type declares the IAM actions its scan needs and which of them accept its ARN
# (maptag.resources.types): those get the account's ARNs of the type ({p} = partition,
# {a} = account); the list/describe calls that take no resource are granted on "*".
RESOURCE_SCOPED: dict[str, str] = {
    action: rtype.iam_resource for rtype in TYPES for action in rtype.arn_actions
}


def read_only_actions() -> tuple[str, ...]:
    """Every action a scan of every supported type needs (creation times included)."""
    return required_actions(TYPE_NAMES, need_created=True)


def _by_resource() -> dict[str | None, list[str]]:
    grouped: dict[str | None, list[str]] = {}
    for action in read_only_actions():
        grouped.setdefault(RESOURCE_SCOPED.get(action), []).append(action)
    return grouped


def read_only_statements(account: str = Aws.ACCOUNT_ID) -> list[iam.PolicyStatement]:
    """The statements that let a role scan one account's supported resource types."""
    return [
        iam.PolicyStatement(
            actions=actions,
            resources=["*" if pattern is None else pattern.format(p=Aws.PARTITION, a=account)],
        )
        for pattern, actions in _by_resource().items()
    ]


def acknowledge_read_only(scope: Construct) -> None:
    """cdk-nag: the read-only statements' wildcards, each with its reason."""
    rules = []
    for pattern, actions in _by_resource().items():
        if pattern is None:
            rules.append(
                Acknowledgment(
                    id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                    reason=f"{', '.join(actions)} have no resource type: '*' is their only form; read-only.",
                )
            )
            continue
        resource = pattern.format(p="<AWS::Partition>", a="<AWS::AccountId>")
        rules.append(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]",
                reason=f"{', '.join(actions)} must see every resource of the account to find untagged ones; "
                "the ARN names the account and the resource type.",
            )
        )
    Validations.of(scope).acknowledge(*rules)


class MemberRole(Construct):
    """`role_name` in a member account, assumable only by the scanner roles of the scanner account.

    The trust names the scanner account and matches the scanner role by `aws:PrincipalArn`,
    not by a role ARN principal: IAM stores a role principal as the role's unique id, so a
    deleted and redeployed scanner stack would silently lose every member role
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        role_name: str,
        scanner_account: str,
        organization_id: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        conditions: dict[str, dict[str, str]] = {
            # every region's scanner role (maptag-scanner-<region>) of that one account
            "ArnLike": {"aws:PrincipalArn": scanner_role_pattern(scanner_account)}
        }
        if organization_id:
            conditions["StringEquals"] = {"aws:PrincipalOrgID": organization_id}
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            description="maptag: read-only access to list resources and read their tags",
            assumed_by=iam.PrincipalWithConditions(iam.AccountPrincipal(scanner_account), conditions),
            max_session_duration=Duration.hours(1),
        )
        self.role.attach_inline_policy(iam.Policy(self, "ReadOnly", statements=read_only_statements()))
        acknowledge_read_only(self)


def scanner_role_pattern(scanner_account: str) -> str:
    """The ARN of every region's scanner role in the scanner account."""
    return f"arn:{Aws.PARTITION}:iam::{scanner_account}:role/{constants.SCANNER_ROLE_PREFIX}*"
