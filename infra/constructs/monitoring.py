"""Monitoring: alarms on failed executions, failed units, and a run that did not happen.

Every alarm notifies the digest topic, so the people who get the findings also hear when
the findings stopped coming; the topic's policy lets CloudWatch publish for these alarms only.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from maptag import names


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        state_machine: sfn.StateMachine,
        topic: sns.ITopic,
        expected_run_hours: int,
    ) -> None:
        super().__init__(scope, id)
        period = Duration.hours(1)
        # Each metric exists only for hours with such an execution, and metric math gives no
        # value where an operand has none: FILL(m, 0) makes the sum defined in every hour
        # (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
        failed_runs = cloudwatch.MathExpression(
            expression="FILL(failed, 0) + FILL(timedout, 0) + FILL(aborted, 0)",
            using_metrics={
                "failed": state_machine.metric_failed(period=period, statistic="Sum"),
                "timedout": state_machine.metric_timed_out(period=period, statistic="Sum"),
                "aborted": state_machine.metric_aborted(period=period, statistic="Sum"),
            },
            label="failed, timed-out or aborted runs",
            period=period,
        )
        self.failed_runs = self._any(
            failed_runs, "FailedRuns", "maptag: a scan run failed, timed out or was aborted"
        )
        failed_units = cloudwatch.Metric(
            namespace=names.METRICS_NAMESPACE,
            metric_name=names.FAILED_UNITS_METRIC,
            dimensions_map={"service": names.SERVICE},
            statistic="Maximum",
            period=period,
        )
        self.failed_units = self._any(
            failed_units, "FailedUnits", "maptag: at least one account × region could not be scanned"
        )
        # A missed run is a window of `expected_run_hours` with no start at all. With missing
        # data left "missing", such a window takes the alarm to INSUFFICIENT_DATA, which is
        # also a new alarm's first state; actions run only on a change of state. So the alarm
        # is quiet from deploy until the first run (INSUFFICIENT_DATA → OK), and notifies on
        # OK → INSUFFICIENT_DATA, the first window without a run
        # (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html,
        # https://docs.aws.amazon.com/autoscaling/application/userguide/cloudwatch-alarm-notifications.html).
        started = state_machine.metric_started(period=period, statistic="Sum")
        self.missed_run = started.create_alarm(
            self,
            "MissedRun",
            alarm_description=(
                f"maptag: no scan run started in {expected_run_hours} hours "
                "(state INSUFFICIENT_DATA after a first run means the schedule stopped)"
            ),
            threshold=1,
            evaluation_periods=expected_run_hours,
            datapoints_to_alarm=expected_run_hours,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.MISSING,
        )
        action = actions.SnsAction(topic)
        for alarm in (self.failed_runs, self.failed_units, self.missed_run):
            alarm.add_alarm_action(action)
        self.missed_run.add_insufficient_data_action(action)
        self.alarms = (self.failed_runs, self.failed_units, self.missed_run)
        # The topic's policy (TLS-only deny) has no statement for CloudWatch: let it publish on
        # behalf of these alarms of this account only
        # (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowMaptagAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "ArnEquals": {"aws:SourceArn": [alarm.alarm_arn for alarm in self.alarms]},
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                },
            )
        )

    def _any(self, metric: cloudwatch.IMetric, id: str, description: str) -> cloudwatch.Alarm:
        """An alarm on one or more in an hour; no data (no run in that hour) is no failure."""
        return cloudwatch.Alarm(
            self,
            id,
            metric=metric,
            alarm_description=description,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
