"""`maptag run` and `maptag report --latest` against a deployed stack, in moto.

The stack is a CloudFormation stack with the scanner stack's outputs (StateMachineArn,
ReportsBucket, as infra/stacks.py declares them); the state machine is a Step Functions
definition that moto executes (Pass/Fail states) and whose output is what the publish step
returns (maptag.app.workflow.PublishRunResult.summary).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from maptag.app import deployment
from maptag.app.workflow import PublishRunResult
from maptag.cli import main
from maptag.model import ScanUnit
from maptag.policy import Policy
from maptag.report.model import FindingSpool, ScanReport
from maptag.scan import UnitResult
from maptag.sinks.outcome import RunInfo

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/maptag-workflow"
BUCKET = "maptag-reports-123456789012"
SUMMARY = {
    "run_id": "20261130T090000.000Z-abc123",
    "report_url": "https://us-east-1.console.aws.amazon.com/s3/object/maptag-reports?prefix=reports/latest/",
    "units": 4,
    "failed_units": 0,
    "totals": {"in_scope": 263, "compliant": 163, "missing": 73, "near_miss_key": 10, "invalid_value": 17,
               "unreadable": 0, "excluded": 37, "coverage_percent": 61.97},
    "sinks": {"s3-report": "ok", "sns": "failed: AuthorizationError on Publish: not allowed"},
}  # fmt: skip


def machine(name: str, state: dict[str, Any]) -> str:
    definition = {"StartAt": "Only", "States": {"Only": state}}
    created = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE
    )
    return str(created["stateMachineArn"])


def stack(name: str, outputs: dict[str, str]) -> None:
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=name, TemplateBody=json.dumps(template)
    )


@pytest.fixture
def deployed() -> Iterator[None]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        stack("Maptag", {"StateMachineArn": machine("ok", {"Type": "Pass", "Result": SUMMARY, "End": True}),
                         "ReportsBucket": BUCKET})  # fmt: skip
        failing = {"Type": "Fail", "Error": "ScanFailed", "Cause": "Publish: Lambda timed out"}
        stack("Broken", {"StateMachineArn": machine("broken", failing), "ReportsBucket": BUCKET})
        yield


def test_the_fixture_output_has_the_publish_steps_keys() -> None:
    spool = FindingSpool()
    try:
        policy = Policy.build(mpe_ids=["12345"], regions=[REGION])
        report = ScanReport(
            policy=policy, units=[UnitResult(ScanUnit("123456789012", REGION), "ok", None)], spool=spool
        )
        published = PublishRunResult(RunInfo("run-1", datetime(2026, 11, 30, tzinfo=UTC), None), report)
        summary = published.summary()
    finally:
        spool.close()
    assert set(summary) == set(SUMMARY)
    assert set(summary["totals"]) == set(SUMMARY["totals"])


def test_run_starts_the_workflow_follows_it_and_prints_the_coverage(
    deployed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--poll-seconds", "0.05"])
    out, err = capsys.readouterr()

    assert code == 1, "findings: exit 1, as maptag scan"
    assert out.splitlines() == [
        "Overall: 61.97 % coverage: 163 of 263 in-scope resources tagged correctly, 100 to fix, "
        "0 of 4 unit(s) failed",
        f"Report: {SUMMARY['report_url']}",
    ]
    lines = err.splitlines()
    assert lines[0].startswith("maptag: started arn:aws:states:us-east-1:123456789012:execution:ok:")
    assert lines[-2].startswith("maptag: succeeded after ")
    assert lines[-1] == "maptag: error: sns: failed: AuthorizationError on Publish: not allowed"
    outputs = boto3.client("cloudformation", region_name=REGION).describe_stacks(StackName="Maptag")
    machine_arn = next(
        o["OutputValue"] for o in outputs["Stacks"][0]["Outputs"] if o["OutputKey"] == "StateMachineArn"
    )
    sfn = boto3.client("stepfunctions", region_name=REGION)
    executions = sfn.list_executions(stateMachineArn=machine_arn)["executions"]
    assert [e["status"] for e in executions] == ["SUCCEEDED"]


def test_run_of_a_failing_workflow_exits_3_naming_the_cause(
    deployed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--stack", "Broken", "--poll-seconds", "0.05", "--quiet"]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == ["maptag: error: the run failed: Publish: Lambda timed out"]


def test_run_no_wait_prints_the_execution_and_returns(
    deployed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--no-wait", "-q"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("arn:aws:states:us-east-1:123456789012:execution:ok:")
    assert err == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--stack", "Nope"], "maptag: error: --stack: cannot read stack 'Nope': ValidationError"),
        (
            ["run", "--poll-seconds", "0"],
            "maptag: error: --poll-seconds: 0 is not a positive number of seconds",
        ),
        (["report", "--latest", "--stack", "Nope"], "maptag: error: --stack: cannot read stack 'Nope'"),
        (["report", "--latest"], f"maptag: error: no report at s3://{BUCKET}/reports/latest/report.html yet"),
        (["report", "--latest", "--format", "pdf"], "maptag: error: --format: unknown format 'pdf'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    deployed: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith(message)


def test_report_latest_fetches_the_stable_key(
    deployed: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    html = "<!doctype html><title>MAP tag coverage 61.97 % · é</title>\n" * 20_000  # several chunks
    s3.put_object(Bucket=BUCKET, Key="reports/latest/report.html", Body=html.encode())
    s3.put_object(Bucket=BUCKET, Key="reports/latest/report.json", Body=json.dumps(SUMMARY).encode())

    target = tmp_path / "latest.html"
    assert main(["report", "--latest", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == html
    assert capsys.readouterr().err == (
        f"maptag: wrote the latest html report (s3://{BUCKET}/reports/latest/report.html) to {target}\n"
    )

    assert main(["report", "--latest", "--format", "json", "--bucket", BUCKET]) == 0
    assert json.loads(capsys.readouterr().out) == SUMMARY


def test_a_long_run_says_it_is_still_running(
    deployed: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(deployment, "HEARTBEAT_SECONDS", 0.2)
    waiting = machine("slow", {"Type": "Wait", "Seconds": 1, "End": True})
    stack("Slow", {"StateMachineArn": waiting, "ReportsBucket": BUCKET})

    assert main(["run", "--stack", "Slow", "--poll-seconds", "0.05"]) == 0
    out, err = capsys.readouterr()
    assert out == "Run succeeded (its output carries no totals: see `maptag report --latest`).\n"
    assert sum(line.startswith("maptag: running after ") for line in err.splitlines()) >= 2
    assert err.splitlines()[-1].startswith("maptag: succeeded after ")
