"""Schedule: EventBridge Scheduler starts the scan workflow (default daily), time zone aware."""

from __future__ import annotations

from aws_cdk import TimeZone
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


class Schedule(Construct):
    def __init__(
        self, scope: Construct, id: str, *, state_machine: sfn.IStateMachine, expression: str, time_zone: str
    ) -> None:
        super().__init__(scope, id)
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            description="maptag: scan MAP tag coverage",
            schedule=scheduler.ScheduleExpression.expression(expression, TimeZone.of(time_zone)),
            target=targets.StepFunctionsStartExecution(
                state_machine,
                input=scheduler.ScheduleTargetInput.from_object({"trigger": "schedule"}),
                # A start that fails is retried a few times; a run that never starts raises the
                # missed-run alarm instead of being retried for a day.
                retry_attempts=3,
            ),
        )
