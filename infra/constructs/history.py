"""History: coverage per run × unit × type in DynamoDB, so trends can be read back.

The same table holds the Migration Hub outbox (publishes that failed, sent on the next run):
its keys are generic (`pk`, `sk`) so both kinds of item live side by side.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra import constants


class History(Construct):
    def __init__(self, scope: Construct, id: str, *, key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.table = dynamodb.TableV2(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=constants.TABLE_PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=constants.TABLE_SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing=dynamodb.Billing.on_demand(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=constants.TABLE_TTL_ATTRIBUTE,
            encryption=dynamodb.TableEncryptionV2.customer_managed_key(key),
            removal_policy=RemovalPolicy.RETAIN,
        )
