"""Monitoring: alarms on failed executions, failed units, and a run that did not happen.

Every alarm notifies the digest topic, so the people who get the findings also hear when
the findings stopped coming.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import constants


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
        failed_runs = cloudwatch.MathExpression(
            expression="failed + timedout + aborted",
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
            namespace=constants.METRICS_NAMESPACE,
            metric_name=constants.FAILED_UNITS_METRIC,
            dimensions_map={"service": constants.SERVICE},
            statistic="Maximum",
            period=period,
        )
        self.failed_units = self._any(
            failed_units, "FailedUnits", "maptag: at least one account × region could not be scanned"
        )
        # No start in `expected_run_hours` consecutive hours: every hour without data breaches.
        started = state_machine.metric_started(period=period, statistic="Sum")
        self.missed_run = started.create_alarm(
            self,
            "MissedRun",
            alarm_description=f"maptag: no scan run started in {expected_run_hours} hours",
            threshold=1,
            evaluation_periods=expected_run_hours,
            datapoints_to_alarm=expected_run_hours,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        for alarm in (self.failed_runs, self.failed_units, self.missed_run):
            alarm.add_alarm_action(actions.SnsAction(topic))

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
