"""Findings delivery: Security Hub imports, one SNS digest per run, EventBridge events.

CloudWatch metrics need no resource: the publish function writes them as Powertools EMF
log lines. Each grant names the exact resource (the account's own Security Hub product and
hub, the default event bus, this topic).
"""

from __future__ import annotations

from aws_cdk import Aws, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct


class Findings(Construct):
    def __init__(self, scope: Construct, id: str, *, key: kms.IKey, email: str | None) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(
            self,
            "Digest",
            display_name="maptag: MAP tag coverage digest",
            master_key=key,
            enforce_ssl=True,
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

    def grant_publish(self, grantee: iam.IGrantable) -> None:
        """Everything the publish function sends findings to, and nothing else."""
        stack = Stack.of(self)
        self.topic.grant_publish(grantee)
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["securityhub:BatchImportFindings"],
                resources=[
                    f"arn:{Aws.PARTITION}:securityhub:{Aws.REGION}:{Aws.ACCOUNT_ID}:product/{Aws.ACCOUNT_ID}/default"
                ],
            )
        )
        # Reading its own earlier findings back is how a fixed resource's finding is found;
        # BatchUpdateFindings then sets its workflow RESOLVED (an import cannot). Both act on
        # the account's own hub (resource type "hub" in the Service Authorization Reference).
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["securityhub:GetFindings", "securityhub:BatchUpdateFindings"],
                resources=[f"arn:{Aws.PARTITION}:securityhub:{Aws.REGION}:{Aws.ACCOUNT_ID}:hub/default"],
            )
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["events:PutEvents"],
                resources=[stack.format_arn(service="events", resource="event-bus", resource_name="default")],
            )
        )
