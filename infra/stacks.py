"""The two stacks: the scanner (one account) and the read-only member role (every account).

Stacks only compose constructs; acknowledgements of cdk-nag findings live next to the
resource they are about, each with its reason.
"""

from __future__ import annotations

from aws_cdk import BootstraplessSynthesizer, CfnOutput, CfnParameter, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.constructs.costs import CostAccess
from infra.constructs.findings import Findings
from infra.constructs.history import History
from infra.constructs.member_role import MemberRole
from infra.constructs.migration_hub import MigrationHubAccess
from infra.constructs.monitoring import Monitoring
from infra.constructs.remediation import TaggerRole
from infra.constructs.reports import Reports
from infra.constructs.scan_workflow import ScanWorkflow
from infra.constructs.schedule import Schedule
from maptag.deploy_config import DeployConfig
from maptag.sinks import migration_hub as migration_hub_sink


class ScannerStack(Stack):
    """The scheduled workflow, its storage, findings delivery and alarms."""

    def __init__(self, scope: Construct, id: str, *, config: DeployConfig, **kwargs: object) -> None:
        super().__init__(scope, id, description="maptag: scheduled MAP 2.0 tag coverage scan", **kwargs)  # type: ignore[arg-type]
        key = kms.Key(
            self,
            "DataKey",
            description="maptag: reports, history and the findings digest",
            enable_key_rotation=True,
        )
        # CloudWatch alarms publish to the encrypted digest topic.
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        reports = Reports(self, "Reports", key=key, retention_days=config.report_retention_days)
        history = History(self, "History", key=key)
        findings = Findings(self, "Findings", key=key, email=config.notification_email)
        hub = (
            MigrationHubAccess(self, "MigrationHub", stream=config.hub_stream, key=key)
            if migration_hub_sink.NAME in config.sinks
            else None
        )
        workflow = ScanWorkflow(
            self,
            "ScanWorkflow",
            config=config,
            bucket=reports.bucket,
            key=key,
            table=history.table,
            findings=findings,
            migration_hub=hub,
        )
        if config.costs is not None:
            CostAccess(self, "Costs", config=config, bucket=reports.bucket, key=key).grant(workflow.publish)
        Schedule(
            self,
            "Schedule",
            state_machine=workflow.state_machine,
            expression=config.schedule,
            time_zone=config.schedule_time_zone,
        )
        Monitoring(
            self,
            "Monitoring",
            state_machine=workflow.state_machine,
            topic=findings.topic,
            expected_run_hours=config.expected_run_hours,
        )
        CfnOutput(self, "StateMachineArn", value=workflow.state_machine.state_machine_arn)
        CfnOutput(self, "ReportsBucket", value=reports.bucket.bucket_name)
        CfnOutput(self, "HistoryTable", value=history.table.table_name)
        CfnOutput(self, "DigestTopicArn", value=findings.topic.topic_arn)
        CfnOutput(
            self, "ScannerRoleArn", value=workflow.scan_unit.role.role_arn if workflow.scan_unit.role else ""
        )
        self.workflow = workflow


class MemberRoleStack(Stack):
    """The role the scanner assumes; plain CloudFormation, so it also works as a StackSet."""

    def __init__(self, scope: Construct, id: str, *, config: DeployConfig, **kwargs: object) -> None:
        # No bootstrap resources: a StackSet instance runs in accounts that were never bootstrapped.
        super().__init__(
            scope,
            id,
            description="maptag: read-only role for the MAP tag coverage scanner",
            synthesizer=BootstraplessSynthesizer(),
            **kwargs,  # type: ignore[arg-type]
        )
        scanner_account = CfnParameter(
            self,
            "ScannerAccountId",
            type="String",
            allowed_pattern="[0-9]{12}",
            description="The account where the maptag scanner stack runs",
            **({"default": config.scanner_account} if config.scanner_account else {}),  # type: ignore[arg-type]
        )
        member = MemberRole(
            self,
            "MemberRole",
            role_name=config.role_name,
            scanner_account=scanner_account.value_as_string,
            organization_id=config.organization_id,
        )
        CfnOutput(self, "MemberRoleArn", value=member.role.role_arn)
        if config.remediation != "off":
            tagger = TaggerRole(
                self, "TaggerRole", config=config, scanner_account=scanner_account.value_as_string
            )
            CfnOutput(self, "TaggerRoleArn", value=tagger.role.role_arn)
