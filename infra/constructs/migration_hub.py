"""Migration Hub publishing: the actions the publish function needs, on its own stream only.

The home region is whatever the customer set (migrationhub-config GetHomeRegion), so the
region in the ARNs is a wildcard; the account and the stream are named. Failed publishes
are kept in the history table (the outbox) and sent on the next run.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct


class MigrationHubAccess(Construct):
    def __init__(self, scope: Construct, id: str, *, stream: str) -> None:
        super().__init__(scope, id)
        self.stream = stream

    def grant_publish(self, grantee: iam.IGrantable) -> None:
        stream_arn = f"arn:{Aws.PARTITION}:mgh:*:{Aws.ACCOUNT_ID}:progressUpdateStream/{self.stream}"
        policy = grantee.grant_principal
        stream_ack = f"arn:<AWS::Partition>:mgh:*:<AWS::AccountId>:progressUpdateStream/{self.stream}"
        Validations.of(grantee.grant_principal).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{stream_ack}]",
                reason="the Migration Hub home region is the customer's choice, read at run time",
            ),
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{stream_ack}/migrationTask/*]",
                reason="the tasks of maptag's own stream only, in the home region read at run time",
            ),
        )
        policy.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["mgh:CreateProgressUpdateStream", "mgh:ListMigrationTasks"],
                resources=[stream_arn],
            )
        )
        policy.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "mgh:ImportMigrationTask",
                    "mgh:NotifyMigrationTaskState",
                    "mgh:PutResourceAttributes",
                    "mgh:DescribeMigrationTask",
                ],
                resources=[f"{stream_arn}/migrationTask/*"],
            )
        )
        # GetHomeRegion (the migrationhub-config API; its IAM prefix is mgh) and
        # ListProgressUpdateStreams have no resource type: "*" is their only form.
        policy.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["mgh:GetHomeRegion", "mgh:ListProgressUpdateStreams"],
                resources=["*"],
            )
        )
