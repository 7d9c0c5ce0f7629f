"""Each Lambda handler invoked in process with the events the state machine sends, on moto.

plan with an Organization; scan_unit through the member role it assumes; publish to S3,
DynamoDB, SNS, Security Hub, EventBridge, CloudWatch (EMF) and the local Migration Hub.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.loaders
import pytest
from pydantic import ValidationError

from handlers import observability, publish, scan_unit
from maptag.model import Finding, Resource, ScanUnit, Verdict
from maptag.run_store import RunStore
from maptag.scan import UnitResult
from tests.support.deployed import (
    BUCKET,
    COMPLIANT,
    REGION,
    SCANNER,
    TABLE,
    LambdaContext,
    World,
    deployed_world,
    item,
    report_json,
    run_plan,
)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with deployed_world(monkeypatch) as created:
        yield created


def test_plan_writes_every_organization_account_times_region_to_s3(world: World) -> None:
    # When the plan step runs for a new execution
    state = run_plan("sched-42")
    # Then the state names the run and the S3 key of its unit list, not the units
    assert state["run_id"] == "20261123T060000Z-sched-42"
    assert state["caller_account"] == SCANNER
    assert state["unit_count"] == len(world.accounts)
    body = (
        boto3.client("s3", region_name=REGION)
        .get_object(Bucket=BUCKET, Key=state["units_key"])["Body"]
        .read()
    )
    units = json.loads(body)
    assert sorted(u["account_id"] for u in units) == world.accounts
    assert {u["region"] for u in units} == {REGION}


def test_scan_unit_assumes_the_member_role_and_writes_its_shard(world: World) -> None:
    member = world.members[0]
    tagged = world.launch(member, COMPLIANT)
    untagged = world.launch(member, None)
    state = run_plan()
    # When one member unit is scanned
    summary = scan_unit.handler(item(state, member), LambdaContext())
    # Then it read the member account's resources (through the assumed role) and says so briefly
    assert summary["status"] == "ok", summary
    assert summary["account_id"] == member
    s3 = boto3.client("s3", region_name=REGION)
    prefix = f"runs/{state['run_id']}/units/{member}/{REGION}/"
    result = json.loads(s3.get_object(Bucket=BUCKET, Key=prefix + "result.json")["Body"].read())
    assert result["status"] == "ok"
    shard = gzip.decompress(s3.get_object(Bucket=BUCKET, Key=prefix + "findings.jsonl.gz")["Body"].read())
    findings = {f["arn"].rsplit("/", 1)[-1]: f for f in map(json.loads, shard.decode().splitlines())}
    assert findings[tagged]["verdict"] == "compliant"
    assert findings[untagged]["verdict"] == "missing"
    assert all(f["account_id"] == member for f in findings.values())
    assert summary["in_scope"] == sum(1 for f in findings.values() if f["verdict"] != "excluded")


def test_warm_invocations_reuse_the_parsed_service_models(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a new execution environment (no session yet) that counts botocore's model file reads
    observability.session.cache_clear()
    reads: list[str] = []
    load_file = botocore.loaders.JSONFileLoader.load_file

    def counted(loader: botocore.loaders.JSONFileLoader, file_path: str) -> Any:
        reads.append(file_path)
        return load_file(loader, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counted)
    state = run_plan()
    first, second = world.members
    world.launch(first, None)
    world.launch(second, None)

    # When two units of different member accounts are scanned, one after the other
    scan_unit.handler(item(state, first), LambdaContext())
    cold = [path for path in reads if "service-2" in path]
    reads.clear()
    summary = scan_unit.handler(item(state, second), LambdaContext())

    # Then the first invocation parsed the service models and the second, warm one parsed none
    assert summary["status"] == "ok", summary
    assert any("/ec2/" in path for path in cold), cold
    assert [path for path in reads if "service-2" in path] == []


def test_scan_unit_rejects_a_malformed_item(world: World) -> None:
    state = run_plan()
    with pytest.raises(ValidationError, match="account_id"):
        scan_unit.handler({**item(state, world.members[0]), "account_id": "not-an-account"}, LambdaContext())


def test_publish_delivers_to_every_sink(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a run whose units were all scanned: one compliant and one untagged server per account
    missing = {account: world.launch(account, None) for account in world.accounts}
    for account in world.accounts:
        world.launch(account, COMPLIANT)
    state = run_plan()
    for account in world.accounts:
        assert scan_unit.handler(item(state, account), LambdaContext())["status"] == "ok"
    capsys.readouterr()

    # When publish runs on the state the Map hands it
    summary = publish.handler({**state, "map_result": None}, LambdaContext())

    # Then every sink succeeded
    assert summary["failed_units"] == 0
    assert all(v == "ok" for v in summary["sinks"].values()), summary["sinks"]
    assert set(summary["sinks"]) == {
        "s3-report",
        "history",
        "security-hub",
        "sns",
        "events",
        "metrics",
        "migration-hub",
    }
    # the JSON report, rebuilt from the shards in S3
    report = report_json(state["run_id"])
    assert report["totals"]["compliant"] == len(world.accounts)
    verdicts = {r["arn"].rsplit("/", 1)[-1]: r["verdict"] for r in report["resources"]}
    assert all(verdicts[instance] == "missing" for instance in missing.values())
    assert report["totals"]["missing"] == sum(1 for v in verdicts.values() if v == "missing")
    assert {u["account_id"] for u in report["units"]} == set(world.accounts)
    # history: one run row, one row per unit
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    run_rows = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "history#run"}},
    )["Items"]
    assert len(run_rows) == 1
    assert state["run_id"] in run_rows[0]["sk"]["S"]
    # one digest for the whole run, linking the report
    (digest,) = world.digests()
    assert summary["report_url"]
    assert summary["report_url"] in digest["Message"]
    # one Security Hub finding per non-compliant resource
    findings = boto3.client("securityhub", region_name=REGION).get_findings()["Findings"]
    resources = {f["Resources"][0]["Id"] for f in findings if f["RecordState"] == "ACTIVE"}
    assert {arn.rsplit("/", 1)[-1] for arn in resources} >= set(missing.values())
    # a Migration Hub task per unit
    tasks = world.hub_tasks()
    assert {f"map-tagging-{a}-{REGION}" for a in world.accounts} <= set(tasks)
    # CloudWatch metrics as EMF lines, FailedUnits among them
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    run_level = [line for line in emf if "FailedUnits" in line]
    assert run_level, "no FailedUnits metric"
    assert run_level[0]["FailedUnits"] in (0, [0.0])
    assert run_level[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "maptag"


def test_publish_reports_units_the_map_caught_as_failed(world: World) -> None:
    # Given a run where one unit's Lambda died (no result in S3) and the Map caught it
    state = run_plan()
    crashed, *scanned = world.accounts
    for account in scanned:
        scan_unit.handler(item(state, account), LambdaContext())
    s3 = boto3.client("s3", region_name=REGION)
    cause = json.dumps(
        {"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out after 900.00 seconds"}
    )
    caught = {"account_id": crashed, "region": REGION, "status": "failed", "error": cause}
    results = [
        {"Input": json.dumps(item(state, crashed)), "Output": json.dumps(caught), "Status": "SUCCEEDED"},
    ]
    s3.put_object(Bucket=BUCKET, Key="map-results/run/SUCCEEDED_0.json", Body=json.dumps(results).encode())
    manifest = {
        "DestinationBucket": BUCKET,
        "MapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:maptag/ScanUnits:run",
        "ResultFiles": {
            "FAILED": [],
            "PENDING": [],
            "SUCCEEDED": [{"Key": "map-results/run/SUCCEEDED_0.json"}],
        },
    }
    s3.put_object(Bucket=BUCKET, Key="map-results/run/manifest.json", Body=json.dumps(manifest).encode())
    map_result = {"ResultWriterDetails": {"Bucket": BUCKET, "Key": "map-results/run/manifest.json"}}

    # When publish runs
    summary = publish.handler({**state, "map_result": map_result}, LambdaContext())

    # Then the unit is reported failed with the Lambda's own error, and the others are not hidden
    assert summary["failed_units"] == 1
    units = {u["account_id"]: u for u in report_json(state["run_id"])["units"]}
    assert units[crashed]["status"] == "failed"
    assert units[crashed]["error"] == "Sandbox.Timedout: Task timed out after 900.00 seconds"
    assert all(units[a]["status"] == "ok" for a in scanned)
    assert world.hub_tasks()[f"map-tagging-{crashed}-{REGION}"]["Status"] == "FAILED"


def test_publish_names_a_unit_that_left_no_trace_as_failed(world: World) -> None:
    state = run_plan()
    # no unit was scanned and the Map recorded nothing
    summary = publish.handler({**state, "map_result": None}, LambdaContext())
    assert summary["failed_units"] == len(world.accounts)
    units = report_json(state["run_id"])["units"]
    assert all("ended without writing a result" in u["error"] for u in units)


def put_map_results(files: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The Distributed Map's ResultWriter output: one file per status, and its manifest."""
    s3 = boto3.client("s3", region_name=REGION)
    result_files: dict[str, list[dict[str, str]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status, records in files.items():
        key = f"map-results/run/{status}_0.json"
        s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(records).encode())
        result_files[status].append({"Key": key})
    manifest = {
        "DestinationBucket": BUCKET,
        "MapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:maptag/ScanUnits:run",
        "ResultFiles": result_files,
    }
    s3.put_object(Bucket=BUCKET, Key="map-results/run/manifest.json", Body=json.dumps(manifest).encode())
    return {"ResultWriterDetails": {"Bucket": BUCKET, "Key": "map-results/run/manifest.json"}}


def test_publish_reports_an_express_child_that_ran_out_of_time_as_failed(world: World) -> None:
    # Given a run whose unit outlived its Express child's 5 minutes: the child itself timed out,
    # so no Catch ran, no result was written, and the Map lists it among the FAILED results
    state = run_plan()
    timed_out, *scanned = world.accounts
    for account in scanned:
        scan_unit.handler(item(state, account), LambdaContext())
    map_result = put_map_results(
        {
            "FAILED": [
                {
                    "ExecutionArn": "arn:aws:states:us-east-1:123456789012:express:maptag/ScanUnits:1:2",
                    "Input": json.dumps(item(state, timed_out)),
                    "Status": "TIMED_OUT",
                    "Error": "States.Timeout",
                    "Cause": "The execution exceeded the 5-minute duration of an Express workflow.",
                }
            ]
        }
    )

    # When publish runs
    summary = publish.handler({**state, "map_result": map_result}, LambdaContext())

    # Then that unit is failed with the Map's reason, the others are not
    assert summary["failed_units"] == 1
    units = {u["account_id"]: u for u in report_json(state["run_id"])["units"]}
    assert units[timed_out]["status"] == "failed"
    assert units[timed_out]["error"] == "The execution exceeded the 5-minute duration of an Express workflow."
    assert all(units[a]["status"] == "ok" for a in scanned)


def test_publish_reads_many_units_and_names_a_missing_one_as_failed(world: World) -> None:
    # Given a plan of 60 units (more than publish reads at once), 59 of them scanned
    s3 = boto3.client("s3", region_name=REGION)
    state = run_plan()
    accounts = [f"{n:012d}" for n in range(100000000001, 100000000061)]
    units = [{"account_id": a, "region": REGION} for a in accounts]
    s3.put_object(Bucket=BUCKET, Key=state["units_key"], Body=json.dumps(units).encode())
    store = RunStore(s3, BUCKET, state["run_id"])
    missing = accounts[17]
    for n, account in enumerate(accounts):
        if account == missing:
            continue
        unit = ScanUnit(account, REGION)
        volume = f"vol-{n:017x}"
        resource = Resource(
            f"arn:aws:ec2:{REGION}:{account}:volume/{volume}", "ec2:volume", account, REGION, volume, None, {}
        )
        finding = Finding(resource, Verdict.MISSING, "no map-migrated tag", None, None)
        with store.findings_writer(unit) as emit:
            emit(finding)
        store.write_result(
            UnitResult(unit=unit, status="ok", error=None, counts={("ec2:volume", Verdict.MISSING): 1})
        )

    # When publish runs
    summary = publish.handler({**state, "unit_count": len(units), "map_result": None}, LambdaContext())
    assert summary["units"] == len(accounts)

    # Then every written unit is in the report, in order, and the missing one is failed
    report = report_json(state["run_id"])
    assert [u["account_id"] for u in report["units"]] == accounts
    assert summary["failed_units"] == 1
    failed = {u["account_id"]: u for u in report["units"] if u["status"] == "failed"}
    assert list(failed) == [missing]
    assert "ended without writing a result" in failed[missing]["error"]
    assert [r["account_id"] for r in report["resources"]] == [a for a in accounts if a != missing]
    assert report["totals"]["missing"] == len(accounts) - 1
