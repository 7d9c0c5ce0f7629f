"""Spend per resource for the publish step (docs/costs.md), least privilege for the source chosen.

- ``maptag:costs=cost-explorer``: ce:GetCostAndUsageWithResources (no resource type: "*");
- ``maptag:costs=athena``: a workgroup of maptag's own whose results go, KMS-encrypted, under
  the reports bucket's ``runs/`` prefix (aged out with the runs), and read access to the
  customer's CUR 2.0 table (Glue database and table by name) and to its bucket.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import Acknowledgment, Aws, CfnElement, Stack, Validations
from aws_cdk import aws_athena as athena
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from maptag import names
from maptag.deploy_config import DeployConfig

RESULTS_PREFIX = f"{names.RUNS_PREFIX}athena-costs/"


class CostAccess(Construct):
    def __init__(
        self, scope: Construct, id: str, *, config: DeployConfig, bucket: s3.IBucket, key: kms.IKey
    ) -> None:
        super().__init__(scope, id)
        self._config = config
        self._bucket = bucket
        self._key = key
        self.workgroup: athena.CfnWorkGroup | None = None
        if config.costs == "athena":
            self.workgroup = athena.CfnWorkGroup(
                self,
                "WorkGroup",
                name=f"{Stack.of(self).stack_name}-costs",
                description="maptag: spend per resource from the CUR 2.0 table",
                recursive_delete_option=True,
                work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                    # the workgroup's settings win over a query's: results always land here, encrypted
                    enforce_work_group_configuration=True,
                    publish_cloud_watch_metrics_enabled=True,
                    result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                        output_location=f"s3://{bucket.bucket_name}/{RESULTS_PREFIX}",
                        encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                            encryption_option="SSE_KMS", kms_key=key.key_arn
                        ),
                    ),
                ),
            )

    def grant(self, function: lambda_.Function) -> None:
        """What ``function`` (the publish step) needs for the chosen source, and its environment."""
        config = self._config
        role = cast(Construct, function.role)
        if config.costs == "cost-explorer":
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["ce:GetCostAndUsageWithResources"], resources=["*"])
            )
            Validations.of(role).acknowledge(
                Acknowledgment(
                    id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                    reason="ce:GetCostAndUsageWithResources has no resource type: '*' is its only form",
                )
            )
        if self.workgroup is None:
            return
        function.add_environment(names.ENV_ATHENA_WORKGROUP, self.workgroup.ref)
        stack = Stack.of(self)
        workgroup_arn = stack.format_arn(
            service="athena", resource="workgroup", resource_name=self.workgroup.ref
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"],
                resources=[workgroup_arn],
            )
        )
        glue = f"arn:{Aws.PARTITION}:glue:{Aws.REGION}:{Aws.ACCOUNT_ID}"
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                resources=[
                    f"{glue}:catalog",
                    f"{glue}:database/{config.cur_database}",
                    f"{glue}:table/{config.cur_database}/{config.cur_table}",
                ],
            )
        )
        cur_bucket = f"arn:{Aws.PARTITION}:s3:::{config.cur_bucket}"
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[f"{cur_bucket}/*"])
        )
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:ListBucket", "s3:GetBucketLocation"], resources=[cur_bucket])
        )
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetBucketLocation"], resources=[self._bucket.bucket_arn])
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self._bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{RESULTS_PREFIX}*"]}},
            )
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "s3:PutObject",
                    "s3:GetObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                resources=[self._bucket.arn_for_objects(f"{RESULTS_PREFIX}*")],
            )
        )
        self._key.grant(function, "kms:GenerateDataKey", "kms:Decrypt")
        bucket_id = stack.get_logical_id(cast(CfnElement, self._bucket.node.default_child))
        Validations.of(role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{config.cur_bucket}/*]",
                reason="the customer's CUR 2.0 export: Athena reads its objects as the caller",
            ),
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{RESULTS_PREFIX}*]",
                reason="the Athena workgroup's own result prefix",
            ),
        )
