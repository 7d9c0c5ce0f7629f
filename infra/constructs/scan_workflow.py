"""The scan workflow: plan → Map over units (scan each) → publish, as Step Functions + Lambda.

Per-unit results travel by S3 reference: plan writes the unit list to the reports bucket,
the Distributed Map reads it from there (ItemReader) and writes its own results back
(ResultWriter), and each unit's findings are written to S3 by the function that scanned it.
The state payload stays a few hundred bytes however many accounts there are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import cast

from aws_cdk import (
    Acknowledgment,
    ArnFormat,
    Aws,
    CfnElement,
    Duration,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra import constants
from infra.constructs.findings import Findings
from infra.constructs.member_role import acknowledge_read_only, read_only_statements
from infra.constructs.migration_hub import MigrationHubAccess
from infra.constructs.remediation import grant_remediation
from maptag import names
from maptag.deploy_config import TAGGER_ROLE_NAME, DeployConfig


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str
    description: str
    timeout: Duration
    memory_mb: int


@dataclass(frozen=True)
class UnitLimits:
    """How long one unit's scan may run and how it is retried, by the Map's child workflow type."""

    timeout: Duration
    retry_interval: Duration
    retries: int
    backoff_rate: float

    def worst_case_seconds(self) -> float:
        """Every attempt timing out, with the longest backoff between them (jitter only shortens it)."""
        waits = sum(self.retry_interval.to_seconds() * self.backoff_rate**n for n in range(self.retries))
        return (self.retries + 1) * self.timeout.to_seconds() + waits


# An Express child lives at most 5 minutes, retries included.
EXPRESS_CHILD_LIMIT = Duration.minutes(5)
UNIT_LIMITS = {
    # 3 attempts × 90 s + 5 s + 10 s of backoff = 285 s: inside the Express child's 5 minutes.
    "express": UnitLimits(Duration.seconds(90), Duration.seconds(5), retries=2, backoff_rate=2),
    # A Standard child has no time limit: Lambda's 15 minutes per attempt, for huge units.
    "standard": UnitLimits(Duration.minutes(15), Duration.seconds(30), retries=2, backoff_rate=2),
}
CHILD_TYPES = {"express": sfn.StateMachineType.EXPRESS, "standard": sfn.StateMachineType.STANDARD}

PLAN = FunctionSpec("Plan", "handlers.plan.handler", "maptag: plan the run's units", Duration.minutes(2), 256)
# A unit with every type makes ~70 calls through ~38 services' clients: 1,024 MB (0.58 of a vCPU)
# keeps a full Organization scan within 15 minutes, 512 MB does not (bench/scale.py).
SCAN_UNIT = FunctionSpec(
    "ScanUnit", "handlers.scan_unit.handler", "maptag: scan one account × region", Duration.seconds(90), 1024
)
# runs/<run id>/published/<sink>.json (maptag.run_store): publish writes nothing else under runs/.
PUBLISHED_MARKERS = f"{names.RUNS_PREFIX}*/{names.PUBLISHED_PREFIX}"
PUBLISH = FunctionSpec(
    "Publish", "handlers.publish.handler", "maptag: report, history and findings", Duration.minutes(15), 2048
)
REMEDIATE = FunctionSpec(
    "Remediate", "handlers.remediate.handler", "maptag: fix what the scan found", Duration.minutes(15), 1024
)


class ScanWorkflow(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: DeployConfig,
        bucket: s3.IBucket,
        key: kms.IKey,
        table: dynamodb.ITable,
        findings: Findings,
        migration_hub: MigrationHubAccess | None,
    ) -> None:
        super().__init__(scope, id)
        self._config = config
        self._stack = Stack.of(self)
        # The layer built for the functions' architecture (its name says which).
        self._layer = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Powertools",
            self._stack.format_arn(
                service="lambda",
                account=constants.POWERTOOLS_LAYER_ACCOUNT,
                resource="layer",
                resource_name=f"{constants.POWERTOOLS_LAYER_NAME}:{constants.POWERTOOLS_LAYER_VERSION}",
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            ),
        )
        self._code = lambda_.Code.from_asset(constants.FUNCTIONS_DIR, exclude=list(constants.ASSET_EXCLUDES))
        environment = {
            names.ENV_CONFIG: config.to_json(),
            names.ENV_REPORTS_BUCKET: bucket.bucket_name,
            names.ENV_HISTORY_TABLE: table.table_name,
            names.ENV_TOPIC_ARN: findings.topic.topic_arn,
            **({names.ENV_OUTBOX_TABLE: migration_hub.outbox.table_name} if migration_hub else {}),
            names.ENV_SERVICE_NAME: names.SERVICE,
            names.ENV_METRICS_NAMESPACE: names.METRICS_NAMESPACE,
            names.ENV_STS_REGIONAL_ENDPOINTS: "regional",
        }

        # plan: lists the Organization's accounts (if asked) and writes the unit list.
        self.plan = self._function(PLAN, environment)
        self._grant_objects(self.plan, bucket, key, write=[names.RUNS_PREFIX])
        if config.policy.organization:
            # ListAccounts has no resource type: "*" is its only form.
            self.plan.add_to_role_policy(
                iam.PolicyStatement(actions=["organizations:ListAccounts"], resources=["*"])
            )

        # scan_unit: assumes the member role (or reads its own account) and writes its shard.
        self.unit_limits = UNIT_LIMITS[config.child_workflow]
        self.scan_unit = self._function(
            replace(SCAN_UNIT, timeout=self.unit_limits.timeout),
            environment,
            role_name=f"{constants.SCANNER_ROLE_PREFIX}{self._stack.region}",
        )
        self._grant_objects(self.scan_unit, bucket, key, write=[names.RUNS_PREFIX])
        accounts = config.policy.accounts or ("*",)
        self.scan_unit.add_to_role_policy(
            iam.PolicyStatement(
                actions=["sts:AssumeRole"],
                resources=[
                    f"arn:{Aws.PARTITION}:iam::{account}:role/{config.role_name}" for account in accounts
                ],
            )
        )
        for statement in read_only_statements():
            self.scan_unit.add_to_role_policy(statement)
        acknowledge_read_only(cast(Construct, self.scan_unit.role))

        # publish: reads the shards, writes the report, the history, and every sink.
        self.publish = self._function(PUBLISH, environment)
        self._grant_objects(
            self.publish,
            bucket,
            key,
            read=[names.RUNS_PREFIX, f"{names.MAP_RESULTS_PREFIX}/"],
            # reports, and the per-sink completion markers that make a retry idempotent (run_store.py)
            write=[names.REPORTS_PREFIX, PUBLISHED_MARKERS],
        )
        table.grant_read_write_data(self.publish)
        findings.grant_publish(self.publish)
        if migration_hub is not None:
            migration_hub.grant_publish(self.publish)

        # Only with maptag:remediation plan|apply: with it off nothing deployed can write a tag.
        self.remediate: lambda_.Function | None = None
        if config.remediation != "off":
            self.remediate = self._function(
                REMEDIATE, environment, role_name=f"{constants.REMEDIATOR_ROLE_PREFIX}{self._stack.region}"
            )
            self._grant_objects(
                self.remediate, bucket, key, read=[names.RUNS_PREFIX], write=[names.REPORTS_PREFIX]
            )
            findings.grant_publish(self.remediate)
            grant_remediation(self.remediate, config)

        self.state_machine = self._state_machine(bucket, key)
        self._acknowledge(bucket)

    @staticmethod
    def _grant_objects(
        function: lambda_.Function,
        bucket: s3.IBucket,
        key: kms.IKey,
        read: list[str] | None = None,
        write: list[str] | None = None,
    ) -> None:
        """Object access under the given prefixes only (no tagging, unlike the CDK's grant_put)."""
        if write:
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                    resources=[bucket.arn_for_objects(f"{prefix}*") for prefix in write],
                )
            )
            key.grant(function, "kms:GenerateDataKey", "kms:Decrypt")
        if read:
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["s3:GetObject"],
                    resources=[bucket.arn_for_objects(f"{prefix}*") for prefix in read],
                )
            )
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["s3:ListBucket"],
                    resources=[bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{prefix}*" for prefix in read]}},
                )
            )
            key.grant(function, "kms:Decrypt")

    def _acknowledge(self, bucket: s3.IBucket) -> None:
        """cdk-nag findings that are the least privilege there is, each with its reason."""
        stack = self._stack
        bucket_id = stack.get_logical_id(cast(CfnElement, bucket.node.default_child))
        machine_id = stack.get_logical_id(cast(CfnElement, self.state_machine.node.default_child))
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        machine_name = json.dumps(
            {"Fn::Select": [6, {"Fn::Split": [":", {"Ref": machine_id}]}]}, separators=(",", ":")
        )
        executions = f"arn:<AWS::Partition>:states:{region}:<AWS::AccountId>:execution:{machine_name}"
        bucket_arn = f"Resource::<{bucket_id}.Arn>"
        member_roles = f"Resource::arn:<AWS::Partition>:iam::*:role/{self._config.role_name}"
        reasons = {
            "Action::kms:GenerateDataKey*": "the CDK's DynamoDB grant for a table encrypted with the "
            "stack's own key; scoped to that key",
            "Action::kms:ReEncrypt*": "the CDK's DynamoDB grant; scoped to the stack's own key",
            "Resource::*": "X-Ray PutTraceSegments/PutTelemetryRecords, Step Functions log delivery, "
            "organizations:ListAccounts and mgh:GetHomeRegion have no resource type",
            f"{bucket_arn}/{names.RUNS_PREFIX}*": "the run's own working prefix",
            f"{bucket_arn}/{names.MAP_RESULTS_PREFIX}/*": "the Distributed Map's result prefix",
            f"{bucket_arn}/{names.REPORTS_PREFIX}*": "the reports prefix",
            f"{bucket_arn}/{PUBLISHED_MARKERS}*": "publish's completion markers, one per sink and run",
            f"Resource::arn:<AWS::Partition>:s3:::<{bucket_id}>/*": "the Distributed Map reads the unit "
            "list and writes its results in the reports bucket",
            member_roles: "with the whole Organization the member accounts are not known at deploy time; "
            "only the maptag read-only role name can be assumed",
            f"Resource::{executions}:*": "the Distributed Map starts and watches child executions of this "
            "state machine only",
            f"Resource::{executions}/{constants.STATE_SCAN_UNITS}:*": "the Distributed Map's own map run",
        }
        if self.remediate is not None:
            reasons[f"Resource::arn:<AWS::Partition>:iam::*:role/{TAGGER_ROLE_NAME}"] = (
                "with the whole Organization the member accounts are not known at deploy time; only the "
                "maptag tagger role name can be assumed"
            )
        for function in (
            self.plan,
            self.scan_unit,
            self.publish,
            *([self.remediate] if self.remediate else []),
        ):
            function_id = stack.get_logical_id(cast(CfnElement, function.node.default_child))
            reasons[f"Resource::<{function_id}.Arn>:*"] = "invoking any version of this one function"
        rules = [
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[{k}]", reason=v) for k, v in reasons.items()
        ]
        rules.append(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-L1",
                reason=f"the public Powertools layer pinned here is built for {constants.RUNTIME.name}",
            )
        )
        Validations.of(self).acknowledge(*rules)

    def _function(
        self, spec: FunctionSpec, environment: dict[str, str], role_name: str | None = None
    ) -> lambda_.Function:
        log_group = logs.LogGroup(self, f"{spec.name}Logs", removal_policy=RemovalPolicy.DESTROY)
        _retain(log_group, self._config.log_retention_days)
        # Its own role: only what this one function needs (no managed policies).
        role = iam.Role(
            self,
            f"{spec.name}Role",
            role_name=role_name,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{spec.description} (least privilege)",
        )
        log_group.grant_write(role)
        return lambda_.Function(
            self,
            spec.name,
            runtime=constants.RUNTIME,
            architecture=constants.ARCHITECTURE,
            handler=spec.handler,
            code=self._code,
            layers=[self._layer],
            description=spec.description,
            timeout=spec.timeout,
            memory_size=spec.memory_mb,
            environment=environment,
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            # Invoked synchronously by the state machine, which retries with backoff itself.
            retry_attempts=0,
        )

    def _state_machine(self, bucket: s3.IBucket, key: kms.IKey) -> sfn.StateMachine:
        plan = tasks.LambdaInvoke(
            self,
            "PlanState",
            state_name=constants.STATE_PLAN,
            lambda_function=self.plan,
            payload=sfn.TaskInput.from_object(
                {
                    "execution_name": sfn.JsonPath.string_at("$$.Execution.Name"),
                    "started_at": sfn.JsonPath.string_at("$$.Execution.StartTime"),
                }
            ),
            payload_response_only=True,
        )
        plan.add_retry(
            errors=["States.TaskFailed"], interval=Duration.seconds(10), max_attempts=2, backoff_rate=2
        )

        limits = self.unit_limits
        scan = tasks.LambdaInvoke(
            self,
            "ScanUnitState",
            state_name=constants.STATE_SCAN_UNIT,
            lambda_function=self.scan_unit,
            payload_response_only=True,
            # One retrier (States.TaskFailed matches Lambda's service errors too): a known worst case.
            retry_on_service_exceptions=False,
        )
        scan.add_retry(
            errors=["States.TaskFailed", "States.Timeout"],
            interval=limits.retry_interval,
            max_attempts=limits.retries,
            backoff_rate=limits.backoff_rate,
            jitter_strategy=sfn.JitterType.FULL,
        )
        # A unit that still fails is recorded as failed; the run goes on (issue 5).
        unit_failed = sfn.Pass(
            self,
            constants.STATE_UNIT_FAILED,
            parameters={
                "account_id": sfn.JsonPath.string_at("$.account_id"),
                "region": sfn.JsonPath.string_at("$.region"),
                "status": "failed",
                "error": sfn.JsonPath.string_at("$.error.Cause"),
            },
        )
        scan.add_catch(unit_failed, errors=["States.ALL"], result_path="$.error")

        units = sfn.DistributedMap(
            self,
            constants.STATE_SCAN_UNITS,
            label=constants.STATE_SCAN_UNITS,
            max_concurrency=self._config.policy.max_concurrency,
            item_reader=sfn.S3JsonItemReader(bucket=bucket, key=sfn.JsonPath.string_at("$.units_key")),
            item_selector={
                "run_id": sfn.JsonPath.string_at("$.run_id"),
                "caller_account": sfn.JsonPath.string_at("$.caller_account"),
                "inventory": sfn.JsonPath.string_at("$.inventory"),
                "account_id": sfn.JsonPath.string_at("$$.Map.Item.Value.account_id"),
                "region": sfn.JsonPath.string_at("$$.Map.Item.Value.region"),
            },
            result_writer_v2=sfn.ResultWriterV2(bucket=bucket, prefix=names.MAP_RESULTS_PREFIX),
            tolerated_failure_percentage=100,
            result_path="$.map_result",
            map_execution_type=CHILD_TYPES[self._config.child_workflow],
        )
        units.item_processor(scan)

        publish = tasks.LambdaInvoke(
            self,
            "PublishState",
            state_name=constants.STATE_PUBLISH,
            lambda_function=self.publish,
            payload_response_only=True,
        )
        publish.add_retry(
            errors=["States.TaskFailed"], interval=Duration.seconds(30), max_attempts=2, backoff_rate=2
        )

        # Under /aws/vendedlogs/: Step Functions adds each log group it delivers to the account's
        # CloudWatch Logs resource policy (5,120 characters) unless the name starts so
        # (https://docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html).
        log_group = logs.LogGroup(
            self,
            "StateMachineLogs",
            log_group_name=f"{constants.STATE_MACHINE_LOG_PREFIX}{self._stack.stack_name}-scan",
            removal_policy=RemovalPolicy.DESTROY,
        )
        _retain(log_group, self._config.log_retention_days)
        machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment="maptag: MAP 2.0 tag coverage scan",
            definition_body=sfn.DefinitionBody.from_chainable(plan.next(units).next(self._after(publish))),
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
            tracing_enabled=True,
            timeout=Duration.hours(12),
        )
        # The Map reads the unit list and writes its results in the KMS-encrypted bucket.
        key.grant(machine, "kms:Decrypt", "kms:GenerateDataKey")
        return machine

    def _after(self, publish: tasks.LambdaInvoke) -> sfn.IChainable:
        """Publish, then (with remediation on) the remediation step, its summary beside publish's."""
        if self.remediate is None:
            return publish
        remediate = tasks.LambdaInvoke(
            self,
            "RemediateState",
            state_name=constants.STATE_REMEDIATE,
            lambda_function=self.remediate,
            payload=sfn.TaskInput.from_object(
                {
                    "run_id": sfn.JsonPath.string_at("$.run_id"),
                    "started_at": sfn.JsonPath.string_at("$$.Execution.StartTime"),
                }
            ),
            payload_response_only=True,
            result_path="$.remediation",
        )
        return publish.next(remediate)


def _retain(log_group: logs.LogGroup, days: int) -> None:
    cast(logs.CfnLogGroup, log_group.node.default_child).retention_in_days = days
