"""Opt-in remediation (maptag:remediation plan|apply, docs/fix.md): the tagger role in each member
account and the remediation function's grants in the scanner account.

Exists only when remediation is on. The tagger role may write tags only with the write actions
the declared types name (ResourceType.write_actions), on those types' ARNs where IAM accepts
them, and only the `map-migrated` key (aws:TagKeys); it also reads, for the re-read before each
write. The remediation function is the only principal it trusts.
"""

from __future__ import annotations

import json

from aws_cdk import Acknowledgment, Aws, Duration, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants
from infra.constructs.member_role import acknowledge_read_only, read_only_statements
from maptag.deploy_config import TAGGER_ROLE_NAME, DeployConfig
from maptag.resources.declarations import BY_NAME
from maptag.resources.schema import TAGGING_API_WRITE_ACTIONS
from maptag.rules import MAP_KEY

# Only the map-migrated key may be written or removed (IAM: ForAllValues over the request's keys).
ONLY_MAP_KEY = {"ForAllValues:StringEquals": {"aws:TagKeys": [MAP_KEY]}}


def write_grants(type_names: tuple[str, ...]) -> dict[str, list[str]]:
    """IAM resource pattern ({p} partition, {a} account; "*" where none) → the write actions on it."""
    grants: dict[str, set[str]] = {}
    for rtype in (d for name in type_names for d in (BY_NAME[name], *BY_NAME[name].also)):
        named = rtype.arn.startswith("arn:") or rtype.iam_arn is not None
        for action in rtype.write_actions:
            # The Tagging API's actions have no resource type; the services' own take the ARN.
            pattern = rtype.iam_resource if named and action not in TAGGING_API_WRITE_ACTIONS else "*"
            grants.setdefault(pattern, set()).add(action)
    return {pattern: sorted(actions) for pattern, actions in sorted(grants.items())}


class TaggerRole(Construct):
    """`maptag-member-tagger` in a member account, trusted only by the remediation function's role."""

    def __init__(self, scope: Construct, id: str, *, config: DeployConfig, scanner_account: str) -> None:
        super().__init__(scope, id)
        conditions: dict[str, dict[str, str]] = {
            "ArnLike": {
                "aws:PrincipalArn": f"arn:{Aws.PARTITION}:iam::{scanner_account}:role/"
                f"{constants.REMEDIATOR_ROLE_PREFIX}*"
            }
        }
        if config.organization_id:
            conditions["StringEquals"] = {"aws:PrincipalOrgID": config.organization_id}
        self.role = iam.Role(
            self,
            "Role",
            role_name=TAGGER_ROLE_NAME,
            description="maptag remediation: write the map-migrated tag of the declared resource types",
            assumed_by=iam.PrincipalWithConditions(iam.AccountPrincipal(scanner_account), conditions),
            max_session_duration=Duration.hours(1),
        )
        read = Construct(self, "Read")
        self.role.attach_inline_policy(iam.Policy(read, "ReadOnly", statements=read_only_statements()))
        acknowledge_read_only(read)
        grants = write_grants(config.policy.types)
        # Managed policies, each under IAM's 6,144 characters: the grants of every declared type
        # do not fit in the 10,240 characters a role's inline policies share (IAM quotas).
        for index, chunk in enumerate(policy_chunks(grants)):
            write = Construct(self, f"Write{index}")
            self.role.add_managed_policy(
                iam.ManagedPolicy(
                    write,
                    "MapTagOnly",
                    description="maptag remediation: the map-migrated tag only (aws:TagKeys)",
                    statements=[
                        iam.PolicyStatement(
                            actions=grants[pattern],
                            resources=[pattern.format(p=Aws.PARTITION, a=Aws.ACCOUNT_ID)],
                            conditions=ONLY_MAP_KEY,
                        )
                        for pattern in chunk
                    ],
                )
            )
            Validations.of(write).acknowledge(
                *[
                    Acknowledgment(
                        id="AwsSolutions::AwsSolutions-IAM5[Resource::"
                        + pattern.format(p="<AWS::Partition>", a="<AWS::AccountId>")
                        + "]",
                        reason=f"{', '.join(grants[pattern])}: every resource of the type may need its "
                        "map-migrated tag; the aws:TagKeys condition allows that key only"
                        + (" ('*': these actions have no resource type)" if pattern == "*" else ""),
                    )
                    for pattern in chunk
                ]
            )


# IAM: a managed policy holds at most 6,144 characters (whitespace not counted); room is left
# for the longest partition name and the policy's own envelope.
MANAGED_POLICY_BUDGET = 5500


def statement_size(pattern: str, actions: list[str]) -> int:
    """The characters one write statement takes in a deployed policy document."""
    resource = pattern.format(p="aws-us-gov", a="123456789012")
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource, "Condition": ONLY_MAP_KEY}
    return len(json.dumps(statement, separators=(",", ":")))


def policy_chunks(grants: dict[str, list[str]]) -> list[list[str]]:
    """The resource patterns of ``grants`` in groups that each fit one managed policy."""
    chunks: list[list[str]] = [[]]
    used = 0
    for pattern, actions in grants.items():
        size = statement_size(pattern, actions) + 1
        if chunks[-1] and used + size > MANAGED_POLICY_BUDGET:
            chunks.append([])
            used = 0
        chunks[-1].append(pattern)
        used += size
    return chunks


def grant_remediation(function: lambda_.Function, config: DeployConfig) -> None:
    """The remediation function may assume the tagger role in the scanned accounts and send its
    change events to the default bus."""
    accounts = config.policy.accounts or ("*",)
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["sts:AssumeRole"],
            resources=[f"arn:{Aws.PARTITION}:iam::{account}:role/{TAGGER_ROLE_NAME}" for account in accounts],
        )
    )
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["events:PutEvents"],
            resources=[f"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:event-bus/default"],
        )
    )
