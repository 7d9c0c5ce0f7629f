"""The read-only role the scanner assumes in each member account (and its read-only actions).

Least privilege for the resource types of maptag.resources.declarations: list/describe and
tag-read actions only. Nothing here, or anywhere in the deployment, can write a tag.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, Duration, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct

# (IAM actions, resource ARN pattern or None for "*"). The list/describe calls below do not
# support resource-level permissions; where an action does, the account's ARNs are named.
# {p} = partition, {a} = account.
READ_ONLY_ACTIONS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (
        (
            "ec2:DescribeInstances",
            "ec2:DescribeVolumes",
            "ec2:DescribeSnapshots",
            "ec2:DescribeImages",
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeTags",
            "s3:ListAllMyBuckets",
            "dynamodb:ListTables",
            "lambda:ListFunctions",
        ),
        None,
    ),
    (("rds:DescribeDBInstances",), "arn:{p}:rds:*:{a}:db:*"),
    (("rds:DescribeDBClusters",), "arn:{p}:rds:*:{a}:cluster:*"),
    (("rds:DescribeDBSnapshots",), "arn:{p}:rds:*:{a}:snapshot:*"),
    (("s3:GetBucketTagging",), "arn:{p}:s3:::*"),
    (("dynamodb:DescribeTable", "dynamodb:ListTagsOfResource"), "arn:{p}:dynamodb:*:{a}:table/*"),
    (("lambda:ListTags",), "arn:{p}:lambda:*:{a}:function:*"),
    (("elasticfilesystem:DescribeFileSystems",), "arn:{p}:elasticfilesystem:*:{a}:file-system/*"),
)


def read_only_statements(account: str = Aws.ACCOUNT_ID) -> list[iam.PolicyStatement]:
    """The statements that let a role scan one account's supported resource types."""
    statements = []
    for actions, pattern in READ_ONLY_ACTIONS:
        resource = "*" if pattern is None else pattern.format(p=Aws.PARTITION, a=account)
        statements.append(iam.PolicyStatement(actions=list(actions), resources=[resource]))
    return statements


def acknowledge_read_only(scope: Construct) -> None:
    """cdk-nag: the read-only statements' wildcards, each with its reason."""
    rules = [
        Acknowledgment(
            id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            reason="EC2/ELB Describe*, ListAllMyBuckets, ListTables and ListFunctions have no resource type: "
            "'*' is their only form; they are read-only.",
        )
    ]
    for actions, pattern in READ_ONLY_ACTIONS:
        if pattern is None:
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
    """`role_name` in a member account, assumable only by the scanner's role."""

    def __init__(self, scope: Construct, id: str, *, role_name: str, scanner_role_arn: str) -> None:
        super().__init__(scope, id)
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            description="maptag: read-only access to list resources and read their tags",
            assumed_by=iam.ArnPrincipal(scanner_role_arn),
            max_session_duration=Duration.hours(1),
        )
        self.role.attach_inline_policy(iam.Policy(self, "ReadOnly", statements=read_only_statements()))
        acknowledge_read_only(self)
