"""Migration Hub publishing: the outbox table and the actions on maptag's own stream only.

The home region is whatever the customer set (migrationhub-config GetHomeRegion), so the
region in the ARNs is a wildcard; the account and the stream are named. Updates that could
not be sent are kept in the outbox table and sent on the next run (docs/contracts.md).
"""

from __future__ import annotations

from typing import cast

from aws_cdk import Acknowledgment, Aws, RemovalPolicy, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from maptag.names import OUTBOX_TABLE_KEY


class MigrationHubAccess(Construct):
    def __init__(self, scope: Construct, id: str, *, stream: str, key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.stream = stream
        self.outbox = dynamodb.Table(
            self,
            "Outbox",
            partition_key=dynamodb.Attribute(name=OUTBOX_TABLE_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=key,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def grant_publish(self, grantee: iam.IGrantable) -> None:
        self.outbox.grant_read_write_data(grantee)
        stream_arn = f"arn:{Aws.PARTITION}:mgh:*:{Aws.ACCOUNT_ID}:progressUpdateStream/{self.stream}"
        policy = grantee.grant_principal
        stream_ack = f"arn:<AWS::Partition>:mgh:*:<AWS::AccountId>:progressUpdateStream/{self.stream}"
        # the grantee's principal is its role: the construct whose policy gets the statements
        Validations.of(cast(Construct, grantee.grant_principal)).acknowledge(
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
                actions=["mgh:CreateProgressUpdateStream"],
                resources=[stream_arn],
            )
        )
        policy.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "mgh:ImportMigrationTask",
                    "mgh:NotifyMigrationTaskState",
                    "mgh:PutResourceAttributes",
                    "mgh:ListMigrationTaskUpdates",
                ],
                resources=[f"{stream_arn}/migrationTask/*"],
            )
        )
        # GetHomeRegion (the migrationhub-config API; its IAM prefix is mgh) and the two List
        # calls have no resource type: "*" is their only form.
        policy.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["mgh:GetHomeRegion", "mgh:ListProgressUpdateStreams", "mgh:ListMigrationTasks"],
                resources=["*"],
            )
        )
